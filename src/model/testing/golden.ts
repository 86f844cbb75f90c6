// The golden tiny run, shared by scripts/goldenExport.ts (which feeds the PyTorch mirror) and src/model/golden.test.ts:
// a tiny student at seed 1 trained five steps by the real Trainer, its initial weights and every input each step reads.
import * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../../core/config';
import { Rng } from '../../core/rng';
import type { SafeTensor } from '../../core/safetensors';
import { type EncoderConfig, encoderGeometry, type ModelConfig } from '../configs';
import { initEncoder } from '../encoder';
import { disposeParams } from '../params';
import { readStep, type StepNumbers, Trainer } from '../train/trainer';
import { buildHostBatch, type TrainData } from '../train/data';
import { syntheticData, TINY_ENC, tinyConfig, tinyModel } from './tiny';

export const GOLDEN_STEPS = 5;
export const GOLDEN_FORMAT = 'llavadi-lab-golden';

/** Student: V 12, d 16, 1 layer, 2 heads, MLP 32; P 4 image tokens, Lp 3 prompt slots, A 4 answer slots (L = 11). */
export const GOLDEN_MODEL: ModelConfig = tinyModel();
/** Frozen encoder: 8×8 grey images, 4×4 patches → P 4 features of width dV 8; weights from Rng(1). */
export const GOLDEN_ENC: EncoderConfig = TINY_ENC;

/**
 * Seed 1; total = 1·CE + 0.5·fKL at T 2 with the T² factor on cached dense teacher logits; batch 8 drawn from 16
 * labeled + 8 unlabeled samples (unlabeled rows: KD only); lr 1e-2 with 2 warmup steps, then cosine to 0.1·lr at
 * step 5; global-norm clip at 8 (steps 0–2 clip, 3–4 do not); Adam β 0.9/0.999, ε 1e-7.
 */
export function goldenConfig(): TrainConfig {
  return tinyConfig({
    seed: 1,
    weights: { ce: 1, seq: 0, kd: 0.5, hidden: 0, affinity: 0, attention: 0 },
    kd: { divergence: 'fkl', T: 2, t2: true, normLogits: false, topKMode: 'dense', source: 'cached', allPositions: false },
    optim: { lr: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, clipNorm: 8, warmupSteps: 2, totalSteps: 5, minLrFrac: 0.1, batchSize: 8 },
    data: { useUnlabeled: true },
    stage1Steps: 0,
  });
}

/** N 24 samples (data seed 7), first 16 labeled; only the dense teacher logits [N, A, V] are kept as targets. */
export function goldenData(): TrainData {
  const d = syntheticData(GOLDEN_ENC, GOLDEN_MODEL, { N: 24, labeled: 16, targets: 'dense' });
  return { ...d, targets: { logits: d.targets!.logits } };
}

export interface GoldenRun {
  steps: StepNumbers[]; // the tfjs numbers of steps 0..4 (total, ce, kd, gradNorm, lr, batch …)
  tensors: Record<string, SafeTensor>; // init.<param> and step.<k>.<input> (see goldenRun)
  backend: string;
}

/**
 * Build the golden student on the active backend and train GOLDEN_STEPS steps. Returns the tfjs numbers and, as
 * safetensors tensors, what the mirror needs:
 *   init.<param>           F32  every student parameter before step 0 (projector.*, lm.*; weights [in, out])
 *   step.<k>.batch         I32  [B]          sample indices of step k
 *   step.<k>.features      F32  [B, P, dV]   frozen-encoder features (the trainer's feature cache rows)
 *   step.<k>.text_ids      I32  [B, Lp+A]    [prompt | <bos> | targets[:A-1]], the LM's text input
 *   step.<k>.targets       I32  [B, A]       kd_ids: ground truth on labeled rows, teacher answer on unlabeled
 *   step.<k>.ce_mask       F32  [B, A]       1 on answer slots up to <eos> of labeled rows
 *   step.<k>.kd_mask       F32  [B, A]       1 on answer slots up to <eos> of every row
 *   step.<k>.teacher_logits F32 [B, A, V]    cached teacher logits (T = 1)
 */
export async function goldenRun(): Promise<GoldenRun> {
  const cfg = goldenConfig();
  const data = goldenData();
  const enc = initEncoder(GOLDEN_ENC, new Rng(1));
  const tr = new Trainer({ model: GOLDEN_MODEL, encoder: { config: GOLDEN_ENC, params: enc }, config: cfg, data });
  const tensors: Record<string, SafeTensor> = {};
  try {
    for (const [name, p] of Object.entries(await tr.exportModel())) tensors[`init.${name}`] = { dtype: 'F32', shape: p.shape, data: p.data };
    const feats = (await tr.features!.data()) as Float32Array; // [N, P, dV]
    const { P } = encoderGeometry(GOLDEN_ENC);
    const { dV, Lp, A, vocabSize: V } = GOLDEN_MODEL;
    const labeled = new Set(data.labeled);
    const steps: StepNumbers[] = [];
    for (let k = 0; k < GOLDEN_STEPS; k++) {
      const r = await readStep(tr.step());
      steps.push(r);
      const B = r.batch.length;
      const h = buildHostBatch(data, GOLDEN_MODEL, r.batch, labeled, cfg.kd.topK);
      const f = new Float32Array(B * P * dV);
      r.batch.forEach((n, b) => f.set(feats.subarray(n * P * dV, (n + 1) * P * dV), b * P * dV));
      const s = `step.${k}.`;
      tensors[`${s}batch`] = { dtype: 'I32', shape: [B], data: Int32Array.from(r.batch) };
      tensors[`${s}features`] = { dtype: 'F32', shape: [B, P, dV], data: f };
      tensors[`${s}text_ids`] = { dtype: 'I32', shape: [B, Lp + A], data: h.textKd };
      tensors[`${s}targets`] = { dtype: 'I32', shape: [B, A], data: h.kdIds };
      tensors[`${s}ce_mask`] = { dtype: 'F32', shape: [B, A], data: h.ceMask };
      tensors[`${s}kd_mask`] = { dtype: 'F32', shape: [B, A], data: h.kdMask };
      tensors[`${s}teacher_logits`] = { dtype: 'F32', shape: [B, A, V], data: h.logits! };
    }
    return { steps, tensors, backend: tf.getBackend() };
  } finally {
    tr.dispose();
    disposeParams(enc);
  }
}

/** Float64 [Σx, Σ|x|] of each tensor: a fingerprint of the inputs that survives last-bit backend differences. */
export function inputSums(tensors: Record<string, SafeTensor>): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const name of Object.keys(tensors).sort()) {
    let s = 0;
    let a = 0;
    for (const x of tensors[name].data) {
      s += x;
      a += Math.abs(x);
    }
    out[name] = [s, a];
  }
  return out;
}
