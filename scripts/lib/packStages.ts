// The pack build's stages for a teacher with something to teach (issue 27): the teacher's LM pretrained on text first,
// its calibration on val answer rows, and a pretrained student initialisation shipped as student_init.* (DESIGN §4c).
import { calibrationOf } from '../../src/core/kd/calibration';
import type { CalibrationSpec, PretrainSpec, StudentInitSpec } from '../../src/core/pack/pack';
import { deriveSeed, Rng } from '../../src/core/base/rng';
import type { SafeTensor } from '../../src/core/pack/safetensors';
import { EOS_ID, type ModelConfig, PAD_ID } from '../../src/model/configs';
import { initLlava } from '../../src/model/llava';
import { pretrainLm } from '../../src/model/lmPretrain';
import { disposeParams, exportParams, type Params } from '../../src/model/params';
import { Progress } from './cli';

export interface LmStage {
  steps: number; // next-token steps, ≥ 1
  batch: number;
  lr: number;
}

/** Text rows for a language model: prompts [N, Lp] and answers [N, A] (all <pad> for a prompt-only row). */
export interface TextRows {
  prompt: Int32Array;
  answer: Int32Array;
  n: number;
}

/** Rows `idx` of a dataset's prompts and answers; `withAnswers` false keeps the prompts only. */
export function textRows(
  promptIds: Int32Array,
  answerIds: Int32Array,
  Lp: number,
  A: number,
  idx: readonly number[],
  withAnswers = true,
): TextRows {
  const prompt = new Int32Array(idx.length * Lp);
  const answer = new Int32Array(idx.length * A).fill(PAD_ID);
  idx.forEach((n, i) => {
    prompt.set(promptIds.subarray(n * Lp, (n + 1) * Lp), i * Lp);
    if (withAnswers) answer.set(answerIds.subarray(n * A, (n + 1) * A), i * A);
  });
  return { prompt, answer, n: idx.length };
}

/** Concatenate text rows. */
export function joinRows(a: TextRows, b: TextRows): TextRows {
  const cat = (x: Int32Array, y: Int32Array) => {
    const o = new Int32Array(x.length + y.length);
    o.set(x);
    o.set(y, x.length);
    return o;
  };
  return { prompt: cat(a.prompt, b.prompt), answer: cat(a.answer, b.answer), n: a.n + b.n };
}

/** A fresh LM of `model` (seeded) trained on next-token loss over `rows`: the teacher's stage 1, or the student init. */
export async function pretrainedLm(
  model: ModelConfig,
  rows: TextRows,
  st: LmStage,
  seed: number,
  label: string,
): Promise<{ params: Params; loss: number; seconds: number }> {
  const t0 = performance.now();
  const params = initLlava(model, new Rng(deriveSeed(seed, `${label}-init`)));
  const prog = new Progress(label, st.steps);
  const loss = await pretrainLm(model, params, rows.prompt, rows.answer, {
    ...st,
    seed: deriveSeed(seed, label),
    onStep: (s, l) => prog.update(s + 1, `next-token CE ${l.toFixed(4)}`),
  });
  return { params, loss, seconds: (performance.now() - t0) / 1000 };
}

/** The student_init.* tensors and metadata of a pretrained student (weights exported, params freed). */
export async function studentInitTensors(
  model: ModelConfig,
  params: Params,
  spec: Omit<StudentInitSpec, 'config'>,
): Promise<{ tensors: Record<string, SafeTensor>; meta: StudentInitSpec }> {
  const tensors: Record<string, SafeTensor> = {};
  for (const [k, w] of Object.entries(await exportParams(params, 'student_init.')))
    tensors[k] = { dtype: 'F32', shape: w.shape, data: w.data };
  disposeParams(params);
  return { tensors, meta: { config: model as unknown as Record<string, unknown>, ...spec } };
}

export interface CalibrationReport extends CalibrationSpec {
  rows: number; // val answer rows measured
  tokenAccuracy: number; // share of those rows whose argmax is the sampled label's token
  vsLabels: number; // teacher's greedy answers: exact match with the sampled labels on val, percent
  vsBayes: number | null; // … with the Bayes answers, percent (null without them)
}

/**
 * The teacher's calibration on val answer rows: its dense logits at the ground-truth positions [N, A, V] (the pack's
 * teacher_logits) against the sampled label tokens, over the slots up to and including <eos>; and its greedy answers'
 * exact match against the sampled labels and against the Bayes answers.
 */
export function calibrationReport(o: {
  logits: Float32Array;
  answerIds: Int32Array;
  teacherAnswerIds: Int32Array;
  bayesAnswerIds?: Int32Array;
  split: Uint8Array;
  N: number;
  A: number;
  V: number;
  contentOnly?: boolean;
}): CalibrationReport {
  const { N, A, V } = o;
  const rows: number[] = [];
  const targets: number[] = [];
  let same = 0;
  let bayes = 0;
  let nVal = 0;
  const eq = (x: Int32Array, y: Int32Array, n: number) => {
    for (let t = 0; t < A; t++) if (x[n * A + t] !== y[n * A + t]) return false;
    return true;
  };
  for (let n = 0; n < N; n++) {
    if (o.split[n] !== 2) continue;
    nVal++;
    if (eq(o.teacherAnswerIds, o.answerIds, n)) same++;
    if (o.bayesAnswerIds && eq(o.teacherAnswerIds, o.bayesAnswerIds, n)) bayes++;
    for (let t = 0; t < A; t++) {
      const id = o.answerIds[n * A + t];
      if (id === PAD_ID) break;
      if (id === EOS_ID && o.contentOnly) break; // content rows: the answer's words, not its <eos>
      rows.push(n * A + t);
      targets.push(id);
      if (id === EOS_ID) break;
    }
  }
  const z = new Float32Array(rows.length * V);
  rows.forEach((r, i) => z.set(o.logits.subarray(r * V, (r + 1) * V), i * V));
  const c = calibrationOf(z, targets, V);
  return {
    ece: c.ece,
    medianTopProb: c.medianTopProb,
    meanEntropy: c.meanEntropy,
    rows: c.rows,
    tokenAccuracy: c.accuracy,
    vsLabels: (100 * same) / Math.max(1, nVal),
    vsBayes: o.bayesAnswerIds ? (100 * bayes) / Math.max(1, nVal) : null,
  };
}

/** teacher.pretrain of the metadata. */
export const pretrainSpec = (st: LmStage, corpus: string): PretrainSpec => ({
  objective: 'next-token',
  steps: st.steps,
  corpus,
});
