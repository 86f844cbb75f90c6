// When two lanes of a race "separate": their val exact matches differ by more than their binomial 95 % interval,
// 1.96·√(p₁(1−p₁)/n + p₂(1−p₂)/n) on n fixed val samples, at 3 evaluations in a row. Pure TS (bench, lessons, charts).

/** The 95 % half-width of the difference of two exact-match rates, in points; `a`, `b` in percent, `n` samples. */
export function separationMargin(a: number, b: number, n: number): number {
  if (!(n > 0)) return Infinity;
  const p = clamp01(a / 100);
  const q = clamp01(b / 100);
  return 100 * 1.96 * Math.sqrt((p * (1 - p) + q * (1 - q)) / n);
}

/** Whether two exact matches (percent) on n samples differ by more than the interval. */
export function separated(a: number, b: number, n: number): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) > separationMargin(a, b, n);
}

/** One lane's evaluations: the step and the val exact match (percent). */
export interface AccPoint {
  step: number;
  acc: number;
}

export interface Separation {
  step: number; // the first evaluated step where a pair of lanes separated
  lanes: [number, number]; // indices of that pair in the input, the higher lane first
  acc: [number, number]; // their exact matches there (percent), in the order of `lanes`
  gap: number; // acc[0] − acc[1], points
  margin: number; // the interval the gap exceeded, points
}

/** The widest gap among the pairs of lanes evaluated at `step` (whether separated or not); null with fewer than two. */
export function widestPair(curves: readonly (readonly AccPoint[])[], step: number, n: number): Separation | null {
  const at = curves.map((c) => c.find((x) => x.step === step)?.acc);
  let best: Separation | null = null;
  for (let i = 0; i < at.length; i++) {
    for (let j = i + 1; j < at.length; j++) {
      const a = at[i];
      const b = at[j];
      if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) continue;
      const [hi, lo] = a >= b ? [i, j] : [j, i];
      const gap = Math.abs(a - b);
      if (!best || gap - separationMargin(a, b, n) > best.gap - best.margin) {
        best = {
          step,
          lanes: [hi, lo],
          acc: [at[hi] as number, at[lo] as number],
          gap,
          margin: separationMargin(a, b, n),
        };
      }
    }
  }
  return best;
}

/** The steps at which at least two lanes were evaluated, ascending. */
export function sharedSteps(curves: readonly (readonly AccPoint[])[]): number[] {
  const count = new Map<number, number>();
  for (const c of curves) for (const s of new Set(c.map((x) => x.step))) count.set(s, (count.get(s) ?? 0) + 1);
  return [...count]
    .filter(([, k]) => k >= 2)
    .map(([s]) => s)
    .sort((x, y) => x - y);
}

/** Consecutive shared evaluations a pair must stay separated, the same lane ahead, to count (a race is evaluated some
 *  30 times in its first 300 steps: one crossing among that many looks is often noise — measured on ce-vs-kd, a gap of
 *  8.8 points beyond its interval at step 30 closed by step 200). */
export const SEPARATION_HOLD = 3;

/**
 * When two lanes separate (lanes step in lockstep, so they are evaluated at the same steps): the first step of the
 * first run of `hold` consecutive evaluations at which one pair differs beyond its interval with the same lane ahead;
 * of the pairs whose run completes first, the one with the widest gap beyond its interval at that first step. Null
 * when none has yet.
 */
export function firstSeparation(
  curves: readonly (readonly AccPoint[])[],
  n: number,
  hold = SEPARATION_HOLD,
): Separation | null {
  const steps = sharedSteps(curves);
  const streak = new Map<string, { start: number; count: number }>(); // "hi,lo" → its current run
  for (const step of steps) {
    const at = curves.map((c) => c.find((x) => x.step === step)?.acc);
    const done: Separation[] = [];
    for (let i = 0; i < at.length; i++) {
      for (let j = 0; j < at.length; j++) {
        const a = at[i];
        const b = at[j];
        const key = `${i},${j}`;
        if (i === j || a === undefined || b === undefined || !(a > b) || !separated(a, b, n)) {
          if (i !== j) streak.delete(key);
          continue;
        }
        const run = streak.get(key) ?? { start: step, count: 0 };
        run.count++;
        streak.set(key, run);
        if (run.count >= hold) {
          const first = curves.map((c) => c.find((x) => x.step === run.start)?.acc);
          const [x, y] = [first[i] as number, first[j] as number];
          done.push({ step: run.start, lanes: [i, j], acc: [x, y], gap: x - y, margin: separationMargin(x, y, n) });
        }
      }
    }
    if (done.length)
      return done.reduce((p, q) =>
        q.step < p.step || (q.step === p.step && q.gap - q.margin > p.gap - p.margin) ? q : p,
      );
  }
  return null;
}

/** The latest shared evaluation's widest pair (what "not separated yet" quotes); null before two lanes are evaluated. */
export function latestGap(curves: readonly (readonly AccPoint[])[], n: number): Separation | null {
  const steps = sharedSteps(curves);
  return steps.length ? widestPair(curves, steps[steps.length - 1], n) : null;
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
