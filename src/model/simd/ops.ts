// The ops the model calls to run the lab's own wasm kernels (tf.engine().runKernel by their name in kernelNames.ts);
// call them only while wasmKernelsActive() — the kernels are registered at init, so nothing registers here.
import * as tf from '@tensorflow/tfjs-core';
import {
  LabAdam,
  type LabAdamAttrs,
  LabGelu,
  LabGeluGrad,
  LabLayerNorm,
  LabLayerNormGrad,
  LabLinear,
  LabSumSquares,
} from './kernelNames';

/** Adam's hyperparameters for one group's step, as Adam.apply rounds them (JS numbers; wasm takes them as f32). */
export type AdamHyper = Omit<LabAdamAttrs, 'n' | 'scaled'>;

const run = (name: string, inputs: tf.NamedTensorMap, attrs: object = {}) =>
  tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap);

/** y = res + (x·W + b) in one lab kernel. x [R, n], W [n, m], bias [m], res [R, m]. */
export function linearFused(x: tf.Tensor, w: tf.Tensor, bias?: tf.Tensor, res?: tf.Tensor): tf.Tensor {
  const inputs: tf.NamedTensorMap = { x, w };
  if (bias) inputs.bias = bias;
  if (res) inputs.res = res;
  return run(LabLinear, inputs) as tf.Tensor;
}

/** [y, e, φ]: y = ½x·e, e = 1 + erf(x/√2), φ = exp(−x²/2)/√(2π), each x's shape (float32). */
export function geluFused(x: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return run(LabGelu, { x }) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}

/** dx = dy·(½e + x·φ) for e and φ from geluFused. */
export function geluGradFused(x: tf.Tensor, e: tf.Tensor, pdf: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  return run(LabGeluGrad, { x, e, pdf, dy }) as tf.Tensor;
}

/** [y, x̂, rstd] of LayerNorm over x's last axis: y, x̂ x's shape; rstd [rows] = 1/√(σ² + eps). g, b [d]. */
export function layerNormFused(
  x: tf.Tensor,
  g: tf.Tensor,
  b: tf.Tensor,
  eps: number,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return run(LabLayerNorm, { x, g, b }, { eps }) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}

/** [dx, dg, db] for the upstream gradient dy (x's shape), from the forward's x̂ and rstd. */
export function layerNormGradFused(
  xhat: tf.Tensor,
  rstd: tf.Tensor,
  g: tf.Tensor,
  dy: tf.Tensor,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return run(LabLayerNormGrad, { xhat, rstd, g, dy }) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}

/** Σ g² over all of `gs` (float32, summed in order): a scalar. */
export function sumSquares(gs: tf.Tensor[]): tf.Scalar {
  const inputs: tf.NamedTensorMap = {};
  gs.forEach((g, i) => (inputs[`g${i}`] = g));
  return run(LabSumSquares, inputs, { n: gs.length }) as tf.Scalar;
}

/**
 * One Adam step of parameters `ps` (gradients `gs`, same shapes) whose moments are the flat m, v [Σ size]; ok [1]
 * float32 (0 keeps everything as it was), scale a scalar multiplying each gradient first, or null. Returns the new
 * parameters and moments (new tensors; the caller assigns them).
 */
export function fusedAdam(
  gs: tf.Tensor[],
  ps: tf.Tensor[],
  m: tf.Tensor,
  v: tf.Tensor,
  ok: tf.Tensor,
  scale: tf.Scalar | null,
  h: AdamHyper,
): { params: tf.Tensor[]; m: tf.Tensor; v: tf.Tensor } {
  const inputs: tf.NamedTensorMap = { m, v, ok };
  gs.forEach((g, i) => (inputs[`g${i}`] = g));
  ps.forEach((p, i) => (inputs[`p${i}`] = p));
  if (scale) inputs.scale = scale;
  const attrs: LabAdamAttrs = { ...h, n: ps.length, scaled: scale != null };
  const out = run(LabAdam, inputs, attrs) as tf.Tensor[];
  return { params: out.slice(0, ps.length), m: out[ps.length], v: out[ps.length + 1] };
}
