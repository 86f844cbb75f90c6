// Agreement with the Bayes answers (issue 27, DESIGN §4c): the same generated answers are scored against a second
// reference, per family and overall, with exact match's rule (equal up to and including <eos>); no second generation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/base/rng';
import { initBackend } from './backend';
import { EOS_ID, PAD_ID } from './configs';
import { initEncoder } from './encoder';
import { evaluate, generateAnswers, percents, scoreAnswers } from './evaluate';
import { initLlava } from './llava';
import { disposeParams, type Params } from './params';
import { syntheticData, TINY_ENC, tinyModel } from './testing/tiny';

const A = 3;
const E = EOS_ID;
const P = PAD_ID;
/** Rows of token ids [n, A] from short answers (<eos> then <pad>). */
const rows = (...answers: number[][]) =>
  Int32Array.from(answers.flatMap((a) => [...a, E, ...new Array(A - a.length - 1).fill(P)]));

describe('scoreAnswers / percents (pure)', () => {
  // Five samples (indices 0..4), families 0 0 1 1 1; labels drawn, Bayes answers the modes.
  const family = new Uint8Array([0, 0, 1, 1, 1]);
  const labels = rows([8], [9], [10], [10], [11]);
  const bayes = rows([8], [8], [10], [10], [10]);
  const preds = rows([8], [8], [10], [11], [10]);
  const idx = [0, 1, 2, 3, 4];

  it('counts matches per family against either reference', () => {
    expect(scoreAnswers(preds, labels, idx, family, 2, A)).toEqual({ right: [1, 1], counts: [2, 3] });
    expect(scoreAnswers(preds, bayes, idx, family, 2, A)).toEqual({ right: [2, 2], counts: [2, 3] });
  });
  it('percent overall over all samples, per family over its own (NaN without samples)', () => {
    expect(percents([2, 2], [2, 3])).toEqual({ overall: 80, perFamily: [100, (100 * 2) / 3] });
    const none = percents([0, 0, 0], [2, 3, 0]);
    expect(none.overall).toBe(0);
    expect(none.perFamily[2]).toBeNaN();
  });
  it('prediction row i is compared with reference row indices[i]; slots after <eos> are ignored', () => {
    const ref = rows([9], [8, 8]); // sample 1: "8 8 <eos>"
    const p = Int32Array.from([8, 8, E, /* row for sample 0 */ 9, E, 11]); // garbage after <eos> is ignored
    expect(scoreAnswers(p, ref, [1, 0], new Uint8Array([0, 0]), 1, A)).toEqual({ right: [2], counts: [2] });
  });
});

describe('evaluate with bayesIds (cpu)', () => {
  const m = tinyModel();
  const data = syntheticData(TINY_ENC, m, { N: 8, seed: 11 });
  const family = new Uint8Array([0, 1, 0, 1, 0, 1, 2, 2]);
  const idx = [6, 1, 2, 3, 4, 5, 0]; // not in order, one sample left out
  let enc: Params;
  let student: Params;
  beforeAll(async () => {
    await initBackend('cpu');
    enc = initEncoder(TINY_ENC, new Rng(1));
    student = initLlava(m, new Rng(5));
  });
  afterAll(() => {
    disposeParams(enc);
    disposeParams(student);
  });

  it('no bayesIds: no bayes field; bayesIds = the labels: the same numbers; = the answers it gives: 100 %', async () => {
    const model = { config: m, params: student };
    const encoder = { config: TINY_ENC, params: enc };
    const plain = await evaluate(model, encoder, { ...data, family }, idx, 3, { batchSize: 3 });
    expect(plain.bayes).toBeUndefined();
    expect(plain.right.reduce((a, b) => a + b, 0)).toBe(Math.round((plain.overall * idx.length) / 100));

    const same = await evaluate(model, encoder, { ...data, family, bayesIds: data.answerIds }, idx, 3, {
      batchSize: 3,
    });
    expect(same.bayes).toEqual({ overall: same.overall, perFamily: same.perFamily, right: same.right });

    // Bayes answers = what the student says (its own greedy answers, in sample order): agreement is 100 %.
    const own = await generateAnswers(model, encoder, data, idx, { batchSize: 4 });
    const bayesIds = new Int32Array(data.answerIds.length).fill(PAD_ID);
    idx.forEach((k, i) => bayesIds.set(own.subarray(i * m.A, (i + 1) * m.A), k * m.A));
    const r = await evaluate(model, encoder, { ...data, family, bayesIds }, idx, 3, { batchSize: 3 });
    expect(r.bayes!.overall).toBe(100);
    expect(r.bayes!.perFamily).toEqual([100, 100, 100]);
    expect(r.bayes!.right).toEqual(r.counts);
    expect(r.overall).toBe(plain.overall); // the labels' numbers do not change
    expect(Array.from(r.predictions)).toEqual(Array.from(own));
  });
});
