// Largest-Triangle-Three-Buckets downsampling (Steinarsson, 2013): keeps a line's shape in ≤ `max` points, so a
// 10,000-step race draws as fast as a 100-step one. Pure TS; non-finite points are skipped.

/** Indices of at most `max` (≥ 3) points of (xs, ys) chosen by LTTB, ascending; first and last always kept. */
export function lttbIndices(xs: ArrayLike<number>, ys: ArrayLike<number>, max: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < ys.length; i++) if (Number.isFinite(ys[i]) && Number.isFinite(xs[i])) idx.push(i);
  const n = idx.length;
  if (max < 3) throw new Error(`lttbIndices: max must be ≥ 3, got ${max}`);
  if (n <= max) return idx;
  const out = [idx[0]];
  const every = (n - 2) / (max - 2); // bucket width over the inner points
  let a = 0; // position (in idx) of the point kept last
  for (let b = 0; b < max - 2; b++) {
    // the next bucket's mean is the third vertex
    const ns = Math.floor((b + 1) * every) + 1;
    const ne = Math.min(Math.floor((b + 2) * every) + 1, n);
    let mx = 0;
    let my = 0;
    for (let j = ns; j < ne; j++) {
      mx += xs[idx[j]];
      my += ys[idx[j]];
    }
    const cnt = Math.max(1, ne - ns);
    mx /= cnt;
    my /= cnt;
    const s = Math.floor(b * every) + 1;
    const e = Math.floor((b + 1) * every) + 1;
    const ax = xs[idx[a]];
    const ay = ys[idx[a]];
    let best = -1;
    let pick = s;
    for (let j = s; j < e; j++) {
      const area = Math.abs((ax - mx) * (ys[idx[j]] - ay) - (ax - xs[idx[j]]) * (my - ay));
      if (area > best) {
        best = area;
        pick = j;
      }
    }
    out.push(idx[pick]);
    a = pick;
  }
  out.push(idx[n - 1]);
  return out;
}
