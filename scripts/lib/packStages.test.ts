// The pack build's calibration report (issue 27): val rows only, slots up to <eos>, exact match against the sampled
// labels and the Bayes answers, checked on a hand-made case.
import { describe, expect, it } from 'vitest';
import { EOS_ID, PAD_ID } from '../../src/model/configs';
import { calibrationReport, joinRows, textRows } from './packStages';

describe('calibrationReport', () => {
  it('two val samples and one train sample (V 6, A 3)', () => {
    const V = 6;
    const A = 3;
    const N = 3;
    const answerIds = new Int32Array([4, EOS_ID, PAD_ID, 5, EOS_ID, PAD_ID, 4, EOS_ID, PAD_ID]);
    const teacherAnswerIds = new Int32Array([4, EOS_ID, PAD_ID, 4, EOS_ID, PAD_ID, 4, EOS_ID, PAD_ID]);
    const bayesAnswerIds = new Int32Array([4, EOS_ID, PAD_ID, 4, EOS_ID, PAD_ID, 4, EOS_ID, PAD_ID]);
    const logits = new Float32Array(N * A * V);
    const row = (r: number, top: number, z: number) => (logits[r * V + top] = z);
    row(0, 4, 10); // sure of 4: right
    row(1, EOS_ID, 10); // sure of <eos>: right
    row(3, 4, Math.log(3 * 5)); // 4 at p = 15/(15+5) = ¾ over 6 tokens (five at 0): wrong (label 5)
    row(4, EOS_ID, 10);
    const r = calibrationReport({
      logits,
      answerIds,
      teacherAnswerIds,
      bayesAnswerIds,
      split: new Uint8Array([2, 2, 0]),
      N,
      A,
      V,
    });
    expect(r.rows).toBe(4); // train sample and slots after <eos> not counted
    expect(r.tokenAccuracy).toBeCloseTo(3 / 4, 12);
    expect(r.vsLabels).toBe(50);
    expect(r.vsBayes).toBe(100);
    expect(r.medianTopProb).toBeGreaterThan(0.99);
  });
  it('textRows keeps prompts and (optionally) answers; joinRows concatenates', () => {
    const t = textRows(new Int32Array([7, 8, 9, 10]), new Int32Array([4, EOS_ID, 5, EOS_ID]), 2, 2, [1], false);
    expect(Array.from(t.prompt)).toEqual([9, 10]);
    expect(Array.from(t.answer)).toEqual([PAD_ID, PAD_ID]);
    expect(joinRows(t, t).n).toBe(2);
  });
});
