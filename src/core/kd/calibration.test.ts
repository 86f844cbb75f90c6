// calibrationOf by hand: a uniform row, a sure right row, a sure wrong row; the ECE of a perfectly calibrated set is 0.
import { describe, expect, it } from 'vitest';
import { calibrationOf } from './calibration';

describe('calibrationOf', () => {
  it('three rows by hand (V = 2)', () => {
    // row 0: logits 0, 0 → p ½ ½, top ½, argmax 0 (tie: lowest id), target 0 → right; entropy ln 2
    // row 1: ln 3, 0 → p ¾ ¼, argmax 0, target 0 → right; entropy −(¾ ln ¾ + ¼ ln ¼)
    // row 2: ln 3, 0 → p ¾ ¼, argmax 0, target 1 → wrong
    const c = calibrationOf([0, 0, Math.log(3), 0, Math.log(3), 0], [0, 0, 1], 2, 10);
    expect(c.accuracy).toBeCloseTo(2 / 3, 12);
    expect(c.medianTopProb).toBeCloseTo(0.75, 12);
    const h34 = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
    expect(c.meanEntropy).toBeCloseTo((Math.log(2) + 2 * h34) / 3, 12);
    // bins of width 0.1: row 0 in bin 5 (conf ½, acc 1); rows 1, 2 in bin 7 (conf ¾, acc ½)
    expect(c.ece).toBeCloseTo((1 / 3) * 0.5 + (2 / 3) * 0.25, 12);
  });
  it('a calibrated set has ECE 0: four rows at ¾ confidence, three right', () => {
    const z = Array.from({ length: 4 }, () => [Math.log(3), 0]).flat();
    expect(calibrationOf(z, [0, 0, 0, 1], 2).ece).toBeCloseTo(0, 12);
  });
  it('refuses a shape mismatch; no rows gives NaN', () => {
    expect(() => calibrationOf([0, 0, 0], [0], 2)).toThrow(/2 = 2 values expected, got 3/);
    expect(calibrationOf([], [], 2).ece).toBeNaN();
  });
});
