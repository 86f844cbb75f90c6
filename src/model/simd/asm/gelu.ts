// AssemblyScript source of the lab's fused exact GELU on tfjs-wasm's memory: forward x·½(1 + erf(x/√2)) and its
// gradient in one f32x4 pass each, instead of ~8 elementwise kernels (Erf and Exp among them) per direction.

// exp: Cephes expf — x = n·ln2 + r, |r| ≤ ½ln2, a degree-6 polynomial in r, then the exponent bits of 2ⁿ (n clamped to
// the normal range: inputs below −87.3 give ≈ 1.2e-38 instead of a subnormal, above 88.3 the largest finite ≈ 2^127).
function expv(x0: v128): v128 {
  const x = f32x4.min(f32x4.max(x0, f32x4.splat(-87.3)), f32x4.splat(88.3));
  const fx = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(y, r), r), r), f32x4.splat(1));
  const n = i32x4.trunc_sat_f32x4_s(fx);
  const pow2 = i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
  return f32x4.mul(y, pow2);
}

// erf: Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7), the formula tfjs's webgl and cpu Erf kernels use.
function erfv(x: v128): v128 {
  const ax = f32x4.abs(x);
  const t = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), f32x4.mul(f32x4.splat(0.3275911), ax)));
  let p = f32x4.splat(1.061405429);
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.453152027));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.421413741));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.284496736));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.254829592));
  p = f32x4.mul(p, t);
  const y = f32x4.sub(f32x4.splat(1), f32x4.mul(p, expv(f32x4.neg(f32x4.mul(ax, ax)))));
  // sign(x)·y: copy x's sign bit onto y (y ≥ 0)
  return v128.or(y, v128.and(x, i32x4.splat(0x80000000)));
}

const SQRT1_2: f32 = 0.7071067811865476;
const INV_SQRT_2PI: f32 = 0.3989422804014327;

/** y = ½x·e and e = 1 + erf(x/√2) for n floats (x, y, e float32 arrays; the tail past a multiple of 4 included). */
export function geluForward(x: usize, y: usize, e: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i * 4;
    if (i + 4 <= n) {
      const xv = v128.load(x + o);
      const ev = f32x4.add(erfv(f32x4.mul(xv, f32x4.splat(SQRT1_2))), f32x4.splat(1));
      v128.store(e + o, ev);
      v128.store(y + o, f32x4.mul(f32x4.mul(xv, f32x4.splat(0.5)), ev));
    } else {
      for (let j = i; j < n; j++) {
        const xs = load<f32>(x + <usize>j * 4);
        const ev = f32x4.add(erfv(f32x4.splat(xs * SQRT1_2)), f32x4.splat(1));
        const es = f32x4.extract_lane(ev, 0);
        store<f32>(e + <usize>j * 4, es);
        store<f32>(y + <usize>j * 4, xs * 0.5 * es);
      }
    }
  }
}

/** dx = dy · (½e + x·φ(x)), φ(x) = exp(−x²/2)/√(2π), for n floats (e from geluForward). */
export function geluBackward(x: usize, e: usize, dy: usize, dx: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i * 4;
    if (i + 4 <= n) {
      const xv = v128.load(x + o);
      const pdf = f32x4.mul(expv(f32x4.mul(f32x4.mul(xv, xv), f32x4.splat(-0.5))), f32x4.splat(INV_SQRT_2PI));
      const g = f32x4.add(f32x4.mul(v128.load(e + o), f32x4.splat(0.5)), f32x4.mul(xv, pdf));
      v128.store(dx + o, f32x4.mul(v128.load(dy + o), g));
    } else {
      for (let j = i; j < n; j++) {
        const xs = load<f32>(x + <usize>j * 4);
        const pdf = f32x4.extract_lane(expv(f32x4.splat(xs * xs * -0.5)), 0) * INV_SQRT_2PI;
        store<f32>(dx + <usize>j * 4, load<f32>(dy + <usize>j * 4) * (load<f32>(e + <usize>j * 4) * 0.5 + xs * pdf));
      }
    }
  }
}
