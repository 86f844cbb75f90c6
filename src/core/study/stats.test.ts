// The study's statistic on hand-computed cases: sample std, Welch SE, and the 2-SE verdicts of gt and eq comparisons.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { combine, compare, EQ_MAX_SE, holm, mean, pairedDiff, seDiff, seedsForPower, seedsForSe, std, tost, welch } from './stats';

const runs = (m: Record<string, number[]>) => (id: string) => m[id] ?? [];

describe('stats', () => {
  it('mean, sample std (n − 1) and Welch SE by hand', () => {
    expect(mean([1, 2, 3, 6])).toBe(3);
    expect(std([1, 2, 3, 6])).toBeCloseTo(Math.sqrt(14 / 3), 12); // squares 4+1+0+9
    expect(std([5])).toBe(0);
    expect(Number.isNaN(std([]))).toBe(true);
    // s² = 14/3 (n 4) and 1 (n 2: [0, √2] → s² = 1): √(14/12 + 1/2)
    expect(seDiff([1, 2, 3, 6], [0, Math.SQRT2])).toBeCloseTo(Math.sqrt(14 / 12 + 0.5), 12);
    expect(Number.isNaN(seDiff([1], [1, 2]))).toBe(true);
  });

  it('gt: reproduces above 2 SE, reversed below −2 SE, inconclusive between', () => {
    // a − b = 4, SE = √(1/3 + 1/3) ≈ 0.816: 4 > 1.63
    const m = { a: [9, 10, 11], b: [5, 6, 7] };
    expect(compare({ kind: 'gt', hi: 'a', lo: 'b' }, runs(m))).toMatchObject({ diff: 4, verdict: 'reproduces', n: [3, 3] });
    expect(compare({ kind: 'gt', hi: 'b', lo: 'a' }, runs(m)).verdict).toBe('reversed');
    // a − b = 2, SE = √(4/3 + 1/3) ≈ 1.29: 2 < 2.58, inconclusive either way
    const close = { a: [6, 8, 10], b: [5, 6, 7] };
    expect(compare({ kind: 'gt', hi: 'a', lo: 'b' }, runs(close)).verdict).toBe('inconclusive');
    expect(compare({ kind: 'gt', hi: 'b', lo: 'a' }, runs(close)).verdict).toBe('inconclusive');
  });

  it('fewer than 2 runs a side is inconclusive, whatever the gap', () => {
    expect(compare({ kind: 'gt', hi: 'a', lo: 'b' }, runs({ a: [90], b: [10, 11] })).verdict).toBe('inconclusive');
    expect(compare({ kind: 'gt', hi: 'a', lo: 'b' }, runs({ a: [90, 91] })).verdict).toBe('inconclusive');
  });

  it('eq: a gap over 2 SE reverses it; within 2 SE reproduces only when SE ≤ EQ_MAX_SE', () => {
    expect(compare({ kind: 'eq', a: 'a', b: 'b' }, runs({ a: [9, 10, 11], b: [5, 6, 7] })).verdict).toBe('reversed');
    expect(compare({ kind: 'eq', a: 'a', b: 'b' }, runs({ a: [9, 10, 11], b: [9.5, 10.5, 11.5] })).verdict).toBe('reproduces');
    // same means, SE = √(2·100/3) ≈ 8.2 > EQ_MAX_SE
    const noisy = compare({ kind: 'eq', a: 'a', b: 'b' }, runs({ a: [0, 10, 20], b: [0, 10, 20] }));
    expect(noisy.se).toBeGreaterThan(EQ_MAX_SE);
    expect(noisy.verdict).toBe('inconclusive');
  });

  it('combine: any reversed → reversed; all reproduce → reproduces; else inconclusive', () => {
    expect(combine(['reproduces', 'reproduces'])).toBe('reproduces');
    expect(combine(['reproduces', 'inconclusive'])).toBe('inconclusive');
    expect(combine(['reproduces', 'reversed', 'inconclusive'])).toBe('reversed');
    expect(combine([])).toBe('inconclusive');
  });

  it('seedsForSe: equal-n seeds for the Welch SE to reach the target, checked by the SE it gives', () => {
    // s 4.5 and 7.1: (20.25 + 50.41) / 4 = 17.67 → 18 seeds a side; √((20.25 + 50.41) / 18) = 1.98 ≤ 2 and 17 gives 2.04
    expect(seedsForSe(4.5, 7.1)).toBe(18);
    expect(Math.sqrt((4.5 ** 2 + 7.1 ** 2) / 18)).toBeLessThanOrEqual(2);
    expect(Math.sqrt((4.5 ** 2 + 7.1 ** 2) / 17)).toBeGreaterThan(2);
    expect(seedsForSe(2, 2)).toBe(2); // (4 + 4) / 4 = 2 exactly
    expect(seedsForSe(0.1, 0.1)).toBe(2); // never under 2: a standard error needs two runs a side
    expect(seedsForSe(4, 4, 1)).toBe(32);
    expect(seedsForSe(NaN, 1)).toBeNaN();
  });

  it('pairedDiff: over the shared seeds, mean and SE of the per-seed differences', () => {
    const a = new Map([[1, 10], [2, 20], [3, 30], [4, 99]]);
    const b = new Map([[1, 8], [2, 17], [3, 29]]);
    const p = pairedDiff(a, b); // diffs 2, 3, 1 → mean 2, sd 1, SE 1/√3
    expect(p.n).toBe(3);
    expect(p.diff).toBeCloseTo(2, 12);
    expect(p.se).toBeCloseTo(1 / Math.sqrt(3), 12);
    expect(pairedDiff(new Map([[1, 1]]), new Map([[1, 0]])).se).toBeNaN();
  });
});

