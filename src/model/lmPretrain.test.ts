// The LM's text stage (issue 27): next-token targets and mask by hand, the loss falls on a tiny corpus, the tensor count
// stays flat, and the same seed gives the same weights.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/base/rng';
import { initBackend } from './backend';
import { BOS_ID, EOS_ID, PAD_ID } from './configs';
import { initLlava } from './llava';
import { nextTokenTargets, pretrainLm } from './lmPretrain';
import { disposeParams, exportParams } from './params';
import { tinyModel } from './testing/tiny';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('nextTokenTargets', () => {
  it('prompt [7 8 pad], answer [9 eos pad]: 7→8, 8→<bos>, <bos>→9, 9→<eos>; pads and after <eos> masked', () => {
    const { targets, mask } = nextTokenTargets(
      new Int32Array([7, 8, PAD_ID]),
      new Int32Array([9, EOS_ID, PAD_ID]),
      1,
      3,
      3,
    );
    // text = [7, 8, pad, <bos>, 9, eos]; positions 0..5
    expect(Array.from(targets.slice(0, 2))).toEqual([8, BOS_ID]);
    expect(Array.from(mask)).toEqual([1, 1, 0, 1, 1, 0]); // <eos> (position 5) predicts nothing
    expect(Array.from(targets.slice(3))).toEqual([9, EOS_ID, PAD_ID]);
  });
  it('a prompt-only row (answer all <pad>) still learns the prompt and that it ends', () => {
    const { targets, mask } = nextTokenTargets(new Int32Array([7, 8, 5]), new Int32Array([PAD_ID, PAD_ID]), 1, 3, 2);
    expect(Array.from(targets.slice(0, 3))).toEqual([8, 5, BOS_ID]);
    expect(Array.from(mask)).toEqual([1, 1, 1, 0, 0]);
  });
});

describe('pretrainLm', () => {
  const c = tinyModel({ vocabSize: 12, Lp: 3, A: 3 });
  // a corpus with structure: "a b" → answer "c", "b a" → "d" (ids 4..7)
  const N = 16;
  const prompt = new Int32Array(N * 3);
  const answer = new Int32Array(N * 3);
  for (let n = 0; n < N; n++) {
    prompt.set(n % 2 ? [5, 4, PAD_ID] : [4, 5, PAD_ID], n * 3);
    answer.set([n % 2 ? 7 : 6, EOS_ID, PAD_ID], n * 3);
  }
  it('the loss falls and no tensor leaks', async () => {
    const p = initLlava(c, new Rng(3));
    const losses: number[] = [];
    await pretrainLm(c, p, prompt, answer, { steps: 2, batch: 8, lr: 1e-2, seed: 1 });
    const before = tf.memory().numTensors;
    await pretrainLm(c, p, prompt, answer, {
      steps: 120,
      batch: 8,
      lr: 1e-2,
      seed: 1,
      onStep: (_, l) => losses.push(l),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(losses.at(-1)!).toBeLessThan(0.5 * losses[0]);
    disposeParams(p);
  });
  it('same seed, same weights', async () => {
    const run = async () => {
      const p = initLlava(c, new Rng(3));
      await pretrainLm(c, p, prompt, answer, { steps: 10, batch: 4, lr: 1e-2, seed: 2 });
      const w = await exportParams(p);
      disposeParams(p);
      return w;
    };
    expect(await run()).toEqual(await run());
  });
});
