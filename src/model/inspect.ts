// What the lab shows besides the training step: teacher-vs-student distributions at the answer positions of one
// sample (the alignment heatmap) and forward-only CE / KD on a fixed val batch (the val loss curve).
import * as tf from '@tensorflow/tfjs-core';
import type { KdOptions } from '../core/config/config';
import type { ModelConfig } from './configs';
import { affinityMatrix, llavaForward } from './llava';
import { cePerRow, maskedMean } from './losses';
import type { Params } from './params';
import { buildHostBatch, type HostBatch, type TrainData } from './train/data';
import { cachedKdTarget, type KdTarget, kdPerRow } from './train/terms';

export interface Alignment {
  k: number; // teacher tokens kept per position
  topIds: Int32Array; // [A, k] the teacher's most likely ids per answer position, descending
  teacher: Float32Array; // [A, k] teacher probabilities p_t = softmax(z_t / T) of those ids (top-K packs: exp(ẑ − lse) at T = 1)
  student: Float32Array; // [A, k] student probabilities p_s = softmax(z_s / T) of the same ids
  divergence: Float32Array; // [A] the configured divergence per position (as the trainer computes it; NaN when unavailable)
}

/** The online teacher, when the lab has one (the views read it where the trainer's KD term does). */
export interface TeacherRef {
  config: ModelConfig;
  params: Params;
}

/**
 * Per-row KD of a teacher-forced batch exactly as the trainer's KD term computes it (train/terms kdPerRow, the same
 * target: the online teacher when kd.source is online or allPositions is on, else the pack's cache). zs [R, V];
 * null when the config cannot take the target (e.g. mse against a top-K cache): the views show no values then.
 */
function kdRows(
  zs: tf.Tensor2D,
  h: HostBatch,
  kd: KdOptions,
  feats: tf.Tensor3D,
  text: tf.Tensor2D,
  teacher?: TeacherRef | null,
): tf.Tensor1D | null {
  const V = zs.shape[1];
  let target: KdTarget | null;
  if (teacher && (kd.source === 'online' || kd.allPositions)) {
    const out = llavaForward(teacher.config, teacher.params, feats, text);
    target = { kind: 'dense', logits: tf.reshape(out.logits, [zs.shape[0], V]) as tf.Tensor2D };
  } else target = cachedKdTarget(h, V);
  if (!target) return null;
  try {
    return kdPerRow(zs, target, kd);
  } catch {
    return null;
  }
}

/**
 * Teacher and student distributions of one sample at its answer positions (teacher-forced on kd_ids).
 * features: [N, P, dV] frozen-encoder features of every sample (Trainer.features).
 */
export async function alignmentOf(
  model: ModelConfig,
  params: Params,
  features: tf.Tensor3D,
  data: TrainData,
  sample: number,
  kd: KdOptions,
  k: number,
  online?: TeacherRef | null,
): Promise<Alignment> {
  const { A, vocabSize: V } = model;
  // The view lists up to the pack's K teacher tokens; the divergence keeps the trainer's kd.topK of them.
  const h = buildHostBatch(data, model, [sample], new Set([sample]), data.targets?.topk?.k ?? kd.topK);
  const hKd = data.targets?.topk ? buildHostBatch(data, model, [sample], new Set([sample]), kd.topK) : h;
  const T = kd.T;
  const [ps, div] = tf.tidy(() => {
    const feats = tf.gather(features, tf.tensor1d([sample], 'int32')) as tf.Tensor3D;
    const text = tf.tensor2d(h.textKd, [1, model.Lp + A], 'int32');
    const out = llavaForward(model, params, feats, text);
    const zs = tf.reshape(out.logits, [A, V]) as tf.Tensor2D;
    const d = kdRows(zs, hKd, kd, feats, text, online);
    return [tf.softmax(tf.div(zs, T)), d ?? tf.fill([A], NaN)];
  });
  const [psHost, divHost] = await Promise.all([
    ps.data() as Promise<Float32Array>,
    div.data() as Promise<Float32Array>,
  ]);
  tf.dispose([ps, div]);

  const kk = Math.max(1, Math.min(k, h.topk ? h.topk.k : V));
  const topIds = new Int32Array(A * kk);
  const teacher = new Float32Array(A * kk);
  const student = new Float32Array(A * kk);
  for (let a = 0; a < A; a++) {
    let ids: number[];
    let probs: number[];
    if (h.logits) {
      const z = h.logits.subarray(a * V, (a + 1) * V);
      let m = -Infinity;
      for (let v = 0; v < V; v++) m = Math.max(m, z[v] / T);
      const e = Array.from(z, (x) => Math.exp(x / T - m));
      const s = e.reduce((x, y) => x + y, 0);
      ids = Array.from({ length: V }, (_, v) => v)
        .sort((x, y) => e[y] - e[x] || x - y)
        .slice(0, kk);
      probs = ids.map((v) => e[v] / s);
    } else if (h.topk) {
      const K = h.topk.k;
      ids = Array.from(h.topk.ids.subarray(a * K, a * K + kk));
      const lg = h.topk.logits.subarray(a * K, a * K + K);
      if (T === 1) probs = Array.from(lg.subarray(0, kk), (x) => Math.exp(x - h.topk!.lse[a]));
      else {
        const m = Math.max(...Array.from(lg, (x) => x / T));
        const e = Array.from(lg, (x) => Math.exp(x / T - m));
        const s = e.reduce((x, y) => x + y, 0);
        probs = e.slice(0, kk).map((x) => x / s);
      }
    } else {
      ids = Array.from({ length: kk }, (_, j) => j);
      probs = ids.map(() => NaN);
    }
    for (let j = 0; j < kk; j++) {
      topIds[a * kk + j] = ids[j];
      teacher[a * kk + j] = probs[j];
      student[a * kk + j] = psHost[a * V + ids[j]];
    }
    if (h.kdMask[a] === 0) divHost[a] = NaN; // after <eos>: no target
  }
  return { k: kk, topIds, teacher, student, divergence: divHost };
}

