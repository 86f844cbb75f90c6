// AssemblyScript source of the lab's fused Adam update on tfjs-wasm's memory (one pass over every parameter instead of
// ~20 whole-buffer kernels, 4 lanes at a time): the same float32 operations in the same order as Adam.apply's tfjs
// formulation (no fused multiply-add here, in either build: the update stays bit-identical to tfjs's).

/** Σ g² over n float32 arrays (pointers and lengths in `ptrs`/`lens`, i32 each), summed in float32 in order. */
export function sumSquares(ptrs: usize, lens: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  let tail: f32 = 0;
  for (let t = 0; t < n; t++) {
    const p = <usize>load<i32>(ptrs + <usize>t * 4);
    const len = load<i32>(lens + <usize>t * 4);
    const vec = len & ~3;
    for (let i = 0; i < vec; i += 4) {
      const g = v128.load(p + <usize>i * 4);
      acc = f32x4.add(acc, f32x4.mul(g, g));
    }
    for (let i = vec; i < len; i++) {
      const g = load<f32>(p + <usize>i * 4);
      tail += g * g;
    }
  }
  return f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3) + tail;
}

/**
 * For each parameter t < n (pointers in the i32 arrays at gPtrs, pPtrs, outPtrs, lengths at lens), with its slice of
 * the flat moments m, v [Σ lens] at offset Σ lens[<t]:
 *   g ← g·scale;  m₁ = m·β1 + g·(1−β1);  v₁ = v·β2 + g²·(1−β2);  u = (m₁/bc1) / (√(v₁/bc2) + ε) · lr
 *   out ← ok ? p − u : p;  mOut ← ok ? m₁ : m;  vOut ← ok ? v₁ : v
 * (omb1 = 1−β1, omb2 = 1−β2, bc1 = 1−β1ᵗ, bc2 = 1−β2ᵗ, all as the float32 the tfjs formulation rounds them to);
 * ok is the float32 at okPtr (non-zero: apply the step), scale the float32 at scalePtr (0: no clipping scale).
 */
export function adamUpdate(gPtrs: usize, pPtrs: usize, outPtrs: usize, lens: usize, n: i32, m: usize, v: usize, mOut: usize, vOut: usize, okPtr: usize, scalePtr: usize, b1: f32, omb1: f32, b2: f32, omb2: f32, bc1: f32, bc2: f32, eps: f32, lr: f32): void {
  const ok = load<f32>(okPtr) != 0;
  const useScale = scalePtr != 0;
  const scale: f32 = useScale ? load<f32>(scalePtr) : 1;
  const scaleV = f32x4.splat(scale);
  const b1v = f32x4.splat(b1), omb1v = f32x4.splat(omb1), b2v = f32x4.splat(b2), omb2v = f32x4.splat(omb2);
  const bc1v = f32x4.splat(bc1), bc2v = f32x4.splat(bc2), epsv = f32x4.splat(eps), lrv = f32x4.splat(lr);
  let off: usize = 0;
  for (let t = 0; t < n; t++) {
    const g = <usize>load<i32>(gPtrs + <usize>t * 4);
    const p = <usize>load<i32>(pPtrs + <usize>t * 4);
    const o = <usize>load<i32>(outPtrs + <usize>t * 4);
    const len = load<i32>(lens + <usize>t * 4);
    const vec = ok ? len & ~3 : 0;
    // 4 at a time: f32x4 add, mul, div and sqrt round as their scalar forms do (IEEE), so the lanes equal the loop below
    for (let i = 0; i < vec; i += 4) {
      const e = (off + <usize>i) * 4;
      let gi = v128.load(g + <usize>i * 4);
      if (useScale) gi = f32x4.mul(gi, scaleV);
      const mi = v128.load(m + e);
      const vi = v128.load(v + e);
      const m1 = f32x4.add(f32x4.mul(mi, b1v), f32x4.mul(gi, omb1v));
      const v1 = f32x4.add(f32x4.mul(vi, b2v), f32x4.mul(f32x4.mul(gi, gi), omb2v));
      const u = f32x4.mul(f32x4.div(f32x4.div(m1, bc1v), f32x4.add(f32x4.sqrt(f32x4.div(v1, bc2v)), epsv)), lrv);
      v128.store(o + <usize>i * 4, f32x4.sub(v128.load(p + <usize>i * 4), u));
      v128.store(mOut + e, m1);
      v128.store(vOut + e, v1);
    }
    for (let i = vec; i < len; i++) {
      const e = (off + <usize>i) * 4;
      let gi = load<f32>(g + <usize>i * 4);
      if (useScale) gi = gi * scale;
      const mi = load<f32>(m + e);
      const vi = load<f32>(v + e);
      const m1 = mi * b1 + gi * omb1;
      const v1 = vi * b2 + gi * gi * omb2;
      const u = (m1 / bc1 / (sqrt<f32>(v1 / bc2) + eps)) * lr;
      const pi = load<f32>(p + <usize>i * 4);
      store<f32>(o + <usize>i * 4, ok ? pi - u : pi);
      store<f32>(mOut + e, ok ? m1 : mi);
      store<f32>(vOut + e, ok ? v1 : vi);
    }
    off += <usize>len;
  }
}
