// Loads the real MNIST digits from the `mnist` dev dependency through scripts/lib/mnistBank.ts and checks
// counts, labels, pixel ranges and that label-wise mean images look like their digits; then builds a dataset.

import { describe, expect, it } from 'vitest';
import { checkAnswer, generateDataset, TASK_SPECS, validateDigitBank } from '../../src/core/scenes/index';
import { downsampleDigit, loadMnistBank } from './mnistBank';

describe('loadMnistBank', () => {
  const bank = loadMnistBank({ size: TASK_SPECS.digits.digitSize });
  const S = bank.size;

  it("holds the package's 10,000 digits in label order, as valid 10×10 uint8 bitmaps", () => {
    expect(S).toBe(10);
    expect(bank.labels.length).toBe(10_000);
    expect(bank.images.length).toBe(10_000 * S * S);
    validateDigitBank(bank, 10);
    const perLabel = Array.from({ length: 10 }, (_, d) => bank.labels.filter((l) => l === d).length);
    expect(perLabel).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    for (let i = 1; i < bank.labels.length; i++) expect(bank.labels[i]).toBeGreaterThanOrEqual(bank.labels[i - 1]);
  });

  it('normalises every digit to peak ink 255 with a mostly empty background', () => {
    for (const i of [0, 1, 999, 1001, 5000, 9999]) {
      const img = bank.images.subarray(i * S * S, (i + 1) * S * S);
      expect(Math.max(...img)).toBe(255);
      expect(Math.min(...img)).toBe(0);
      const inked = img.filter((v) => v > 64).length / img.length;
      expect(inked).toBeGreaterThan(0.08);
      expect(inked).toBeLessThan(0.7);
    }
  });

  it('has label-consistent mean images: a 0 is a ring with an empty centre, a 1 a central stroke', () => {
    const mean = (d: number): Float64Array => {
      const m = new Float64Array(S * S);
      let n = 0;
      bank.labels.forEach((l, i) => {
        if (l !== d) return;
        n++;
        for (let k = 0; k < S * S; k++) m[k] += bank.images[i * S * S + k];
      });
      return m.map((v) => v / n);
    };
    const at = (m: Float64Array, x: number, y: number): number => m[y * S + x];
    const zero = mean(0);
    const one = mean(1);
    const centre = (m: Float64Array): number => (at(m, 4, 4) + at(m, 5, 4) + at(m, 4, 5) + at(m, 5, 5)) / 4;
    expect(centre(zero)).toBeLessThan(at(zero, 1, 5) * 0.6); // hole vs left side of the ring
    expect(centre(one)).toBeGreaterThan(at(one, 1, 5) * 2); // stroke vs left margin
    expect(centre(one)).toBeGreaterThan(centre(zero) * 2);
  });

  it('rejects a bad size with a message naming the field', () => {
    expect(() => loadMnistBank({ size: 3 })).toThrow(/^size: expected an integer in 4\.\.28, got 3$/);
    expect(() => loadMnistBank({ size: 10.5 })).toThrow(/^size: expected an integer in 4\.\.28, got 10\.5$/);
  });

  it('downsampleDigit returns zeros for a blank digit and keeps a full square full', () => {
    expect(Array.from(downsampleDigit(new Array(784).fill(0), 0, 10)).every((v) => v === 0)).toBe(true);
    const full = downsampleDigit(new Array(784).fill(1), 0, 10);
    // box side 30 (28 + 2 margin) → 3 source px per output px; border outputs see 2/3 ink, corners 4/9
    expect(full[5 * 10 + 5]).toBe(255);
    expect(full[5 * 10]).toBe(Math.round((255 * 2) / 3));
    expect(full[0]).toBe(Math.round((255 * 4) / 9));
  });

  it('feeds the digits task: every answer checks out on real digits', () => {
    const ds = generateDataset({
      task: 'digits',
      seed: 3,
      sizes: { trainLabeled: 60, trainUnlabeled: 0, val: 30, test: 30 },
      digitBank: bank,
    });
    ds.questions.forEach((q, i) => expect(checkAnswer(ds.scenes[i], q.family, q.prompt, q.answer)).toBe(true));
    expect(ds.license).toMatch(/LeCun.*Cortes.*Burges.*Cazala/s);
  });
});
