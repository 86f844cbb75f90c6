// The study's statistic: mean, sample std, the standard error of a difference of means (Welch) and the verdict of a
// comparison at 2 standard errors (DESIGN §6b). Pure TS: no tfjs, no DOM.
import type { Comparison } from './findings';

export type Verdict = 'reproduces' | 'reversed' | 'inconclusive';

export function mean(x: readonly number[]): number {
  return x.length ? x.reduce((a, b) => a + b, 0) / x.length : NaN;
}

/** Sample standard deviation (n − 1); 0 for one value, NaN for none. */
export function std(x: readonly number[]): number {
  if (!x.length) return NaN;
  if (x.length < 2) return 0;
  const m = mean(x);
  return Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1));
}

/** Welch's standard error of mean(a) − mean(b): √(s_a²/n_a + s_b²/n_b). NaN unless both have ≥ 2 values. */
export function seDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length < 2 || b.length < 2) return NaN;
  return Math.sqrt(std(a) ** 2 / a.length + std(b) ** 2 / b.length);
}

/** The study's precision target (issue 15): the SE of each decisive difference at most this many points. */
export const TARGET_SE = 2;

/** An "≈" claim reproduces only when the difference is within 2 SE *and* the SE is at most the precision target: a
 *  noisy study cannot confirm that two conditions are the same. */
export const EQ_MAX_SE = TARGET_SE;

/** Seeds per side (equal n) that bring the Welch SE of a difference to `target` at the measured stds:
 *  ⌈(s_a² + s_b²) / target²⌉, at least 2; NaN when a std is unknown. An estimate: the stds move as seeds come in. */
export function seedsForSe(stdA: number, stdB: number, target = TARGET_SE): number {
  if (!Number.isFinite(stdA) || !Number.isFinite(stdB) || !(target > 0)) return NaN;
  return Math.max(2, Math.ceil((stdA ** 2 + stdB ** 2) / target ** 2 - 1e-9));
}

export interface ComparisonResult {
  kind: Comparison['kind'];
  ids: [string, string]; // gt: [hi, lo]; eq: [a, b]
  means: [number, number];
  stds: [number, number];
  n: [number, number];
  diff: number; // mean(ids[0]) − mean(ids[1])
  se: number; // Welch SE of diff (NaN with < 2 runs on a side)
  verdict: Verdict;
}

/**
 * gt: reproduces when diff > 2 SE, reversed when diff < −2 SE. eq: reversed when |diff| > 2 SE (the conditions
 * differ), reproduces when |diff| ≤ 2 SE and SE ≤ EQ_MAX_SE. Anything else, and fewer than 2 runs a side, is
 * inconclusive.
 */
export function compare(c: Comparison, runs: (id: string) => readonly number[]): ComparisonResult {
  const ids: [string, string] = c.kind === 'gt' ? [c.hi, c.lo] : [c.a, c.b];
  const [a, b] = ids.map(runs);
  const diff = mean(a) - mean(b);
  const se = seDiff(a, b);
  let verdict: Verdict = 'inconclusive';
  if (Number.isFinite(se) && Number.isFinite(diff)) {
    if (c.kind === 'gt') {
      if (diff > 2 * se) verdict = 'reproduces';
      else if (diff < -2 * se) verdict = 'reversed';
    } else if (Math.abs(diff) > 2 * se) verdict = 'reversed';
    else if (se <= EQ_MAX_SE) verdict = 'reproduces';
  }
  return { kind: c.kind, ids, means: [mean(a), mean(b)], stds: [std(a), std(b)], n: [a.length, b.length], diff, se, verdict };
}

/** A finding's verdict from its comparisons: reversed if any is reversed, reproduces if all reproduce. */
export function combine(vs: readonly Verdict[]): Verdict {
  if (!vs.length) return 'inconclusive';
  if (vs.includes('reversed')) return 'reversed';
  return vs.every((v) => v === 'reproduces') ? 'reproduces' : 'inconclusive';
}

/** The same difference paired by seed (a seed fixes the init and the batches, so conditions share its luck): over the
 *  seeds both sides have, the mean of a_s − b_s and its SE sd(a_s − b_s)/√n (NaN with < 2 shared seeds). Reported
 *  beside the verdict, which stays Welch's (DESIGN §6b). */
export function pairedDiff(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): { n: number; diff: number; se: number } {
  const d = [...a].filter(([seed]) => b.has(seed)).map(([seed, x]) => x - (b.get(seed) as number));
  return { n: d.length, diff: mean(d), se: d.length < 2 ? NaN : std(d) / Math.sqrt(d.length) };
}
