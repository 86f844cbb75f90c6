// The golden tiny runs, shared by scripts/goldenExport.ts (which feeds the PyTorch mirror tools/golden/mirror.py) and
// src/model/golden.test.ts: one tiny student per term variant, trained a few steps by the real Trainer, with its inputs.
import * as tf from '@tensorflow/tfjs-core';
import { type DeepPartial, mergeConfig, type TrainConfig } from '../../core/config/config';
import { Rng } from '../../core/base/rng';
import type { SafeTensor } from '../../core/pack/safetensors';
import { type EncoderConfig, encoderGeometry, type ModelConfig } from '../configs';
import { initEncoder } from '../encoder';
import { initLlava } from '../llava';
import { disposeParams, exportParams } from '../params';
import { readStep, type StepNumbers, Trainer } from '../train/trainer';
import { buildHostBatch, type TrainData } from '../train/data';
import { syntheticData, TINY_ENC, tinyConfig, tinyModel } from './tiny';

export const GOLDEN_FORMAT = 'llavadi-lab-golden';
/** Version 2: one block of tensors per variant (`<variant>/…`); version 1 held the `base` variant only. */
export const GOLDEN_VERSION = '2';

/** Student: V 12, d 16, 1 layer, 2 heads, MLP 32; P 4 image tokens, Lp 3 prompt slots, A 4 answer slots (L = 11). */
export const GOLDEN_MODEL: ModelConfig = tinyModel();
/** Online teacher of the `online` and `allPositions` variants: the student's shapes at d 24, weights from Rng(2). */
export const GOLDEN_TEACHER: ModelConfig = tinyModel({ d: 24 });
/** Frozen encoder: 8×8 grey images, 4×4 patches → P 4 features of width dV 8; weights from Rng(1). */
export const GOLDEN_ENC: EncoderConfig = TINY_ENC;

/**
 * The base variant. Seed 1; total = 1·CE + 0.5·fKL at T 2 with the T² factor on cached dense teacher logits; batch 8
 * drawn from 16 labeled + 8 unlabeled samples (unlabeled rows: KD only); lr 1e-2 with 2 warmup steps, then cosine to
 * 0.1·lr at step 5; global-norm clip at 8; Adam β 0.9/0.999, ε 1e-7.
 */
export function goldenConfig(): TrainConfig {
  return tinyConfig({
    seed: 1,
    weights: { ce: 1, seq: 0, kd: 0.5, hidden: 0, affinity: 0, attention: 0 },
    kd: {
      divergence: 'fkl',
      T: 2,
      t2: true,
      normLogits: false,
      topKMode: 'dense',
      source: 'cached',
      allPositions: false,
    },
    optim: {
      lr: 1e-2,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
      clipNorm: 8,
      warmupSteps: 2,
      totalSteps: 5,
      minLrFrac: 0.1,
      batchSize: 8,
    },
    data: { useUnlabeled: true },
    stage1Steps: 0,
  });
}

/** One golden run: a config on top of goldenConfig(), the synthetic targets it reads, and how many steps. */
export interface GoldenVariant {
  name: string;
  steps: number;
  /** dense: teacher logits [N,A,V]; topk: the cached top-K (ids, logits, lse); logitsOnly: dense logits and nothing else. */
  targets: 'dense' | 'topk' | 'logitsOnly';
  teacher: boolean; // an online teacher (GOLDEN_TEACHER from Rng(2)) is passed to the Trainer
  config: TrainConfig;
}

function variant(
  name: string,
  patch: DeepPartial<TrainConfig>,
  o: Partial<Omit<GoldenVariant, 'name' | 'config'>> = {},
): GoldenVariant {
  const base = { weights: { kd: 1 } } as DeepPartial<TrainConfig>;
  return {
    name,
    steps: 3,
    targets: 'dense',
    teacher: false,
    ...o,
    config: mergeConfig(mergeConfig(goldenConfig(), base), patch),
  };
}

/**
 * Every term of DESIGN §3 in at least one variant with a positive weight (so its gradient is pinned as well as its
 * value). Every variant but `base` has cached hidden, affinity and attention targets, so those three terms are also
 * measured (weight 0, forward only) in all of them. On-policy sampling is not mirrored (its draws are the lab's RNG).
 */
