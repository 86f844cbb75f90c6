// AssemblyScript source of the lab's fused exact GELU on tfjs-wasm's memory: forward x·½(1 + erf(x/√2)) and its
// gradient in one f32x4 pass each, instead of ~8 elementwise kernels (Erf and Exp among them) per direction.

// exp: Cephes expf — x = n·ln2 + r, |r| ≤ ½ln2, a degree-6 polynomial in r, times 2ⁿ built from exponent bits in two
// halves (so that subnormal results underflow gradually); exp(x) = 0 below −103.98 and +Inf above 88.72, NaN stays NaN.
@inline export function expv(x0: v128): v128 {
  const x = f32x4.min(f32x4.max(x0, f32x4.splat(-103.97)), f32x4.splat(88.7228));
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
  const n = i32x4.trunc_sat_f32x4_s(fx); // [−150, 128]
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const p1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const p2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  const out = f32x4.mul(f32x4.mul(y, p1), p2);
  const over = f32x4.gt(x0, f32x4.splat(88.7228391));
  const under = f32x4.lt(x0, f32x4.splat(-103.97208));
  return v128.andnot(v128.bitselect(f32x4.splat(Infinity), out, over), under);
}

// erf: Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7), the formula tfjs's webgl and cpu Erf kernels use.
const SQRT1_2: f32 = 0.7071067811865476;
const INV_SQRT_2PI: f32 = 0.3989422804014327;

/** A&S 7.1.26 polynomial in t = 1/(1 + p·|z|), times t: erf(z) = sign(z)·(1 − poly(t)·exp(−z²)). */
@inline function asPoly(az: v128): v128 {
  const t = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), f32x4.mul(f32x4.splat(0.3275911), az)));
  let p = f32x4.splat(1.061405429);
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.453152027));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.421413741));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.284496736));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.254829592));
  return f32x4.mul(p, t);
}

/** GELU of the 4 lanes of xv: stores e, y, φ at ep, yp, pp — all 4 lanes when `four`, else lane 0 only. */
@inline function geluVec(xv: v128, ep: usize, yp: usize, pp: usize, four: bool): void {
  const z = f32x4.mul(xv, f32x4.splat(SQRT1_2));
  const az = f32x4.abs(z);
  const g = expv(f32x4.neg(f32x4.mul(az, az))); // exp(−x²/2)
  const erfAbs = f32x4.sub(f32x4.splat(1), f32x4.mul(asPoly(az), g));
  const ev = f32x4.add(v128.or(erfAbs, v128.and(z, i32x4.splat(0x80000000))), f32x4.splat(1)); // 1 + sign(z)·|erf|
  const yv = f32x4.mul(f32x4.mul(xv, f32x4.splat(0.5)), ev);
  const pv = f32x4.mul(g, f32x4.splat(INV_SQRT_2PI));
  if (four) {
    v128.store(ep, ev);
    v128.store(yp, yv);
    v128.store(pp, pv);
  } else {
    store<f32>(ep, f32x4.extract_lane(ev, 0));
    store<f32>(yp, f32x4.extract_lane(yv, 0));
    store<f32>(pp, f32x4.extract_lane(pv, 0));
  }
}

/**
 * y = ½x·e, e = 1 + erf(x/√2) and φ(x) = exp(−x²/2)/√(2π) for n floats (x, y, e, pdf float32 arrays). The Gaussian
 * that erf's formula needs is φ's, so the backward reuses it instead of a second exp.
 */
export function geluForward(x: usize, y: usize, e: usize, pdf: usize, n: i32): void {
  const vec = n & ~3;
  for (let i = 0; i < vec; i += 4) {
    const o = <usize>i * 4;
    geluVec(v128.load(x + o), e + o, y + o, pdf + o, true);
  }
  for (let i = vec; i < n; i++) {
    const o = <usize>i * 4;
    geluVec(f32x4.splat(load<f32>(x + o)), e + o, y + o, pdf + o, false);
  }
}

/** dx = dy · (½e + x·φ) for n floats, e and φ (pdf) from geluForward. */
export function geluBackward(x: usize, e: usize, pdf: usize, dy: usize, dx: usize, n: i32): void {
  const vec = n & ~3;
  for (let i = 0; i < vec; i += 4) {
    const o = <usize>i * 4;
    const g = f32x4.add(f32x4.mul(v128.load(e + o), f32x4.splat(0.5)), f32x4.mul(v128.load(x + o), v128.load(pdf + o)));
    v128.store(dx + o, f32x4.mul(v128.load(dy + o), g));
  }
  for (let i = vec; i < n; i++) {
    const o = <usize>i * 4;
    store<f32>(dx + o, load<f32>(dy + o) * (load<f32>(e + o) * 0.5 + load<f32>(x + o) * load<f32>(pdf + o)));
  }
}
