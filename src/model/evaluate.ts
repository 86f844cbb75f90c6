// Batched answer generation for a set of samples and exact-match accuracy per question family (in percent):
// a prediction is right when it equals the ground truth up to and including <eos>.
import * as tf from '@tensorflow/tfjs-core';
import { FieldError } from '../core/base/errors';
import { Rng } from '../core/base/rng';
import { type EncoderConfig, EOS_ID, type ModelConfig, PAD_ID } from './configs';
import { encodeImages } from './encoder';
import { generateIds } from './generate';
import type { Params } from './params';

export interface ModelRef {
  config: ModelConfig;
  params: Params;
}
export interface EncoderRef {
  config: EncoderConfig;
  params: Params;
}

export interface GenerateAnswersOptions {
  batchSize?: number; // samples per forward batch (default 64)
  temperature?: number; // 0 (default) = greedy
  seed?: number; // sampling seed when temperature > 0
  features?: tf.Tensor3D | null; // [N, P, dV] precomputed encoder features (Trainer.features) to skip the encoder
}

/**
 * Generate answers for `indices` → Int32Array [n, A] (<eos> then <pad>). One host read per batch. The image tokens come
 * from opts.features when given (a features pack has no encoder: pass encoder null), else from encoder over data.images.
 */
export async function generateAnswers(
  model: ModelRef,
  encoder: EncoderRef | null,
  data: { images?: Uint8Array; promptIds: Int32Array },
  indices: ArrayLike<number>,
  opts: GenerateAnswersOptions = {},
): Promise<Int32Array> {
  const { A, Lp } = model.config;
  const bs = opts.batchSize ?? 64;
  const temperature = opts.temperature ?? 0;
  const rng = temperature > 0 ? new Rng(opts.seed ?? 0) : undefined;
  const n = indices.length;
  if (!opts.features && !(encoder && data.images)) {
    throw new FieldError({
      field: 'opts.features',
      expected: 'precomputed features [N, P, dV], or an encoder and images to compute them',
    });
  }
  const out = new Int32Array(n * A);
  for (let s = 0; s < n; s += bs) {
    const idx = Array.from({ length: Math.min(bs, n - s) }, (_, i) => indices[s + i]);
    const prompt = new Int32Array(idx.length * Lp);
    idx.forEach((k, b) => prompt.set(data.promptIds.subarray(k * Lp, (k + 1) * Lp), b * Lp));
    const ids = tf.tidy(() => {
      const feats = opts.features
        ? (tf.gather(opts.features, tf.tensor1d(idx, 'int32')) as tf.Tensor3D)
        : encodeImages(encoder!.config, encoder!.params, data.images!, idx);
      const p = tf.tensor2d(prompt, [idx.length, Lp], 'int32');
      return generateIds(model.config, model.params, feats, p, { temperature, rng });
    });
    out.set(await ids.data(), s * A);
    ids.dispose();
  }
  return out;
}

/** Exact match of one answer row: equal up to and including the first <eos> (slots after it are ignored). */
export function exactMatch(
  pred: ArrayLike<number>,
  gt: ArrayLike<number>,
  offP: number,
  offG: number,
  A: number,
): boolean {
  for (let t = 0; t < A; t++) {
    const p = pred[offP + t];
    const g = gt[offG + t];
    if (p !== g) return false;
    if (g === EOS_ID || g === PAD_ID) return true;
  }
  return true;
}

export interface EvalResult {
  overall: number; // percent exact match over all samples (NaN if none)
  perFamily: number[]; // percent per family index (NaN for a family without samples)
  counts: number[]; // samples per family
  right: number[]; // exact matches per family (what perFamily is the percent of)
  predictions: Int32Array; // [n, A] generated answers, in `indices` order
  /** Agreement with the Bayes answers (data.bayesIds), the same generated answers scored against a second reference. */
  bayes?: { overall: number; perFamily: number[]; right: number[] };
}

/**
 * Exact matches of generated answers (predictions [n, A], row i for sample indices[i]) against a reference [N, A],
 * per family: right[f] and counts[f]. family: family index per sample [N]. Pure.
 */
export function scoreAnswers(
  predictions: Int32Array,
  reference: Int32Array,
  indices: ArrayLike<number>,
  family: ArrayLike<number>,
  nFamilies: number,
  A: number,
): { right: number[]; counts: number[] } {
  const right = new Array<number>(nFamilies).fill(0);
  const counts = new Array<number>(nFamilies).fill(0);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i];
    const f = family[k];
    if (!(f >= 0 && f < nFamilies)) {
      throw new FieldError({ field: `family[${k}]`, expected: `an index in [0, ${nFamilies})`, got: f });
    }
    counts[f]++;
    if (exactMatch(predictions, reference, i * A, k * A, A)) right[f]++;
  }
  return { right, counts };
}

/** Percent right per family and overall from counts (NaN where there are no samples). */
export function percents(
  right: readonly number[],
  counts: readonly number[],
): { overall: number; perFamily: number[] } {
  const pct = (r: number, c: number) => (c > 0 ? (100 * r) / c : NaN);
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  return { overall: pct(sum(right), sum(counts)), perFamily: right.map((r, f) => pct(r, counts[f])) };
}

/**
 * Greedy exact-match accuracy of `model` on `indices`, per question family. family: family index per sample [N];
 * nFamilies: number of families. answerIds [N, A] ground truth incl. <eos>. bayesIds [N, A] (a pack with ambiguous
 * labels, DESIGN §4c): the generator's most probable answers; the same predictions are also scored against them
 * (`bayes`: how often the student says what the Bayes-optimal answerer says), no second generation.
 */
export async function evaluate(
  model: ModelRef,
  encoder: EncoderRef | null,
  data: {
    images?: Uint8Array;
    promptIds: Int32Array;
    answerIds: Int32Array;
    family: ArrayLike<number>;
    bayesIds?: Int32Array;
  },
  indices: ArrayLike<number>,
  nFamilies: number,
  opts: GenerateAnswersOptions = {},
): Promise<EvalResult> {
  const A = model.config.A;
  const predictions = await generateAnswers(model, encoder, data, indices, { ...opts, temperature: 0 });
  const { right, counts } = scoreAnswers(predictions, data.answerIds, indices, data.family, nFamilies, A);
  const out: EvalResult = { ...percents(right, counts), counts, right, predictions };
  if (data.bayesIds) {
    const b = scoreAnswers(predictions, data.bayesIds, indices, data.family, nFamilies, A);
    out.bayes = { ...percents(b.right, b.counts), right: b.right };
  }
  return out;
}
