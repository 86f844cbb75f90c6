// Transformer building blocks shared by the vision encoder and the causal LM: linear, LayerNorm, GELU,
// multi-head attention with an additive mask, pre-LN block, and their parameter specs. Pure functions of params.
import * as tf from '@tensorflow/tfjs-core';
import type { Params, ParamSpecs } from './params';

/** Additive mask value for disallowed keys (exp underflows to exactly 0 after the softmax's max shift). */
export const NEG_INF = -1e9;
const LN_EPS = 1e-5;

/**
 * 2-D x·W with a custom gradient built from explicit transposes: dX = dY·(Wᵀ), dW = (Xᵀ)·dY. tfjs's own MatMul
 * gradient uses transposed matmuls, which the wasm backend runs ~10× slower than plain ones (measured, tfjs 4.22:
 * no XNNPACK path for transposed operands).
 */
const matMulPlainGrad = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as tf.Tensor2D[];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy as tf.Tensor2D)];
    },
  };
}) as (x: tf.Tensor, w: tf.Tensor) => tf.Tensor;

/** y = x·W + b over the last axis. x [..., n], W [n, m], b [m] → [..., m]. */
export function linear(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const n = x.shape[x.shape.length - 1];
  const m = w.shape[1]!;
  const lead = x.shape.slice(0, -1);
  let y: tf.Tensor = matMulPlainGrad(tf.reshape(x, [-1, n]), w);
  if (b) y = tf.add(y, b);
  return tf.reshape(y, [...lead, m]);
}

/** LayerNorm over the last axis: (x − mean) / sqrt(var + 1e-5) · g + b (biased variance, as PyTorch). */
export function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  const v = tf.mean(tf.square(xc), -1, true);
  return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(v, LN_EPS))), g), b);
}

/** Exact GELU: x · Φ(x) = ½ x (1 + erf(x / √2)) (PyTorch nn.GELU default). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

/** Specs of a Linear(n→m) under `${prefix}.w` [n,m] and `${prefix}.b` [m]. */
export function linearSpecs(prefix: string, n: number, m: number, std = 1 / Math.sqrt(n)): ParamSpecs {
  return { [`${prefix}.w`]: { shape: [n, m], init: 'normal', std }, [`${prefix}.b`]: { shape: [m], init: 'zeros' } };
}

export function lnSpecs(prefix: string, d: number): ParamSpecs {
  return { [`${prefix}.g`]: { shape: [d], init: 'ones' }, [`${prefix}.b`]: { shape: [d], init: 'zeros' } };
}

/**
 * Pre-LN block parameters under `${prefix}`: ln1, attn.{wq,bq,wk,bk,wv,bv,wo,bo}, ln2, mlp.fc1, mlp.fc2.
 * Weights start at std 1/√fan_in, so attention scores are not all ≈ 0 at init: with GPT-2's fixed 0.02 at these
 * small widths (d = 64–128), q·k starts ~100× too small and training sits on a long plateau before the LM learns
 * to look at the image (measured: CE flat for 1,200 steps on shapes). Output projections are further scaled by
 * 1/√(2·layers) (GPT-2) so the residual stream starts near the identity.
 */
export function blockSpecs(prefix: string, d: number, mlpRatio: number, layers: number): ParamSpecs {
  const std = 1 / Math.sqrt(d);
  const outStd = std / Math.sqrt(2 * Math.max(1, layers));
  const h = d * mlpRatio;
  const a = `${prefix}.attn`;
  return {
    ...lnSpecs(`${prefix}.ln1`, d),
    [`${a}.wq`]: { shape: [d, d], init: 'normal', std },
    [`${a}.bq`]: { shape: [d], init: 'zeros' },
    [`${a}.wk`]: { shape: [d, d], init: 'normal', std },
    [`${a}.bk`]: { shape: [d], init: 'zeros' },
    [`${a}.wv`]: { shape: [d, d], init: 'normal', std },
    [`${a}.bv`]: { shape: [d], init: 'zeros' },
    [`${a}.wo`]: { shape: [d, d], init: 'normal', std: outStd },
    [`${a}.bo`]: { shape: [d], init: 'zeros' },
    ...lnSpecs(`${prefix}.ln2`, d),
    ...linearSpecs(`${prefix}.mlp.fc1`, d, h),
    ...linearSpecs(`${prefix}.mlp.fc2`, h, d, outStd),
  };
}

/** [B, L, d] → [B, H, L, d/H]. */
function splitHeads(x: tf.Tensor, B: number, L: number, H: number): tf.Tensor4D {
  const dh = x.shape[2]! / H;
  return tf.transpose(tf.reshape(x, [B, L, H, dh]), [0, 2, 1, 3]);
}

/**
 * Multi-head self-attention. x [B,L,d]; bias [B or 1, 1, L, L] added to the scores (0 = allowed, NEG_INF = masked)
 * or null (full attention). Returns the output [B,L,d] and the attention probabilities [B,H,L,L].
 */
export function attention(
  x: tf.Tensor,
  p: Params,
  prefix: string,
  heads: number,
  bias: tf.Tensor | null,
): { out: tf.Tensor; probs: tf.Tensor4D } {
  const [B, L, d] = x.shape as [number, number, number];
  const dh = d / heads;
  const q = splitHeads(tf.mul(linear(x, p[`${prefix}.wq`], p[`${prefix}.bq`]), 1 / Math.sqrt(dh)), B, L, heads);
  const k = splitHeads(linear(x, p[`${prefix}.wk`], p[`${prefix}.bk`]), B, L, heads);
  const v = splitHeads(linear(x, p[`${prefix}.wv`], p[`${prefix}.bv`]), B, L, heads);
  let scores: tf.Tensor = tf.matMul(q, k, false, true); // [B,H,L,L]
  if (bias) scores = tf.add(scores, bias);
  const probs = tf.softmax(scores) as tf.Tensor4D;
  const ctx = tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [B, L, d]);
  return { out: linear(ctx, p[`${prefix}.wo`], p[`${prefix}.bo`]), probs };
}

/** Pre-LN block: x + attn(LN1(x)); then x + MLP(LN2(x)) with GELU. x [B,L,d]. */
export function block(
  x: tf.Tensor,
  p: Params,
  prefix: string,
  heads: number,
  bias: tf.Tensor | null,
): { x: tf.Tensor; probs: tf.Tensor4D } {
  const a = attention(layerNorm(x, p[`${prefix}.ln1.g`], p[`${prefix}.ln1.b`]), p, `${prefix}.attn`, heads, bias);
  const x1 = tf.add(x, a.out);
  const h = layerNorm(x1, p[`${prefix}.ln2.g`], p[`${prefix}.ln2.b`]);
  const m = linear(gelu(linear(h, p[`${prefix}.mlp.fc1.w`], p[`${prefix}.mlp.fc1.b`])), p[`${prefix}.mlp.fc2.w`], p[`${prefix}.mlp.fc2.b`]);
  return { x: tf.add(x1, m), probs: a.probs };
}
