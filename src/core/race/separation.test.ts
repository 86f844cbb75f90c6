// The separation rule (core/separation.ts): the binomial 95 % interval of a difference of two exact matches, and the
// first evaluation where two of a race's lanes differ by more than it.
import { describe, expect, it } from 'vitest';
import {
  firstSeparation,
  latestGap,
  SEPARATION_HOLD,
  separated,
  separationMargin,
  sharedSteps,
  widestPair,
} from './separation';

describe('separationMargin', () => {
  it('is 1.96·√(p₁(1−p₁)/n + p₂(1−p₂)/n) in points', () => {
    // 50 % vs 50 % on 250: 1.96·√(0.5/250) = 0.08765 → 8.77 points
    expect(separationMargin(50, 50, 250)).toBeCloseTo(100 * 1.96 * Math.sqrt(0.5 / 250), 10);
    expect(separationMargin(40, 60, 100)).toBeCloseTo(100 * 1.96 * Math.sqrt((0.24 + 0.24) / 100), 10);
  });
  it('is 0 at 0 % and 100 %, and infinite with no samples', () => {
    expect(separationMargin(0, 100, 250)).toBe(0);
    expect(separationMargin(50, 50, 0)).toBe(Infinity);
  });
});

describe('separated', () => {
  it('needs a gap beyond the interval', () => {
    // at 250 samples near 40 %: interval ≈ 8.6 points
    expect(separated(40, 48, 250)).toBe(false);
    expect(separated(40, 49.5, 250)).toBe(true);
    expect(separated(49.5, 40, 250)).toBe(true); // symmetric
  });
  it('tightens with more samples', () => {
    expect(separated(40, 45, 250)).toBe(false);
    expect(separated(40, 45, 5000)).toBe(true);
  });
  it('is false for equal or non-finite scores', () => {
    expect(separated(0, 0, 250)).toBe(false);
    expect(separated(30, 30, 250)).toBe(false);
    expect(separated(Number.NaN, 90, 250)).toBe(false);
  });
});

const curve = (pairs: [number, number][]) => pairs.map(([step, acc]) => ({ step, acc }));

describe('firstSeparation', () => {
  it('finds the first evaluation where two lanes separate, higher lane first', () => {
    const a = curve([
      [10, 20],
      [20, 30],
      [30, 35],
      [40, 36],
      [50, 37],
    ]);
    const b = curve([
      [10, 21],
      [20, 33],
      [30, 47],
      [40, 50],
      [50, 52],
    ]);
    const s = firstSeparation([a, b], 250);
    expect(s).not.toBeNull();
    expect(s?.step).toBe(30);
    expect(s?.lanes).toEqual([1, 0]);
    expect(s?.acc).toEqual([47, 35]);
    expect(s?.gap).toBe(12);
    expect(s?.margin).toBeCloseTo(separationMargin(47, 35, 250), 12);
  });
  it('is null while no pair separates, and for a single lane', () => {
    const a = curve([
      [10, 20],
      [20, 30],
    ]);
    const b = curve([
      [10, 21],
      [20, 33],
    ]);
    expect(firstSeparation([a, b], 250)).toBeNull();
    expect(
      firstSeparation(
        [
          curve([
            [10, 0],
            [20, 100],
          ]),
        ],
        250,
      ),
    ).toBeNull();
    expect(firstSeparation([], 250)).toBeNull();
  });
  it('a gap beyond the interval that does not hold for 3 evaluations in a row is no separation', () => {
    // the measured ce-vs-kd case: 36.4 against 27.6 % at step 30 (interval ±8.1), side by side from step 40 on
    const a = curve([
      [10, 20],
      [20, 25],
      [30, 36.4],
      [40, 37],
      [50, 38],
      [60, 39],
    ]);
    const b = curve([
      [10, 21],
      [20, 24],
      [30, 27.6],
      [40, 36],
      [50, 39],
      [60, 38],
    ]);
    expect(firstSeparation([a, b], 250)).toBeNull();
    expect(firstSeparation([a, b], 250, 1)?.step).toBe(30); // the first-crossing reading
    expect(SEPARATION_HOLD).toBe(3);
  });
  it('among four lanes picks the pair furthest beyond its interval', () => {
    const s = firstSeparation([curve([[50, 30]]), curve([[50, 42]]), curve([[50, 31]]), curve([[50, 60]])], 250, 1);
    expect(s?.lanes).toEqual([3, 0]);
    expect(s?.acc).toEqual([60, 30]);
  });
  it('compares only steps both lanes were evaluated at', () => {
    const a = curve([
      [10, 10],
      [20, 12],
    ]);
    const b = curve([
      [20, 13],
      [30, 90],
    ]);
    expect(sharedSteps([a, b])).toEqual([20]);
    expect(firstSeparation([a, b], 250)).toBeNull();
  });
});

describe('latestGap', () => {
  it('quotes the latest shared evaluation even when not separated', () => {
    const g = latestGap(
      [
        curve([
          [10, 20],
          [20, 30],
        ]),
        curve([
          [10, 21],
          [20, 33],
        ]),
      ],
      250,
    );
    expect(g?.step).toBe(20);
    expect(g?.gap).toBe(3);
    expect(g && g.gap < g.margin).toBe(true);
    expect(latestGap([curve([[10, 20]])], 250)).toBeNull();
    expect(widestPair([curve([[10, 20]]), curve([[20, 20]])], 10, 250)).toBeNull();
  });
});
