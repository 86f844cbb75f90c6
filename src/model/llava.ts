// The mini-LLaVA language side: mlp2x_gelu projector + causal LM over [image tokens | prompt | <bos> | answer],
// returning answer logits, last hidden states, and last-layer answer→image attention (DESIGN §2; layout in configs.ts).
import * as tf from '@tensorflow/tfjs-core';
import { FieldError } from '../core/base/errors';
import { NORM_EPS } from '../core/kd/kdRef';
import { Rng } from '../core/base/rng';
import { type ModelConfig, PAD_ID, seqLayout, validateModelConfig } from './configs';
import {
  block,
  blockSpecs,
  gelu,
  layerNorm,
  linear,
  linearSpecs,
  lnSpecs,
  NEG_INF,
  offTape,
  slice,
  concatAddPos,
} from './layers';
import { initParams, type Params, type ParamSpecs } from './params';

/**
 * Parameter specs: projector.fc1 (dV→d), projector.fc2 (d→d), lm.embed [V,d], lm.pos [L,d],
 * lm.blocks.i.{ln1,attn.{wq,bq,wk,bk,wv,bv,wo,bo},ln2,mlp.fc1,mlp.fc2}, lm.lnf.{g,b}, lm.head.{w [d,V], b [V]}.
 */
export function llavaSpecs(c: ModelConfig): ParamSpecs {
  validateModelConfig(c);
  const { L } = seqLayout(c);
  let specs: ParamSpecs = {
    ...linearSpecs('projector.fc1', c.dV, c.d),
    ...linearSpecs('projector.fc2', c.d, c.d),
    'lm.embed': { shape: [c.vocabSize, c.d], init: 'normal', std: 0.02 },
    'lm.pos': { shape: [L, c.d], init: 'normal', std: 0.02 },
  };
  for (let i = 0; i < c.layers; i++) specs = { ...specs, ...blockSpecs(`lm.blocks.${i}`, c.d, c.mlpRatio, c.layers) };
  return { ...specs, ...lnSpecs('lm.lnf', c.d), ...linearSpecs('lm.head', c.d, c.vocabSize) };
}

export function initLlava(c: ModelConfig, rng: Rng): Params {
  return initParams(llavaSpecs(c), rng);
}

export interface LlavaOutput {
  logits: tf.Tensor3D; // [B, A, V] at the answer-predicting positions P+Lp+t
  hidden: tf.Tensor3D; // [B, L, d] after the final LN
  hiddenAns: tf.Tensor3D; // [B, A, d] = hidden at positions P+Lp … L-1
  hiddenImg: tf.Tensor3D; // [B, P, d] = hidden at positions 0 … P-1
  attnAnsImg: tf.Tensor3D; // [B, A, P] last-layer attention from answer-predicting positions to image positions, head mean
  logitsAll?: tf.Tensor3D; // [B, L, V] at every position (only with allPositions)
}

/** Additive attention bias [B, 1, L, L]: causal (key ≤ query) and <pad> text keys masked. textIds [B, T]. */
export function attentionBias(c: ModelConfig, textIds: tf.Tensor2D): tf.Tensor4D {
  return offTape(() => {
    const { L, P } = seqLayout(c);
    const B = textIds.shape[0];
    const causal = new Float32Array(L * L);
    for (let q = 0; q < L; q++) for (let k = q + 1; k < L; k++) causal[q * L + k] = NEG_INF;
    const pad = tf.mul(tf.cast(tf.equal(textIds, PAD_ID), 'float32'), NEG_INF); // [B, T]
    const keys = tf.reshape(tf.concat([tf.zeros([B, P]), pad], 1), [B, 1, 1, L]);
    return tf.add(tf.tensor4d(causal, [1, 1, L, L]), keys) as tf.Tensor4D;
  });
}

/**
 * Token embedding as oneHot(ids)·E (wasm has no gather gradient). ids [B, T] int32 → [B, T, d].
 * Trap (measured, tfjs 4.22): wasm's OneHot ignores dtype 'float32' and writes int32 bits (1 → 1.4e-45), so the
 * one-hot is built as int32 and cast.
 */
export function embedTokens(c: ModelConfig, p: Params, ids: tf.Tensor2D): tf.Tensor3D {
  const oneHot = offTape(() => tf.cast(tf.oneHot(ids, c.vocabSize), 'float32')); // [B, T, V], a constant
  return linear(oneHot, p['lm.embed'], undefined, { xConst: true }) as tf.Tensor3D; // [B, T, d]
}

