// Test cases shared by the kernels' tests (wasmKernels.test.ts: SIMD128 against tfjs; relaxedKernels.test.ts: both
// builds): deterministic inputs, and the fused linear layer's value and gradients on one input.
import * as tf from '@tensorflow/tfjs-core';
import { linear } from '../../layers';

/** A deterministic float32 array of n values in [-1, 1) (an LCG from `seed`). */
export function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** sum(linear(x, W, b, + residual) ⊙ u) and plain x·W on x [2, 5, K], W [K, N], with the gradients of the first for
 *  x, W, b and the residual, as host arrays (read once, by data()): [value, plain, dx, dW, db, dres]. */
export async function fusedLinearCase(K: number, N: number): Promise<number[][]> {
  const x = tf.tensor3d(values(2 * 5 * K, 41), [2, 5, K]);
  const w = tf.tensor2d(values(K * N, 42), [K, N]);
  const b = tf.tensor1d(values(N, 43));
  const r = tf.tensor3d(values(2 * 5 * N, 44), [2, 5, N]);
  const u = tf.tensor3d(values(2 * 5 * N, 45), [2, 5, N]);
  const { value, grads } = tf.valueAndGrads((a: tf.Tensor, c: tf.Tensor, e: tf.Tensor, f: tf.Tensor) =>
    tf.sum(tf.mul(linear(a, c, e, { res: f }), u)),
  )([x, w, b, r]);
  const plain = linear(x, w);
  const out = (await Promise.all([value, plain, ...grads].map((t) => t.data()))).map((d) => Array.from(d));
  tf.dispose([x, w, b, r, u, value, plain, ...grads]);
  return out;
}
