// A language model's first stage (issue 27): next-token training of the projector + LM on text alone — prompts and
// answers, image positions filled with zero features — as an LLM is pretrained on text before it learns to answer.
import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed, Rng } from '../core/base/rng';
import { Adam, adamStep } from './adam';
import { BOS_ID, buildTextIds, type ModelConfig, PAD_ID, seqLayout } from './configs';
import { llavaForward } from './llava';
import { cePerRow } from './losses';
import type { Params } from './params';

export interface LmPretrainOptions {
  steps: number; // optimisation steps, ≥ 1
  batch: number; // sequences per step
  lr: number; // Adam learning rate
  seed: number;
  onStep?: (step: number, loss: number) => void; // every 25 steps with the loss (one host read)
}

/**
 * Next-token targets of text rows: in s = [prompt | <bos> | answer] the LM input at text position k (textIds[k]) predicts
 * s[k+1]. The prompt is right-padded, so the last real prompt token predicts <bos> (a question ends, an answer starts)
 * and the pads predict nothing; after <eos> nothing is predicted. prompt [B, Lp], answer [B, A] (all <pad> for a
 * prompt-only row). Returns targets [B·T] and mask [B·T] (1 where a target counts), T = Lp + A.
 */
export function nextTokenTargets(
  prompt: Int32Array,
  answer: Int32Array,
  B: number,
  Lp: number,
  A: number,
): { targets: Int32Array; mask: Float32Array } {
  const T = Lp + A;
  const text = buildTextIds(prompt, answer, B, Lp, A); // [B, T] = [prompt | <bos> | answer[:A-1]]
  const targets = new Int32Array(B * T);
  const mask = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < T; k++) {
      // s = [prompt | <bos> | answer]: s[k+1] is text[k+1] inside the text, answer[A-1] at the last position.
      const input = text[b * T + k];
      const lastPrompt = k < Lp && input !== PAD_ID && (k + 1 === Lp || text[b * T + k + 1] === PAD_ID);
      const next = lastPrompt ? BOS_ID : k + 1 < T ? text[b * T + k + 1] : answer[b * A + A - 1];
      targets[b * T + k] = next;
      mask[b * T + k] = input !== PAD_ID && next !== PAD_ID ? 1 : 0;
    }
  }
  return { targets, mask };
}

/**
 * Train `params` (projector + LM of `c`, in place) on next-token loss over the rows' text: mean CE at the masked text
 * positions (nextTokenTargets), image positions fed zero features. prompt [N, Lp], answer [N, A]. Returns the last loss.
 */
export async function pretrainLm(
  c: ModelConfig,
  params: Params,
  prompt: Int32Array,
  answer: Int32Array,
  o: LmPretrainOptions,
): Promise<number> {
  const { P, Lp, A, T } = seqLayout(c);
  const N = prompt.length / Lp;
  if (!Number.isInteger(N) || answer.length !== N * A)
    throw new Error(`pretrainLm: prompt [N, ${Lp}] and answer [N, ${A}] disagree (${prompt.length}, ${answer.length})`);
  const adam = new Adam(o.lr, 0.9, 0.999, 1e-7);
  const rng = new Rng(deriveSeed(o.seed, 'lm-pretrain-order'));
  let order: number[] = [];
  let last = NaN;
  for (let s = 0; s < o.steps; s++) {
    if (order.length < o.batch) order = order.concat(rng.shuffle([...Array(N).keys()]));
    const idx = order.splice(0, o.batch);
    const B = idx.length;
    const pr = new Int32Array(B * Lp);
    const an = new Int32Array(B * A);
    idx.forEach((n, b) => {
      pr.set(prompt.subarray(n * Lp, (n + 1) * Lp), b * Lp);
      an.set(answer.subarray(n * A, (n + 1) * A), b * A);
    });
    const { targets, mask } = nextTokenTargets(pr, an, B, Lp, A);
    const loss = tf.tidy(() => {
      const textIds = tf.tensor2d(buildTextIds(pr, an, B, Lp, A), [B, T], 'int32');
      const feats = tf.zeros([B, P, c.dV]) as tf.Tensor3D;
      const tgt = tf.tensor1d(targets, 'int32');
      const m = tf.tensor1d(mask);
      const count = Math.max(
        1,
        mask.reduce((x, y) => x + y, 0),
      );
      return adamStep(
        adam,
        params,
        () => {
          const out = llavaForward(c, params, feats, textIds, { allPositions: true, featsConst: true });
          const z = tf.reshape(tf.slice(out.logitsAll!, [0, P, 0], [B, T, c.vocabSize]), [
            B * T,
            c.vocabSize,
          ]) as tf.Tensor2D;
          return tf.div(tf.sum(tf.mul(cePerRow(z, tgt), m)), count) as tf.Scalar;
        },
        1,
      );
    });
    if (s % 25 === 0 || s === o.steps - 1) {
      last = (await loss.data())[0];
      o.onStep?.(s, last);
    }
    loss.dispose();
  }
  adam.dispose();
  return last;
}
