// The loss terms of one batch (DESIGN §3): CE on ground truth, seqCE on teacher answers, a logit divergence
// (dense, top-K cached or truncated on the fly, answer or all positions), hidden via φ, affinity and attention.
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, extraPositionsOf, type KdOptions, type TrainConfig } from '../../core/config/config';
import { TERM_NAMES, type TermName } from '../../core/kd/terms';
import { buildTextIds, type ModelConfig, seqLayout } from '../configs';
import { gelu, linear } from '../layers';
import { type LlavaOutput, llavaForward } from '../llava';
import {
  affinityLoss,
  attentionLoss,
  cePerRow,
  divergencePerRow,
  hiddenPerRow,
  maskedMean,
  topkDivergencePerRow,
  truncateTeacherTopK,
} from '../losses';
import type { Params } from '../params';
import type { HostBatch } from './data';

/** Teacher outputs computed online on the same sequence as the student (constants for the tape). */
export interface TeacherOnline {
  out: LlavaOutput; // logits [B,A,V], hiddenAns [B,A,dT], attnAnsImg [B,A,P], logitsAll? [B,L,V]
  affinity: tf.Tensor3D; // S_t [B,P,A]
}

/** Everything computed before the gradient tape: sequence, masks, teacher outputs. */
export interface PreBatch {
  textIds: tf.Tensor2D; // [B, Lp+A] the sequence the student (and teacher) read
  ansMask: tf.Tensor2D; // [B, A] answer slots up to and incl. <eos>
  ansMaskHost: Float32Array | null; // [B·A] the same on the host (null when the answers were sampled on the device)
  onPolicy: boolean; // textIds hold student samples: no ground-truth CE
  teacher: TeacherOnline | null; // online teacher outputs (source online, allPositions or on-policy)
}

export interface TermContext {
  model: ModelConfig;
  params: Params; // student
  phi: Params | null; // φ: phi.fc1 (d→hp), phi.fc2 (hp→dh)
  cfg: TrainConfig;
  /** Encoder features [n, P, dV] of these samples: a cache gather, or the encoder forward (on the tape) when it trains. */
  feats: (idx: number[]) => tf.Tensor3D;
  /** The features need no gradient (frozen encoder): the projector skips computing one. */
  featsConst: boolean;
  /** Which terms to compute this batch (availability decided by the trainer). */
  want: Record<TermName, boolean>;
}

/** φ(h) = Linear(d→hp) → GELU → Linear(hp→dh). h [..., d] → [..., dh]. */
export function phiForward(phi: Params, h: tf.Tensor): tf.Tensor {
  return linear(gelu(linear(h, phi['phi.fc1.w'], phi['phi.fc1.b'])), phi['phi.fc2.w'], phi['phi.fc2.b']);
}

const nextPow2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/** seqCE: CE on the teacher's answers; rows whose forward sequence differs get a second (bucketed) forward. */
function seqTerm(x: TermContext, h: HostBatch, pre: PreBatch, zs: tf.Tensor2D): tf.Scalar {
  const { A, Lp, vocabSize: V } = x.model;
  const B = h.B;
  const ans = h.teacherAns!;
  const tMask = h.teacherMask!;
  const vals: tf.Tensor1D[] = [];
  const masks: tf.Tensor1D[] = [];
  const diff: number[] = [];
  const m1 = new Float32Array(B * A);
  for (let b = 0; b < B; b++) {
    if (!pre.onPolicy && h.sameAsTeacher![b]) m1.set(tMask.subarray(b * A, (b + 1) * A), b * A);
    else diff.push(b);
  }
  if (diff.length < B) {
    vals.push(cePerRow(zs, tf.tensor1d(ans, 'int32')));
    masks.push(tf.tensor1d(m1));
  }
  if (diff.length > 0) {
    // Bucket the sub-batch to a power of two (≤ B) so that webgl/webgpu compile few shapes; pad rows are masked.
    const n = Math.min(nextPow2(diff.length), B);
    const rows = Array.from({ length: n }, (_, i) => diff[Math.min(i, diff.length - 1)]);
    const prompt = new Int32Array(n * Lp);
    const tgt = new Int32Array(n * A);
    const m2 = new Float32Array(n * A);
    rows.forEach((b, i) => {
      prompt.set(h.prompt.subarray(b * Lp, (b + 1) * Lp), i * Lp);
      tgt.set(ans.subarray(b * A, (b + 1) * A), i * A);
      if (i < diff.length) m2.set(tMask.subarray(b * A, (b + 1) * A), i * A);
    });
    const text = tf.tensor2d(buildTextIds(prompt, tgt, n, Lp, A), [n, Lp + A], 'int32');
    const out2 = llavaForward(x.model, x.params, x.feats(rows.map((b) => h.idx[b])), text, {
      featsConst: x.featsConst,
    });
    vals.push(cePerRow(tf.reshape(out2.logits, [n * A, V]) as tf.Tensor2D, tf.tensor1d(tgt, 'int32')));
    masks.push(tf.tensor1d(m2));
  }
  return maskedMean(tf.concat(vals) as tf.Tensor1D, tf.concat(masks) as tf.Tensor1D);
}