export function goldenVariants(): GoldenVariant[] {
  return [
    { name: 'base', steps: 5, targets: 'logitsOnly', teacher: false, config: goldenConfig() },
    variant('rkl', { kd: { divergence: 'rkl' } }),
    variant('jsd', { kd: { divergence: 'jsd', beta: 0.3, T: 1.5 } }),
    variant('tvd', { kd: { divergence: 'tvd', T: 1, t2: false } }),
    variant('sfkl', { kd: { divergence: 'sfkl', alpha: 0.1 } }),
    variant('srkl', { kd: { divergence: 'srkl', alpha: 0.25 } }),
    variant('mse', { kd: { divergence: 'mse' } }),
    variant('normLogits', { kd: { divergence: 'fkl', normLogits: true } }),
    variant('topkRenorm', { kd: { topKMode: 'renorm', topK: 4 } }, { targets: 'topk' }),
    variant('topkTail', { kd: { divergence: 'rkl', topKMode: 'tail', topK: 4, T: 1 } }, { targets: 'topk' }),
    variant('truncatedRenorm', { kd: { topKMode: 'renorm', topK: 3 } }),
    variant('hiddenMse', { weights: { hidden: 1 }, hiddenMode: 'mse' }),
    variant('hiddenCosine', { weights: { hidden: 1 }, hiddenMode: 'cosine' }),
    variant('affinityAttention', { weights: { affinity: 1, attention: 1 } }),
    variant('seq', { weights: { seq: 0.5 } }),
    variant('online', { kd: { source: 'online' }, weights: { hidden: 0.5 } }, { teacher: true }),
    variant(
      'allPositions',
      {
        kd: { source: 'online', allPositions: true, extraPositions: 'image+prompt' },
        weights: { hidden: 0.5, affinity: 0.5, attention: 0.5 },
      },
      { teacher: true },
    ),
  ];
}

/** N 24 samples (data seed 7), first 16 labeled, with the variant's synthetic teacher targets. */
export function goldenData(v: GoldenVariant): TrainData {
  const d = syntheticData(GOLDEN_ENC, GOLDEN_MODEL, {
    N: 24,
    labeled: 16,
    targets: v.targets === 'topk' ? 'topk' : 'dense',
    topK: 4,
  });
  return v.targets === 'logitsOnly' ? { ...d, targets: { logits: d.targets!.logits } } : d;
}

export interface GoldenRun {
  steps: StepNumbers[]; // the tfjs numbers of each step (total, every term, gradNorm, lr, batch …)
  tensors: Record<string, SafeTensor>; // init.*, phi.*, teacher.* and step.<k>.<input> (see goldenRun)
  backend: string;
}

const f32 = (shape: number[], data: Float32Array): SafeTensor => ({ dtype: 'F32', shape, data });
const i32 = (shape: number[], data: Int32Array): SafeTensor => ({ dtype: 'I32', shape, data });

/**
 * Build the variant's student on the active backend and train v.steps steps. Returns the tfjs numbers and, as
 * safetensors tensors, what the mirror needs (absent ones are absent from the variant's data):
 *   init.<param>            F32  every student parameter before step 0 (projector.*, lm.*; weights [in, out])
 *   phi.<param>             F32  φ before step 0 (phi.fc1.*, phi.fc2.*), when the data has a hidden width
 *   teacher.<param>         F32  the online teacher's parameters (teacher variants)
 *   step.<k>.batch          I32  [B]          sample indices of step k
 *   step.<k>.features       F32  [B, P, dV]   frozen-encoder features (the trainer's feature cache rows)
 *   step.<k>.text_ids       I32  [B, Lp+A]    [prompt | <bos> | targets[:A-1]], the LM's text input
 *   step.<k>.targets        I32  [B, A]       kd_ids: ground truth on labeled rows, teacher answer on unlabeled
 *   step.<k>.ce_mask        F32  [B, A]       1 on answer slots up to <eos> of labeled rows
 *   step.<k>.kd_mask        F32  [B, A]       1 on answer slots up to <eos> of every row
 *   step.<k>.teacher_ans    I32  [B, A]       the teacher's greedy answers (seqCE)
 *   step.<k>.teacher_logits F32  [B, A, V]    cached dense teacher logits (T = 1)
 *   step.<k>.topk_ids       I32  [B, A, K]    cached top-K ids; topk_logits F32 [B, A, K]; topk_lse F32 [B, A]
 *   step.<k>.hidden         F32  [B, A, dh]   cached teacher hidden states
 *   step.<k>.affinity       F32  [B, P, A]    cached S_t
 *   step.<k>.attention      F32  [B, A, P]    cached A_t
 */