/** Projector mlp2x_gelu: Linear(dV→d) → GELU → Linear(d→d). feats [B, P, dV] → [B, P, d]. */
export function project(p: Params, feats: tf.Tensor3D, featsConst = false): tf.Tensor3D {
  const h = gelu(linear(feats, p['projector.fc1.w'], p['projector.fc1.b'], { xConst: featsConst }));
  return linear(h, p['projector.fc2.w'], p['projector.fc2.b']) as tf.Tensor3D;
}

/**
 * Forward pass. feats [B, P, dV] (encoder output), textIds int32 [B, Lp+A] = [prompt | <bos> | answer[:A-1]]
 * (configs.buildTextIds / makeTextIds). All outputs are fresh tensors owned by the caller.
 */
export function llavaForward(
  c: ModelConfig,
  p: Params,
  feats: tf.Tensor3D,
  textIds: tf.Tensor2D,
  opts: { allPositions?: boolean; featsConst?: boolean } = {}, // featsConst: feats need no gradient (frozen encoder)
): LlavaOutput {
  const { P, A, T, ansStart } = seqLayout(c);
  const [B] = feats.shape;
  if (feats.shape[1] !== P || feats.shape[2] !== c.dV) {
    throw new FieldError({ field: 'feats', expected: `shape [B, ${P}, ${c.dV}]`, got: feats.shape });
  }
  if (textIds.shape[0] !== B || textIds.shape[1] !== T) {
    throw new FieldError({ field: 'textIds', expected: `shape [${B}, ${T}]`, got: textIds.shape });
  }
  return tf.tidy(() => {
    const bias = attentionBias(c, textIds);
    const L = P + T;
    const x0 = concatAddPos([project(p, feats, opts.featsConst), embedTokens(c, p, textIds)], p['lm.pos']); // [B, L, d]
    let x: tf.Tensor = tf.reshape(x0, [B * L, c.d]); // the residual stream, flat [B·L, d]
    let attnMean: tf.Tensor | null = null; // [B, L, L] last layer's attention, head mean
    for (let i = 0; i < c.layers; i++) {
      const r = block(x, p, `lm.blocks.${i}`, c.heads, bias, B, L, i === c.layers - 1);
      x = r.x;
      attnMean = r.attnMean;
    }
    const hidden = tf.reshape(layerNorm(x, p['lm.lnf.g'], p['lm.lnf.b']), [B, L, c.d]) as tf.Tensor3D;
    const hiddenAns = slice(hidden, [0, ansStart, 0], [B, A, c.d]) as tf.Tensor3D;
    const hiddenImg = slice(hidden, [0, 0, 0], [B, P, c.d]) as tf.Tensor3D;
    const attnAnsImg = slice(attnMean!, [0, ansStart, 0], [B, A, P]) as tf.Tensor3D;
    const out: LlavaOutput = { logits: null as unknown as tf.Tensor3D, hidden, hiddenAns, hiddenImg, attnAnsImg };
    if (opts.allPositions) {
      out.logitsAll = linear(hidden, p['lm.head.w'], p['lm.head.b']) as tf.Tensor3D;
      out.logits = slice(out.logitsAll, [0, ansStart, 0], [B, A, c.vocabSize]) as tf.Tensor3D;
    } else {
      out.logits = linear(hiddenAns, p['lm.head.w'], p['lm.head.b']) as tf.Tensor3D;
    }
    return out as unknown as tf.TensorContainer;
  }) as unknown as LlavaOutput;
}

/** Text ids on the device: [prompt | <bos> | answer[:A-1]]. prompt [B, Lp], answer [B, A] int32 → [B, Lp+A]. */
export function makeTextIds(prompt: tf.Tensor2D, answer: tf.Tensor2D, bosId = 1): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, A] = answer.shape;
    const bos = tf.fill([B, 1], bosId, 'int32');
    return tf.concat([prompt, bos, tf.slice(answer, [0, 0], [B, A - 1])], 1) as tf.Tensor2D;
  });
}

/** Affinity S = ĥ_img · ĥ_ansᵀ with ĥ = h/max(‖h‖, NORM_EPS) (DESIGN §3, as losses.affinityLoss). hImg [B,P,d], hAns [B,A,d] → [B,P,A]. */
export function affinityMatrix(hImg: tf.Tensor3D, hAns: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const unit = (h: tf.Tensor3D) =>
      tf.div(h, tf.sqrt(tf.maximum(tf.sum(tf.square(h), -1, true), NORM_EPS * NORM_EPS)));
    return tf.matMul(unit(hImg), unit(hAns), false, true) as tf.Tensor3D;
  });
}
