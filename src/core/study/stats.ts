// The study's statistics: mean, std, the SE of a difference (Welch) and today's 2-SE verdict (DESIGN §6b); Welch's
// t-test with df, p and 95 % interval, Holm, TOST and a power calculation for the fair study (issue 28). Pure TS.
import jStat from 'jstat';
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

/** The other side of an equivalence test: one-sided p of |mean(a) − mean(b)| > margin in the observed direction
 *  (H0: diff ≤ margin when diff ≥ 0, diff ≥ −margin otherwise). Below α the two conditions differ by more than the
 *  margin: an "≈" claim "differs". */
export function beyondMargin(a: readonly number[], b: readonly number[], margin: number): number {
  const w = welch(a, b);
  if (!Number.isFinite(w.se) || !(margin > 0)) return NaN;
  return w.diff >= 0 ? 1 - jStat.studentt.cdf((w.diff - margin) / w.se, w.df) : jStat.studentt.cdf((w.diff + margin) / w.se, w.df);
}

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

// ---------------------------------------------------------------- tests a reviewer accepts (issue 28)

/** Welch's two-sample t-test of mean(a) − mean(b): its t, Welch–Satterthwaite df, two-sided p and 95 % interval. */
export interface WelchTest {
  diff: number; // mean(a) − mean(b), points
  se: number; // √(s_a²/n_a + s_b²/n_b)
  df: number; // (v_a + v_b)² / (v_a²/(n_a − 1) + v_b²/(n_b − 1)), v = s²/n
  t: number; // diff / se
  p: number; // two-sided
  ci95: [number, number]; // diff ± t_{0.975, df} · se
}

/** Welch's t-test (NaN everywhere with fewer than 2 values a side). The t distribution is jStat's. */
export function welch(a: readonly number[], b: readonly number[]): WelchTest {
  const diff = mean(a) - mean(b);
  if (a.length < 2 || b.length < 2) return { diff, se: NaN, df: NaN, t: NaN, p: NaN, ci95: [NaN, NaN] };
  const va = std(a) ** 2 / a.length;
  const vb = std(b) ** 2 / b.length;
  const se = Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const t = diff / se;
  const p = 2 * (1 - jStat.studentt.cdf(Math.abs(t), df));
  const q = jStat.studentt.inv(0.975, df);
  return { diff, se, df, t, p, ci95: [diff - q * se, diff + q * se] };
}

/** Holm's step-down adjustment of p-values (same order as given): sorted ascending, the k-th (0-based) times
 *  (m − k), a running maximum, capped at 1. Controls the family-wise error of a pack's decisive comparisons. */
export function holm(ps: readonly number[]): number[] {
  const order = ps.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0]);
  const out = new Array<number>(ps.length);
  let run = 0;
  order.forEach(([p, i], k) => {
    run = Math.max(run, Math.min(1, (ps.length - k) * p));
    out[i] = run;
  });
  return out;
}

/** Two one-sided tests of |mean(a) − mean(b)| < margin (Welch's df): the larger of the two one-sided p-values. An
 *  "≈" claim is shown equivalent when it is below α (then the 90 % interval lies inside ±margin). */
export function tost(a: readonly number[], b: readonly number[], margin: number): number {
  const w = welch(a, b);
  if (!Number.isFinite(w.se) || !(margin > 0)) return NaN;
  const pLower = 1 - jStat.studentt.cdf((w.diff + margin) / w.se, w.df); // H0: diff ≤ −margin
  const pUpper = jStat.studentt.cdf((w.diff - margin) / w.se, w.df); // H0: diff ≥ +margin
  return Math.max(pLower, pUpper);
}

/** Seeds per side (equal n) for a two-sided Welch test at level `alpha` to detect a difference `delta` with
 *  probability `power`, at the measured stds: the smallest n ≥ 2 with (t_{1−α/2,df} + t_{power,df}) · SE(n) ≤ delta. */
export function seedsForPower(stdA: number, stdB: number, delta: number, alpha = 0.05, power = 0.8): number {
  if (!Number.isFinite(stdA) || !Number.isFinite(stdB) || !(delta > 0)) return NaN;
  for (let n = 2; n <= 1000; n++) {
    const va = stdA ** 2 / n;
    const vb = stdB ** 2 / n;
    const se = Math.sqrt(va + vb);
    if (se === 0) return n;
    const df = (va + vb) ** 2 / ((va ** 2 + vb ** 2) / (n - 1));
    if ((jStat.studentt.inv(1 - alpha / 2, df) + jStat.studentt.inv(power, df)) * se <= delta) return n;
  }
  return Infinity;
}

/** The mean of a sample and its two-sided 95 % Student-t interval, mean ± t_{0.975, n−1} · s/√n (lo = hi = NaN with
 *  fewer than 2 values). The study bands' interval around the seeds' mean val curve. */
export function meanCi95(x: readonly number[]): { mean: number; lo: number; hi: number } {
  const m = mean(x);
  if (x.length < 2) return { mean: m, lo: NaN, hi: NaN };
  const h = jStat.studentt.inv(0.975, x.length - 1) * (std(x) / Math.sqrt(x.length));
  return { mean: m, lo: m - h, hi: m + h };
}
