// AssemblyScript source of the lab's elementwise wasm kernels on tfjs-wasm's memory: column sums (a Sum over leading
// axes, e.g. a bias gradient, without tfjs's transpose) and exp (Cephes in f32x4, shared with gelu.ts).
import { expv } from './gelu';

/** out[c] = Σ_r x[r, c] for x [R, C] (rows summed in order, float32), out [C]. */
export function colSum(x: usize, out: usize, R: i32, C: i32): void {
  const vec = C & ~3;
  memory.fill(out, 0, <usize>C * 4);
  for (let r = 0; r < R; r++) {
    const row = x + <usize>r * <usize>C * 4;
    for (let c = 0; c < vec; c += 4) {
      const o = <usize>c * 4;
      v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(row + o)));
    }
    for (let c = vec; c < C; c++) {
      const o = <usize>c * 4;
      store<f32>(out + o, load<f32>(out + o) + load<f32>(row + o));
    }
  }
}

/** y = exp(x) for n floats (Cephes polynomial, see gelu.ts expv: 0 below −103.98, +Inf above 88.72, NaN stays NaN). */
export function expArray(x: usize, y: usize, n: i32): void {
  const vec = n & ~3;
  for (let i = 0; i < vec; i += 4) {
    const o = <usize>i * 4;
    v128.store(y + o, expv(v128.load(x + o)));
  }
  for (let i = vec; i < n; i++) {
    const o = <usize>i * 4;
    store<f32>(y + o, f32x4.extract_lane(expv(f32x4.splat(load<f32>(x + o))), 0));
  }
}

/** out[i, j] ← res[i, j] + (out[i, j] + bias[j]) over out [M, N] (bias [N] or 0 for none, res [M, N] or 0 for none). */
export function biasResidual(out: usize, bias: usize, res: usize, M: i32, N: i32): void {
  const vec = N & ~3;
  for (let i = 0; i < M; i++) {
    const row = <usize>i * <usize>N * 4;
    for (let j = 0; j < vec; j += 4) {
      const o = <usize>j * 4;
      let v = v128.load(out + row + o);
      if (bias != 0) v = f32x4.add(v, v128.load(bias + o));
      if (res != 0) v = f32x4.add(v128.load(res + row + o), v);
      v128.store(out + row + o, v);
    }
    for (let j = vec; j < N; j++) {
      const o = <usize>j * 4;
      let v = load<f32>(out + row + o);
      if (bias != 0) v = v + load<f32>(bias + o);
      if (res != 0) v = load<f32>(res + row + o) + v;
      store<f32>(out + row + o, v);
    }
  }
}
