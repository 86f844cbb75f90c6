// The one table of names the lab's wasm kernels register under: tfjs's own constants for the kernels they override,
// and the lab's own kernels (names tfjs does not have) with their inputs and attributes, as tfjs-core's kernel_names.
import type { NamedTensorInfoMap } from '@tensorflow/tfjs-core';

export {
  BatchMatMul,
  type BatchMatMulAttrs,
  type BatchMatMulInputs,
  Exp,
  Identity,
  Sum,
  type SumAttrs,
} from '@tensorflow/tfjs-core';

/** y = res + (x·W + b): x [R, n], W [n, m], bias [m] and res [R, m] optional. */
export const LabLinear = 'LabLinear';
export type LabLinearInputs = Pick<NamedTensorInfoMap, 'x' | 'w' | 'bias' | 'res'>;

/** Exact GELU: [y, e = 1 + erf(x/√2), φ(x)], each x's shape. */
export const LabGelu = 'LabGelu';
export type LabGeluInputs = Pick<NamedTensorInfoMap, 'x'>;

/** GELU's gradient dx = dy·(½e + x·φ) from LabGelu's e and φ. */
export const LabGeluGrad = 'LabGeluGrad';
export type LabGeluGradInputs = Pick<NamedTensorInfoMap, 'x' | 'e' | 'pdf' | 'dy'>;

/** LayerNorm over the last axis: [y, x̂, rstd = 1/√(σ² + eps) per row]. */
export const LabLayerNorm = 'LabLayerNorm';
export type LabLayerNormInputs = Pick<NamedTensorInfoMap, 'x' | 'g' | 'b'>;
export interface LabLayerNormAttrs {
  eps: number;
}

/** LayerNorm's gradients [dx, dg, db] from the forward's x̂ and rstd. */
export const LabLayerNormGrad = 'LabLayerNormGrad';
export type LabLayerNormGradInputs = Pick<NamedTensorInfoMap, 'xhat' | 'rstd' | 'g' | 'dy'>;

/** Σ g² over the inputs g0 … g(n−1), a float32 scalar. */
export const LabSumSquares = 'LabSumSquares';
export interface LabSumSquaresAttrs {
  n: number;
}

/** One Adam step: inputs g0…, p0…, m, v, ok and optional scale; outputs the n new parameters, then m and v. */
export const LabAdam = 'LabAdam';
export interface LabAdamAttrs {
  n: number; // parameters in the group
  scaled: boolean; // whether input `scale` multiplies each gradient first
  beta1: number; // β1 ∈ [0, 1)
  beta2: number; // β2 ∈ [0, 1)
  epsilon: number; // ε > 0
  lr: number; // learning rate > 0
  t: number; // the group's step count after this step, ≥ 1
}