/** The teacher side of the KD rows: dense logits [R, V] (online teacher or the pack's cache) or the cached top-K. */
export type KdTarget =
  | { kind: 'dense'; logits: tf.Tensor2D } // [R, V]
  | { kind: 'topk'; ids: tf.Tensor2D; logits: tf.Tensor2D; lse: tf.Tensor1D }; // [R, k] int32, [R, k], [R]

/** The cached KD target of a host batch at its answer rows (R = B·A): dense logits, else top-K, else null. */
export function cachedKdTarget(h: HostBatch, V: number): KdTarget | null {
  const R = h.kdIds.length; // B·A
  if (h.logits) return { kind: 'dense', logits: tf.tensor2d(h.logits, [R, V]) };
  const t = h.topk;
  if (!t) return null;
  return {
    kind: 'topk',
    ids: tf.tensor2d(t.ids, [R, t.k], 'int32'),
    logits: tf.tensor2d(t.logits, [R, t.k]),
    lse: tf.tensor1d(t.lse),
  };
}

/**
 * The configured logit divergence per row (zs [R, V] student logits vs the target): the one function behind the KD
 * term and every view of it (heatmap, val KD). Dense targets: the full divergence (topKMode dense) or truncated to
 * the teacher's top kd.topK on the fly; a top-K cache: renorm or tail. Throws when the config cannot take the target.
 */
export function kdPerRow(zs: tf.Tensor2D, target: KdTarget, kd: KdOptions): tf.Tensor1D {
  const V = zs.shape[1];
  const o = {
    divergence: kd.divergence,
    T: kd.T,
    t2: kd.t2,
    normLogits: kd.normLogits,
    beta: kd.beta,
    alpha: kd.alpha,
  };
  if (target.kind === 'dense') {
    if (kd.topKMode === 'dense') return divergencePerRow(zs, target.logits, o);
    const t = truncateTeacherTopK(target.logits, Math.min(kd.topK, V));
    return topkDivergencePerRow(zs, t.ids, t.logits, t.lse, o, kd.topKMode);
  }
  if (kd.topKMode === 'dense')
    throw new ConfigError(
      'kd.topKMode',
      "'renorm' or 'tail' (dense needs dense teacher_logits)",
      kd.topKMode,
      'choose renorm or tail',
    );
  return topkDivergencePerRow(zs, target.ids, target.logits, target.lse, o, kd.topKMode);
}

/** Logit divergence term over the answer positions (or all positions with allPositions). */
function kdTerm(x: TermContext, h: HostBatch, pre: PreBatch, out: LlavaOutput): tf.Scalar {
  const { A, vocabSize: V } = x.model;
  const { L, P } = seqLayout(x.model);
  const B = h.B;
  const kd = x.cfg.kd;
  let zs: tf.Tensor2D;
  let mask: tf.Tensor1D | Float32Array;
  let target: KdTarget | null;
  if (kd.allPositions && pre.teacher?.out.logitsAll && out.logitsAll) {
    zs = tf.reshape(out.logitsAll, [B * L, V]) as tf.Tensor2D;
    target = { kind: 'dense', logits: tf.reshape(pre.teacher.out.logitsAll, [B * L, V]) as tf.Tensor2D };
    // [B, L] = [image P | prompt Lp | answer A]; extraPositions picks which non-answer parts join the answer
    const extra = extraPositionsOf(kd);
    const img = extra === 'prompt' ? tf.zeros([B, P]) : tf.ones([B, P]);
    const prompt = extra === 'image' ? tf.zeros([B, x.model.Lp]) : tf.tensor2d(h.promptMask, [B, x.model.Lp]);
    const m = tf.concat([img, prompt, pre.ansMask], 1);
    mask = tf.reshape(m, [B * L]) as tf.Tensor1D;
  } else {
    zs = tf.reshape(out.logits, [B * A, V]) as tf.Tensor2D;
    mask = pre.ansMaskHost ?? (tf.reshape(pre.ansMask, [B * A]) as tf.Tensor1D);
    target = pre.teacher
      ? { kind: 'dense', logits: tf.reshape(pre.teacher.out.logits, [B * A, V]) as tf.Tensor2D }
      : cachedKdTarget(h, V);
  }
  if (!target)
    throw new ConfigError(
      'weights.kd',
      '0: the KD term has no teacher target (no online teacher, no cached logits)',
      'a KD term',
      'set the KD weight to 0 or use the online teacher',
    );
  return maskedMean(kdPerRow(zs, target, kd), mask);
}

