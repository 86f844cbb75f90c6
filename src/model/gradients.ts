// Leaner gradients for the kernels a training step backpropagates through most (registered over tfjs's own, same
// math): no float32→float32 casts, no same-shape reshapes, and 2-D matmul gradients as plain (XNNPACK) matmuls.
import * as tf from '@tensorflow/tfjs-core';
import { sameShape } from './layers';
import { wasmKernelsActive } from './simd';

// Why: tfjs 4.22's stock gradients cast every saved operand to float32 (a Cast + Identity dispatch pair on wasm even
// when it already is), reshape results to the shape they already have, and take a matmul's gradient with transposed
// operands, which the wasm backend runs in a scalar loop ~10× slower than XNNPACK (DESIGN §5). At the lab's sizes
// each dispatch costs ~10 µs, so a step of ~1,400 kernels pays for them as much as for the arithmetic.
// Every gradient here computes the same values as the stock one: casts of float32 tensors and reshapes to the same
// shape are exact no-ops; a transpose is exact; the matmul is the same sum (XNNPACK may order it differently).

type G = tf.Tensor;
const f32 = (x: G): G => (x.dtype === 'float32' ? x : tf.cast(x, 'float32'));

/**
 * g summed over the axes `shape` was broadcast along, in `shape`. When g is the incoming dy itself, the result must
 * still be a new tensor object (the tape disposes an input's gradient when it accumulates onto it, and dy may be the
 * gradient of another input too), so a same-shape reshape is kept there; for a fresh g it is skipped.
 */
function unbroadcast(g: G, shape: number[], fresh: boolean): G {
  const axes = tf.backend_util.getReductionAxes(shape, g.shape);
  const r = axes.length > 0 ? tf.sum(g, axes) : g;
  if (r === g && !fresh) return tf.reshape(r, shape);
  return sameShape(r.shape, shape) ? r : tf.reshape(r, shape);
}

/** Batched (rank > 2) or transposed matmuls keep tfjs's formulation; 2-D ones get explicit transposes. */
function matMulGrad(dy: G, saved: G[], attrs: tf.NamedAttrMap): Record<string, () => G> {
  const [a, b] = saved;
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  const t = (x: G) => tf.transpose(x);
  // The lab's wasm SIMD kernel takes transposed operands at full speed: no explicit transposes there.
  if (a.rank === 2 && b.rank === 2 && !transposeA && !transposeB && !wasmKernelsActive()) {
    // y = a·b: da = dy·bᵀ, db = aᵀ·dy, each a plain matmul after an explicit transpose (XNNPACK path).
    return {
      a: () => tf.matMul(dy as tf.Tensor2D, t(b) as tf.Tensor2D),
      b: () => tf.matMul(t(a) as tf.Tensor2D, dy as tf.Tensor2D),
    };
  }
  if (!transposeA && !transposeB)
    return { a: () => tf.matMul(dy, b, false, true), b: () => tf.matMul(a, dy, true, false) };
  if (!transposeA && transposeB)
    return { a: () => tf.matMul(dy, b, false, false), b: () => tf.matMul(dy, a, true, false) };
  if (transposeA && !transposeB)
    return { a: () => tf.matMul(b, dy, false, true), b: () => tf.matMul(a, dy, false, false) };
  return { a: () => tf.matMul(b, dy, true, true), b: () => tf.matMul(dy, a, true, true) };
}

const LEAN: tf.GradConfig[] = [
  {
    kernelName: 'Add',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved;
      return { a: () => unbroadcast(dy as G, a.shape, false), b: () => unbroadcast(dy as G, b.shape, false) };
    },
  },
  {
    kernelName: 'Sub',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved;
      return { a: () => unbroadcast(dy as G, a.shape, false), b: () => tf.neg(unbroadcast(dy as G, b.shape, true)) };
    },
  },
  {
    kernelName: 'Multiply',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved;
      return {
        a: () => unbroadcast(tf.mul(dy as G, f32(b)), a.shape, true),
        b: () => unbroadcast(tf.mul(dy as G, f32(a)), b.shape, true),
      };
    },
  },
  {
    kernelName: 'RealDiv',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved;
      // y = a / b: da = dy / b, db = −(dy·a)/b² (summed over broadcast axes first, as tfjs does).
      return {
        a: () => unbroadcast(tf.div(dy as G, f32(b)), a.shape, true),
        b: () => tf.neg(tf.div(unbroadcast(tf.mul(dy as G, f32(a)), b.shape, true), tf.square(b))),
      };
    },
  },
  {
    kernelName: 'Square',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return { x: () => tf.mul(dy as G, tf.mul(f32(x), 2)) };
    },
  },
  {
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => matMulGrad(dy as G, saved, attrs as tf.NamedAttrMap),
  },
];

let registered = false;
/** Register the lean gradients over tfjs's (call after tfjs's own are registered; idempotent). */
export function registerLeanGradients(): void {
  if (registered) return;
  for (const g of LEAN) tf.registerGradient(g);
  registered = true;
}
