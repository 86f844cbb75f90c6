// A tiny student and a tiny teacher (encoder training) each overfit 8 examples to CE < 0.05; greedy generation
// of the overfit student reproduces the answers (evaluate → 100 %); seeded sampling is repeatable.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/base/rng';
import { initBackend } from './backend';
import { EOS_ID, PAD_ID } from './configs';
import { encodeImages, initEncoder } from './encoder';
import { evaluate, exactMatch, generateAnswers } from './evaluate';
import { generateIds } from './generate';
import { disposeParams, type Params } from './params';
import { readStep, Trainer } from './train/trainer';
import { syntheticData, TINY_ENC, tinyConfig, tinyModel } from './testing/tiny';

const m = tinyModel();
const data = syntheticData(TINY_ENC, m, { N: 8, seed: 11 });
const batch = [0, 1, 2, 3, 4, 5, 6, 7];
const family = new Uint8Array([0, 1, 0, 1, 0, 1, 2, 2]);

async function overfit(tr: Trainer, maxSteps: number): Promise<number> {
  let ce = Infinity;
  for (let i = 0; i < maxSteps && ce >= 0.05; i++) ce = (await readStep(tr.step(batch))).ce;
  return ce;
}

describe('overfit, generation and evaluation (cpu)', () => {
  let enc: Params;
  let student: Trainer;
  beforeAll(async () => {
    await initBackend('cpu');
    enc = initEncoder(TINY_ENC, new Rng(1));
    student = new Trainer({
      model: m,
      encoder: { config: TINY_ENC, params: enc },
      config: tinyConfig({ optim: { lr: 2e-2 } }),
      data,
    });
  });
  afterAll(() => {
    student.dispose();
    disposeParams(enc);
  });

  it('a tiny student overfits 8 examples to CE < 0.05', async () => {
    expect(await overfit(student, 400)).toBeLessThan(0.05);
  });

  it('a tiny teacher trained with its encoder overfits 8 examples to CE < 0.05', async () => {
    const tm = tinyModel({ d: 24 });
    const own = initEncoder(TINY_ENC, new Rng(2));
    const t = new Trainer({
      model: tm,
      encoder: { config: TINY_ENC, params: own },
      config: tinyConfig({ optim: { lr: 2e-2 } }),
      data,
      trainEncoder: true,
    });
    expect(await overfit(t, 400)).toBeLessThan(0.05);
    t.dispose();
    disposeParams(own);
  });

  it('greedy generation of the overfit student reproduces its answers (100 % exact match)', async () => {
    const model = { config: m, params: student.params };
    const r = await evaluate(model, { config: TINY_ENC, params: enc }, { ...data, family }, batch, 3, { batchSize: 3 });
    expect(r.overall).toBe(100);
    expect(r.perFamily).toEqual([100, 100, 100]);
    expect(r.counts).toEqual([3, 3, 2]);
    expect(Array.from(r.predictions)).toEqual(Array.from(data.answerIds));
    // the cached features give the same answers as encoding the images again
    const viaCache = await generateAnswers(model, { config: TINY_ENC, params: enc }, data, batch, {
      features: student.features,
    });
    expect(Array.from(viaCache)).toEqual(Array.from(r.predictions));
  });

  it('seeded sampling is repeatable and ends every answer properly', async () => {
    const model = { config: m, params: student.params };
    const e = { config: TINY_ENC, params: enc };
    const a = await generateAnswers(model, e, data, batch, { temperature: 3, seed: 5 });
    const b = await generateAnswers(model, e, data, batch, { temperature: 3, seed: 5 });
    const c = await generateAnswers(model, e, data, batch, { temperature: 3, seed: 6 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    for (let n = 0; n < batch.length; n++) {
      let ended = false;
      for (let t = 0; t < m.A; t++) {
        const id = a[n * m.A + t];
        if (ended) expect(id).toBe(PAD_ID);
        else expect(id).not.toBe(PAD_ID);
        if (id === EOS_ID) ended = true;
      }
    }
  });

  it('generateIds leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    const ids = tf.tidy(() => {
      const feats = encodeImages(TINY_ENC, enc, data.images, [0, 1]);
      const prompt = tf.tensor2d(data.promptIds.subarray(0, 2 * m.Lp), [2, m.Lp], 'int32');
      return generateIds(m, student.params, feats, prompt, { temperature: 1, rng: new Rng(1) });
    });
    expect(ids.shape).toEqual([2, m.A]);
    ids.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('exactMatch', () => {
  it('compares up to and including <eos> and ignores later slots', () => {
    const gt = [5, 6, EOS_ID, PAD_ID];
    expect(exactMatch([5, 6, EOS_ID, PAD_ID], gt, 0, 0, 4)).toBe(true);
    expect(exactMatch([5, 6, EOS_ID, 7], gt, 0, 0, 4)).toBe(true);
    expect(exactMatch([5, 6, 7, EOS_ID], gt, 0, 0, 4)).toBe(false);
    expect(exactMatch([5, EOS_ID, PAD_ID, PAD_ID], gt, 0, 0, 4)).toBe(false);
  });
});
