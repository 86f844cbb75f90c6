// Tiny model shapes and synthetic pack-like data for the model tests and the step benchmark: random images,
// prompts and answers (answers end in <eos>), with optional random teacher targets of every kind.
import { DEFAULT_CONFIG, type DeepPartial, mergeConfig, type TrainConfig } from '../../core/config/config';
import { Rng } from '../../core/base/rng';
import { type EncoderConfig, EOS_ID, encoderGeometry, type ModelConfig, PAD_ID } from '../configs';
import type { TrainData } from '../train/data';

/** 8×8 grey images, 4×4 patches → P = 4. */
export const TINY_ENC: EncoderConfig = { height: 8, width: 8, channels: 1, patch: 4, dV: 8, layers: 1, heads: 2 };

export function tinyModel(over: Partial<ModelConfig> = {}): ModelConfig {
  return { vocabSize: 12, d: 16, layers: 1, heads: 2, mlpRatio: 2, P: 4, Lp: 3, A: 4, dV: 8, ...over };
}

export function tinyConfig(patch: DeepPartial<TrainConfig> = {}): TrainConfig {
  const base = mergeConfig(DEFAULT_CONFIG, {
    optim: { lr: 1e-2, warmupSteps: 0, totalSteps: 1000, minLrFrac: 1, clipNorm: 1, batchSize: 8 },
  });
  return mergeConfig(base, patch);
}

export interface SyntheticOptions {
  N: number;
  seed?: number;
  labeled?: number; // first `labeled` samples are labeled (default all); the rest are unlabeled
  targets?: 'none' | 'dense' | 'topk' | 'both';
  topK?: number; // K of the top-K targets (default 4)
  hiddenDim?: number; // teacher hidden width of the random hidden targets (default 24)
  teacherAnswers?: 'random' | 'same'; // teacher answers: random, or equal to the ground truth (default random)
  teacherAgree?: number; // with 'random': fraction of labeled samples whose teacher answer equals the ground truth
}

/** Random answer row: 1 … A-1 content tokens (ids ≥ 4), then <eos>, then <pad>. */
function answerRow(rng: Rng, V: number, A: number, out: Int32Array, off: number): void {
  const len = 1 + rng.int(Math.max(1, A - 1));
  for (let t = 0; t < len; t++) out[off + t] = 4 + rng.int(V - 4);
  out[off + len] = EOS_ID;
  for (let t = len + 1; t < A; t++) out[off + t] = PAD_ID;
}

export function syntheticData(enc: EncoderConfig, m: ModelConfig, o: SyntheticOptions): TrainData {
  const rng = new Rng(o.seed ?? 7);
  const { N } = o;
  const { Lp, A, vocabSize: V } = m;
  const { P } = encoderGeometry(enc);
  const images = new Uint8Array(N * enc.height * enc.width * enc.channels);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  const promptIds = new Int32Array(N * Lp);
  for (let n = 0; n < N; n++) {
    const len = 1 + rng.int(Lp);
    for (let t = 0; t < len; t++) promptIds[n * Lp + t] = 4 + rng.int(V - 4);
  }
  const nl = o.labeled ?? N;
  const answerIds = new Int32Array(N * A);
  const teacherAnswerIds = new Int32Array(N * A);
  for (let n = 0; n < N; n++) {
    answerRow(rng, V, A, teacherAnswerIds, n * A);
    if (n < nl) {
      const agree = o.teacherAnswers === 'same' || (o.teacherAgree !== undefined && rng.next() < o.teacherAgree);
      if (agree) answerIds.set(teacherAnswerIds.subarray(n * A, (n + 1) * A), n * A);
      else answerRow(rng, V, A, answerIds, n * A);
    }
  }
  const kdIds = new Int32Array(N * A);
  for (let n = 0; n < N; n++) kdIds.set((n < nl ? answerIds : teacherAnswerIds).subarray(n * A, (n + 1) * A), n * A);
  const idx = Array.from({ length: N }, (_, i) => i);
  const data: TrainData = {
    images,
    promptIds,
    answerIds,
    teacherAnswerIds,
    kdIds,
    labeled: idx.slice(0, nl),
    unlabeled: idx.slice(nl),
  };
  const kind = o.targets ?? 'none';
  if (kind !== 'none') {
    const dh = o.hiddenDim ?? 24;
    const logits = new Float32Array(N * A * V).map(() => 2 * rng.normal());
    const hidden = new Float32Array(N * A * dh).map(() => rng.normal());
    const affinity = new Float32Array(N * P * A).map(() => rng.uniform(-1, 1));
    const attention = new Float32Array(N * A * P);
    for (let r = 0; r < N * A; r++) {
      let s = 0;
      for (let p = 0; p < P; p++) s += attention[r * P + p] = rng.next() + 1e-3;
      for (let p = 0; p < P; p++) attention[r * P + p] /= s;
    }
    data.targets = { hidden, hiddenDim: dh, affinity, attention };
    if (kind === 'dense' || kind === 'both') data.targets.logits = logits;
    if (kind === 'topk' || kind === 'both') data.targets.topk = topkOf(logits, N * A, V, o.topK ?? 4);
  }
  return data;
}

/** Top-K (sorted descending) and full-row logsumexp of dense rows [R, V]. */
export function topkOf(logits: Float32Array, R: number, V: number, k: number) {
  const ids = new Int32Array(R * k);
  const lg = new Float32Array(R * k);
  const lse = new Float32Array(R);
  for (let r = 0; r < R; r++) {
    const row = Array.from(logits.subarray(r * V, (r + 1) * V));
    const order = row.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
    for (let j = 0; j < k; j++) {
      ids[r * k + j] = order[j][1];
      lg[r * k + j] = order[j][0];
    }
    const mx = order[0][0];
    lse[r] = mx + Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0));
  }
  return { ids, logits: lg, lse, k };
}