describe('Welch, Holm, TOST and power against an independent implementation (scipy 1.17; issue 28)', () => {
  // src/core/testing/statsGolden.json is written by tools/golden/stats_reference.py (scipy.stats).
  const golden = JSON.parse(readFileSync(new URL('../testing/statsGolden.json', import.meta.url), 'utf8')) as {
    welch: { a: number[]; b: number[]; t: number; df: number; p: number; se: number; diff: number; ci95: [number, number]; tost3: number }[];
    holm: { p: number[]; adjusted: number[] };
  };
  it.each(golden.welch.map((g, i) => [i, g] as const))('case %i: t, df, two-sided p, 95 %% CI and TOST(3) match scipy', (_, g) => {
    const w = welch(g.a, g.b);
    expect(w.diff).toBeCloseTo(g.diff, 10);
    expect(w.se).toBeCloseTo(g.se, 10);
    expect(w.df).toBeCloseTo(g.df, 8);
    expect(w.t).toBeCloseTo(g.t, 10);
    expect(w.p).toBeCloseTo(g.p, 8);
    expect(w.ci95[0]).toBeCloseTo(g.ci95[0], 6);
    expect(w.ci95[1]).toBeCloseTo(g.ci95[1], 6);
    expect(tost(g.a, g.b, 3)).toBeCloseTo(g.tost3, 8);
  });
  it('Holm: the step-down adjustment by hand (0.005·5, 0.01·4, 0.03·3, max(0.04·2, 0.09), 0.2)', () => {
    expect(holm(golden.holm.p).map((x) => +x.toFixed(12))).toEqual(golden.holm.adjusted);
    expect(holm([])).toEqual([]);
    expect(holm([0.6, 0.6])).toEqual([1, 1]);
  });
  it('fewer than 2 values a side: NaN, not a verdict', () => {
    expect(welch([1], [2, 3]).p).toBeNaN();
    expect(tost([1, 2], [3], 3)).toBeNaN();
  });
  it('power: equal stds 4, a 5-point difference at α 0.05 and 80 % power needs 12 seeds a side (normal approx. ≈ 10.05, t adds some)', () => {
    // scipy: (t.ppf(0.975, 2n−2) + t.ppf(0.8, 2n−2)) · √(32/n) = 5.0246 at n 11, 4.7882 at n 12
    expect(seedsForPower(4, 4, 5)).toBe(12);
    expect(seedsForPower(4, 4, 5.03)).toBe(11);
    expect(seedsForPower(4, 4, 50)).toBe(2);
    expect(seedsForPower(NaN, 4, 5)).toBeNaN();
  });
});
