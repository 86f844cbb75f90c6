// What a training batch needs before the gradient tape: the sequence (ground truth or the student's own samples),
// the answer mask and the online teacher's outputs; and which terms that batch can compute.
import * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../../core/config/config';
import type { Rng } from '../../core/base/rng';
import type { TermName } from '../../core/kd/terms';
import { type ModelConfig, PAD_ID } from '../configs';
import { generateIds } from '../generate';
import { affinityMatrix, llavaForward, type LlavaOutput, makeTextIds } from '../llava';
import type { Params } from '../params';
import type { HostBatch, TeacherTargets } from './data';
import type { PreBatch } from './terms';

/** The trainer's parts prepareBatch reads. teacherOut: a step interceptor's look at the teacher's outputs (faults.ts). */
export interface PrepareContext {
  model: ModelConfig;
  params: Params; // the student
  cfg: TrainConfig;
  teacher: { config: ModelConfig; params: Params } | null; // the online teacher
  sampleRng: Rng; // on-policy sampling
  teacherOut?: (out: LlavaOutput) => LlavaOutput;
}

/** Sequence, masks and online teacher outputs of batch h; feats0 gives the frozen features of sample indices. */
export function prepareBatch(
  x: PrepareContext,
  h: HostBatch,
  onPolicy: boolean,
  feats0: (idx: number[]) => tf.Tensor3D,
): PreBatch {
  const m = x.model;
  const c = x.cfg;
  const needTeacher = onPolicy || c.kd.source === 'online' || c.kd.allPositions;
  let textIds: tf.Tensor2D;
  let ansMask: tf.Tensor2D;
  let feats: tf.Tensor3D | null = null;
  if (onPolicy || needTeacher) feats = tf.tidy(() => feats0(h.idx));
  if (onPolicy) {
    const prompt = tf.tensor2d(h.prompt, [h.B, m.Lp], 'int32');
    const opts = { temperature: c.onPolicy.genTemperature, rng: x.sampleRng };
    const sampled = generateIds(m, x.params, feats!, prompt, opts);
    textIds = makeTextIds(prompt, sampled);
    ansMask = tf.cast(tf.notEqual(sampled, PAD_ID), 'float32') as tf.Tensor2D;
  } else {
    textIds = tf.tensor2d(h.textKd, [h.B, m.Lp + m.A], 'int32');
    ansMask = tf.tensor2d(h.kdMask, [h.B, m.A]);
  }
  let teacher: PreBatch['teacher'] = null;
  if (needTeacher) {
    const t = x.teacher!;
    const out0 = llavaForward(t.config, t.params, feats!, textIds, { allPositions: c.kd.allPositions });
    const out = x.teacherOut ? x.teacherOut(out0) : out0;
    teacher = { out, affinity: affinityMatrix(out.hiddenImg, out.hiddenAns) };
  }
  return { textIds, ansMask, ansMaskHost: onPolicy ? null : h.kdMask, onPolicy, teacher };
}

/** The terms batch h can compute given what was prepared (the rest are NaN by contract). */
export function wantedTerms(
  cfg: TrainConfig,
  targets: TeacherTargets | undefined,
  hasPhi: boolean,
  h: HostBatch,
  pre: PreBatch,
): Record<TermName, boolean> {
  const on = pre.teacher != null;
  return {
    ce: !pre.onPolicy,
    seq: cfg.weights.seq > 0 && h.teacherAns != null,
    kd: on || h.logits != null || (h.topk != null && cfg.kd.topKMode !== 'dense'),
    hidden: hasPhi && (on || targets?.hidden != null),
    affinity: on || targets?.affinity != null,
    attention: on || targets?.attention != null,
  };
}