/** The student teacher-forced on kd_ids for `idx`: its inputs and answer logits zs [n·A, V] (inside a tidy). */
function teacherForced(model: ModelConfig, params: Params, features: tf.Tensor3D, h: HostBatch, idx: number[]) {
  const n = idx.length;
  const feats = tf.gather(features, tf.tensor1d(idx, 'int32')) as tf.Tensor3D; // [n, P, dV]
  const text = tf.tensor2d(h.textKd, [n, model.Lp + model.A], 'int32'); // [n, Lp + A]
  const out = llavaForward(model, params, feats, text);
  const zs = tf.reshape(out.logits, [n * model.A, model.vocabSize]) as tf.Tensor2D; // [n·A, V]
  return { feats, text, zs };
}

/**
 * Forward-only CE (ground truth) and KD (configured divergence vs the pack's targets) on a fixed labeled batch.
 * Returns [w_ce·CE + w_kd·KD, CE, KD] (KD NaN when the pack's targets cannot give it).
 */
export async function valTerms(
  model: ModelConfig,
  params: Params,
  features: tf.Tensor3D,
  data: TrainData,
  indices: number[],
  kd: KdOptions,
  weights: { ce: number; kd: number },
  online?: TeacherRef | null,
): Promise<Float32Array> {
  const h = buildHostBatch(data, model, indices, new Set(indices), kd.topK);
  const v = tf.tidy(() => {
    const { feats, text, zs } = teacherForced(model, params, features, h, indices);
    const mask = tf.tensor1d(h.ceMask);
    const ce = maskedMean(cePerRow(zs, tf.tensor1d(h.kdIds, 'int32')), mask);
    const rows = kdRows(zs, h, kd, feats, text, online);
    const kdv = rows ? maskedMean(rows, tf.tensor1d(h.kdMask)) : tf.scalar(NaN);
    const total = tf.add(tf.mul(ce, weights.ce), weights.kd > 0 ? tf.mul(kdv, weights.kd) : 0);
    return tf.stack([total, ce, kdv]);
  });
  const out = new Float32Array(await v.data());
  v.dispose();
  return out;
}

/**
 * Per-position divergence of several samples at once (the alignment-over-training view): teacher-forced on kd_ids,
 * the configured divergence per answer slot. Returns [S, A] row-major; NaN after <eos> or when unavailable.
 */
export async function divergenceGrid(
  model: ModelConfig,
  params: Params,
  features: tf.Tensor3D,
  data: TrainData,
  samples: number[],
  kd: KdOptions,
  online?: TeacherRef | null,
): Promise<Float32Array> {
  const { A } = model;
  const S = samples.length;
  const h = buildHostBatch(data, model, samples, new Set(samples), kd.topK);
  const div = tf.tidy(() => {
    const { feats, text, zs } = teacherForced(model, params, features, h, samples);
    return kdRows(zs, h, kd, feats, text, online) ?? tf.fill([S * A], NaN);
  });
  const host = new Float32Array(await div.data());
  div.dispose();
  for (let i = 0; i < S * A; i++) if (h.kdMask[i] === 0) host[i] = NaN;
  return host;
}

/**
 * The student's image×answer affinity S = ĥ_img · ĥ_ansᵀ of one sample (DESIGN §3), teacher-forced on kd_ids, as
 * the pack's teacher_affinity is. Returns [P, A] row-major.
 */
export async function studentAffinityOf(
  model: ModelConfig,
  params: Params,
  features: tf.Tensor3D,
  data: TrainData,
  sample: number,
): Promise<Float32Array> {
  const h = buildHostBatch(data, model, [sample], new Set([sample]), data.targets?.topk?.k ?? 1);
  const s = tf.tidy(() => {
    const feats = tf.gather(features, tf.tensor1d([sample], 'int32')) as tf.Tensor3D;
    const out = llavaForward(model, params, feats, tf.tensor2d(h.textKd, [1, model.Lp + model.A], 'int32'));
    return affinityMatrix(out.hiddenImg, out.hiddenAns); // [1, P, A]
  });
  const host = new Float32Array(await s.data());
  s.dispose();
  return host;
}
