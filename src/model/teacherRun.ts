// What a trained teacher knows, computed over every sample of a dataset: its greedy answers, the `kd_ids` the
// targets are computed on, and the targets of DESIGN §4 (logits or top-K, last hidden, affinity, attention).
import * as tf from '@tensorflow/tfjs-core';
import { type EncoderConfig, type ModelConfig } from './configs';
import { encodeImages } from './encoder';
import { generateIds } from './generate';
import { affinityMatrix, llavaForward, makeTextIds } from './llava';
import type { Params } from './params';

export interface TeacherOutputs {
  teacherAnswerIds: Int32Array; // [N, A] greedy answers incl. <eos>, <pad> after
  kdIds: Int32Array; // [N, A] ground truth where labeled, teacher answer where not
  logits: Float32Array; // [N, A, V] teacher logits at T = 1 on kd_ids (zeros after <eos>)
  hidden: Float32Array; // [N, A, d] last hidden (after final LN) at the same positions
  affinity: Float32Array; // [N, P, A] S_t
  attention: Float32Array; // [N, A, P] A_t
}

export interface TeacherRunInput {
  encoder: { config: EncoderConfig; params: Params };
  teacher: { config: ModelConfig; params: Params };
  images: Uint8Array; // [N, H, W, C]
  promptIds: Int32Array; // [N, Lp]
  answerIds: Int32Array; // [N, A]; all <pad> where unlabeled
  labeled: (n: number) => boolean; // does sample n have ground truth
  batch?: number; // samples per forward (default 64)
  onProgress?: (done: number, total: number) => void;
}

/** Zero every slot after the first <eos> of ids (pad slots hold no target). x [A·w] per sample, ids [A]. */
function maskAfterEos(x: Float32Array, ids: Int32Array, n: number, A: number, w: number, slotMajor: boolean, P = 0) {
  for (let t = 0; t < A; t++) {
    if (ids[n * A + t] !== 0) continue; // <pad> = 0: no target at this slot
    if (slotMajor) x.fill(0, (n * A + t) * w, (n * A + t + 1) * w);
    else for (let p = 0; p < P; p++) x[(n * P + p) * A + t] = 0; // affinity [N, P, A]
  }
}

/** Run the teacher over every sample: greedy answers, then one forward on kd_ids for all targets. */
export async function computeTeacherOutputs(inp: TeacherRunInput): Promise<TeacherOutputs> {
  const { config: m, params } = inp.teacher;
  const { A, Lp, P, vocabSize: V, d } = m;
  const N = inp.promptIds.length / Lp;
  const B = inp.batch ?? 64;
  const out: TeacherOutputs = {
    teacherAnswerIds: new Int32Array(N * A),
    kdIds: new Int32Array(N * A),
    logits: new Float32Array(N * A * V),
    hidden: new Float32Array(N * A * d),
    affinity: new Float32Array(N * P * A),
    attention: new Float32Array(N * A * P),
  };
  for (let s = 0; s < N; s += B) {
    const idx = Array.from({ length: Math.min(B, N - s) }, (_, i) => s + i);
    const b = idx.length;
    const prompt = inp.promptIds.subarray(s * Lp, (s + b) * Lp);
    const feats = encodeImages(inp.encoder.config, inp.encoder.params, inp.images, idx);
    const promptT = tf.tensor2d(prompt, [b, Lp], 'int32');
    const gen = generateIds(m, params, feats, promptT, { temperature: 0 });
    const genIds = (await gen.data()) as Int32Array;
    gen.dispose();
    out.teacherAnswerIds.set(genIds, s * A);
    for (let i = 0; i < b; i++) {
      const n = s + i;
      const src = inp.labeled(n) ? inp.answerIds.subarray(n * A, (n + 1) * A) : genIds.subarray(i * A, (i + 1) * A);
      out.kdIds.set(src, n * A);
    }
    const kd = tf.tensor2d(out.kdIds.subarray(s * A, (s + b) * A), [b, A], 'int32');
    const [lg, hd, af, at] = tf.tidy(() => {
      const o = llavaForward(m, params, feats, makeTextIds(promptT, kd));
      return [o.logits, o.hiddenAns, affinityMatrix(o.hiddenImg, o.hiddenAns), o.attnAnsImg];
    });
    out.logits.set((await lg.data()) as Float32Array, s * A * V);
    out.hidden.set((await hd.data()) as Float32Array, s * A * d);
    out.affinity.set((await af.data()) as Float32Array, s * P * A);
    out.attention.set((await at.data()) as Float32Array, s * A * P);
    tf.dispose([lg, hd, af, at, kd, promptT, feats]);
    for (let i = 0; i < b; i++) {
      const n = s + i;
      maskAfterEos(out.logits, out.kdIds, n, A, V, true);
      maskAfterEos(out.hidden, out.kdIds, n, A, d, true);
      maskAfterEos(out.attention, out.kdIds, n, A, P, true);
      maskAfterEos(out.affinity, out.kdIds, n, A, 0, false, P);
    }
    inp.onProgress?.(s + b, N);
  }
  return out;
}