export async function goldenRun(v: GoldenVariant): Promise<GoldenRun> {
  const cfg = v.config;
  const data = goldenData(v);
  const enc = initEncoder(GOLDEN_ENC, new Rng(1));
  const teacher = v.teacher ? { config: GOLDEN_TEACHER, params: initLlava(GOLDEN_TEACHER, new Rng(2)) } : undefined;
  const tr = new Trainer({
    model: GOLDEN_MODEL,
    encoder: { config: GOLDEN_ENC, params: enc },
    config: cfg,
    data,
    teacher,
  });
  const tensors: Record<string, SafeTensor> = {};
  try {
    for (const [name, p] of Object.entries(await tr.exportModel())) tensors[`init.${name}`] = f32(p.shape, p.data);
    for (const [name, p] of Object.entries(await tr.exportPhi())) tensors[name] = f32(p.shape, p.data); // phi.fc1.w …
    if (teacher)
      for (const [name, p] of Object.entries(await exportParams(teacher.params)))
        tensors[`teacher.${name}`] = f32(p.shape, p.data);
    const feats = (await tr.features!.data()) as Float32Array; // [N, P, dV]
    const { P } = encoderGeometry(GOLDEN_ENC);
    const { dV, Lp, A, vocabSize: V } = GOLDEN_MODEL;
    const labeled = new Set(data.labeled);
    const steps: StepNumbers[] = [];
    for (let k = 0; k < v.steps; k++) {
      const r = await readStep(tr.step());
      steps.push(r);
      const B = r.batch.length;
      const h = buildHostBatch(data, GOLDEN_MODEL, r.batch, labeled, cfg.kd.topK);
      const f = new Float32Array(B * P * dV);
      r.batch.forEach((n, b) => f.set(feats.subarray(n * P * dV, (n + 1) * P * dV), b * P * dV));
      const s = `step.${k}.`;
      tensors[`${s}batch`] = i32([B], Int32Array.from(r.batch));
      tensors[`${s}features`] = f32([B, P, dV], f);
      tensors[`${s}text_ids`] = i32([B, Lp + A], h.textKd);
      tensors[`${s}targets`] = i32([B, A], h.kdIds);
      tensors[`${s}ce_mask`] = f32([B, A], h.ceMask);
      tensors[`${s}kd_mask`] = f32([B, A], h.kdMask);
      if (h.teacherAns) tensors[`${s}teacher_ans`] = i32([B, A], h.teacherAns);
      if (h.logits) tensors[`${s}teacher_logits`] = f32([B, A, V], h.logits);
      if (h.topk) {
        tensors[`${s}topk_ids`] = i32([B, A, h.topk.k], h.topk.ids);
        tensors[`${s}topk_logits`] = f32([B, A, h.topk.k], h.topk.logits);
        tensors[`${s}topk_lse`] = f32([B, A], h.topk.lse);
      }
      if (h.hidden) tensors[`${s}hidden`] = f32([B, A, h.hidden.length / (B * A)], h.hidden);
      if (h.affinity) tensors[`${s}affinity`] = f32([B, P, A], h.affinity);
      if (h.attention) tensors[`${s}attention`] = f32([B, A, P], h.attention);
    }
    return { steps, tensors, backend: tf.getBackend() };
  } finally {
    tr.dispose();
    disposeParams(enc);
    if (teacher) disposeParams(teacher.params);
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
