// AssemblyScript source of the lab's fused LayerNorm on tfjs-wasm's memory: the forward (y, x̂, 1/σ) and the backward
// (dx, dg, db) in one pass over the rows each, instead of ~9 and ~12 kernels. Rows of d floats; f32x4 over d.

/** Σ of d floats at p (f32x4 partial sums, then the tail). */
@inline function rowSum(p: usize, d: i32): f32 {
  let acc = f32x4.splat(0);
  const vec = d & ~3;
  for (let j = 0; j < vec; j += 4) acc = f32x4.add(acc, v128.load(p + <usize>j * 4));
  let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (let j = vec; j < d; j++) s += load<f32>(p + <usize>j * 4);
  return s;
}

/**
 * For each of R rows of x [R, d]: μ = Σx/d, σ² = Σ(x−μ)²/d, rstd = 1/√(σ² + eps), x̂ = (x−μ)·rstd, y = x̂·g + b.
 * Writes y and xhat [R, d] and rstd [R]; g, b [d]. `tmp` holds d floats (x − μ).
 */
export function layerNormForward(x: usize, g: usize, b: usize, y: usize, xhat: usize, rstd: usize, R: i32, d: i32, eps: f32, tmp: usize): void {
  const vec = d & ~3;
  const invD: f32 = 1 / <f32>d;
  for (let r = 0; r < R; r++) {
    const row = <usize>r * <usize>d * 4;
    const mean = rowSum(x + row, d) * invD;
    const mv = f32x4.splat(mean);
    let acc = f32x4.splat(0);
    for (let j = 0; j < vec; j += 4) {
      const c = f32x4.sub(v128.load(x + row + <usize>j * 4), mv);
      v128.store(tmp + <usize>j * 4, c);
      acc = f32x4.add(acc, f32x4.mul(c, c));
    }
    let ss = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
    for (let j = vec; j < d; j++) {
      const c = load<f32>(x + row + <usize>j * 4) - mean;
      store<f32>(tmp + <usize>j * 4, c);
      ss += c * c;
    }
    const rs: f32 = 1 / sqrt<f32>(ss * invD + eps);
    store<f32>(rstd + <usize>r * 4, rs);
    const rv = f32x4.splat(rs);
    for (let j = 0; j < vec; j += 4) {
      const o = <usize>j * 4;
      const xh = f32x4.mul(v128.load(tmp + o), rv);
      v128.store(xhat + row + o, xh);
      v128.store(y + row + o, f32x4.add(f32x4.mul(xh, v128.load(g + o)), v128.load(b + o)));
    }
    for (let j = vec; j < d; j++) {
      const o = <usize>j * 4;
      const xh = load<f32>(tmp + o) * rs;
      store<f32>(xhat + row + o, xh);
      store<f32>(y + row + o, xh * load<f32>(g + o) + load<f32>(b + o));
    }
  }
}

/**
 * The backward of layerNormForward: with dx̂ = dy·g, dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))·rstd per row,
 * dg = Σ_rows dy·x̂ and db = Σ_rows dy. Writes dx [R, d], dg and db [d]. `tmp` holds d floats (dx̂).
 */
export function layerNormBackward(xhat: usize, rstd: usize, g: usize, dy: usize, dx: usize, dg: usize, db: usize, R: i32, d: i32, tmp: usize): void {
  const vec = d & ~3;
  const invD: f32 = 1 / <f32>d;
  memory.fill(dg, 0, <usize>d * 4);
  memory.fill(db, 0, <usize>d * 4);
  for (let r = 0; r < R; r++) {
    const row = <usize>r * <usize>d * 4;
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    for (let j = 0; j < vec; j += 4) {
      const o = <usize>j * 4;
      const dyv = v128.load(dy + row + o);
      const xh = v128.load(xhat + row + o);
      const dxh = f32x4.mul(dyv, v128.load(g + o));
      v128.store(tmp + o, dxh);
      a1 = f32x4.add(a1, dxh);
      a2 = f32x4.add(a2, f32x4.mul(dxh, xh));
      v128.store(dg + o, f32x4.add(v128.load(dg + o), f32x4.mul(dyv, xh)));
      v128.store(db + o, f32x4.add(v128.load(db + o), dyv));
    }
    let s1 = f32x4.extract_lane(a1, 0) + f32x4.extract_lane(a1, 1) + f32x4.extract_lane(a1, 2) + f32x4.extract_lane(a1, 3);
    let s2 = f32x4.extract_lane(a2, 0) + f32x4.extract_lane(a2, 1) + f32x4.extract_lane(a2, 2) + f32x4.extract_lane(a2, 3);
    for (let j = vec; j < d; j++) {
      const o = <usize>j * 4;
      const dyj = load<f32>(dy + row + o);
      const xh = load<f32>(xhat + row + o);
      const dxh = dyj * load<f32>(g + o);
      store<f32>(tmp + o, dxh);
      s1 += dxh;
      s2 += dxh * xh;
      store<f32>(dg + o, load<f32>(dg + o) + dyj * xh);
      store<f32>(db + o, load<f32>(db + o) + dyj);
    }
    const m1 = s1 * invD;
    const m2 = s2 * invD;
    const rs = load<f32>(rstd + <usize>r * 4);
    const m1v = f32x4.splat(m1);
    const m2v = f32x4.splat(m2);
    const rv = f32x4.splat(rs);
    for (let j = 0; j < vec; j += 4) {
      const o = <usize>j * 4;
      const v = f32x4.sub(f32x4.sub(v128.load(tmp + o), m1v), f32x4.mul(v128.load(xhat + row + o), m2v));
      v128.store(dx + row + o, f32x4.mul(v, rv));
    }
    for (let j = vec; j < d; j++) {
      const o = <usize>j * 4;
      store<f32>(dx + row + o, (load<f32>(tmp + o) - m1 - load<f32>(xhat + row + o) * m2) * rs);
    }
  }
}