/** Terms of one batch: the weighted total, the terms computed so far, and the weight-0 diagnostics still to run. */
export interface BatchTerms {
  total: tf.Scalar | null; // Σ weight · term over the terms with a positive weight; null when none
  terms: Partial<Record<TermName, tf.Scalar>>;
  /**
   * With `defer`, the weight-0 diagnostic terms (DESIGN §3: measured, no gradient) run here, after the gradient,
   * off the tape and from this forward's kept outputs: call it once (it frees those outputs). Null when none.
   */
  diagnostics: (() => Partial<Record<TermName, tf.Scalar>>) | null;
}

/**
 * Compute the wanted terms and the weighted total. Runs inside the gradient tape; teacher outputs in `pre` are
 * constants. `defer`: leave the weight-0 terms for `diagnostics` (on the tape they would only cost kernels).
 */
export function computeTerms(x: TermContext, h: HostBatch, pre: PreBatch, defer = false): BatchTerms {
  const { A, vocabSize: V } = x.model;
  const B = h.B;
  const R = B * A;
  const allPos = x.cfg.kd.allPositions && pre.teacher?.out.logitsAll != null;
  const out = llavaForward(x.model, x.params, x.feats(h.idx), pre.textIds, {
    allPositions: allPos,
    featsConst: x.featsConst,
  });
  const zs = tf.reshape(out.logits, [R, V]) as tf.Tensor2D; // [B·A, V]
  const w = x.want;
  const jobs: Partial<Record<TermName, () => tf.Scalar>> = {};
  const maskCount = pre.ansMaskHost ? pre.ansMaskHost.reduce((a, b) => a + b, 0) : undefined; // Σ ansMask, 0/1 entries
  if (w.ce) jobs.ce = () => maskedMean(cePerRow(zs, tf.tensor1d(h.kdIds, 'int32')), h.ceMask);
  if (w.seq) jobs.seq = () => seqTerm(x, h, pre, zs);
  if (w.kd) jobs.kd = () => kdTerm(x, h, pre, out);
  if (w.hidden && x.phi) {
    jobs.hidden = () => {
      const hs = phiForward(x.phi!, out.hiddenAns);
      const dh = hs.shape[2]!;
      const ht = pre.teacher ? pre.teacher.out.hiddenAns : tf.tensor3d(h.hidden!, [B, A, dh]);
      const vals = hiddenPerRow(
        tf.reshape(hs, [R, dh]) as tf.Tensor2D,
        tf.reshape(ht, [R, dh]) as tf.Tensor2D,
        x.cfg.hiddenMode,
      );
      return maskedMean(vals, pre.ansMaskHost ?? (tf.reshape(pre.ansMask, [R]) as tf.Tensor1D));
    };
  }
  if (w.affinity) {
    jobs.affinity = () => {
      const St = pre.teacher ? pre.teacher.affinity : tf.tensor3d(h.affinity!, [B, x.model.P, A]);
      return affinityLoss(out.hiddenImg, out.hiddenAns, St, pre.ansMask, maskCount);
    };
  }
  if (w.attention) {
    jobs.attention = () => {
      const At = pre.teacher ? pre.teacher.out.attnAnsImg : tf.tensor3d(h.attention!, [B, A, x.model.P]);
      return attentionLoss(out.attnAnsImg, At, pre.ansMask, maskCount);
    };
  }
  const terms: Partial<Record<TermName, tf.Scalar>> = {};
  const later: TermName[] = [];
  let total: tf.Scalar | null = null;
  for (const name of TERM_NAMES) {
    const job = jobs[name];
    if (!job) continue;
    const wt = x.cfg.weights[name];
    if (defer && !(wt > 0)) {
      later.push(name);
      continue;
    }
    const t = (terms[name] = job());
    if (!(wt > 0)) continue;
    const part = wt === 1 ? t : (tf.mul(t, wt) as tf.Scalar); // x·1 = x exactly: no dispatch for a unit weight
    total = total ? (tf.add(total, part) as tf.Scalar) : part;
  }
  let diagnostics: BatchTerms['diagnostics'] = null;
  if (later.length) {
    const kept = [zs, ...Object.values(out).filter((t): t is tf.Tensor => t instanceof tf.Tensor)].map((t) =>
      tf.keep(t),
    );
    diagnostics = () => {
      const r = tf.tidy(() => Object.fromEntries(later.map((n) => [n, jobs[n]!()])) as Record<string, tf.Scalar>);
      tf.dispose(kept);
      return r as Partial<Record<TermName, tf.Scalar>>;
    };
  }
  return { total, terms, diagnostics };
}
