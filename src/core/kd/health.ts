// Run health from the stream of step rows (pure): which values of a step went non-finite (that step's update was
// skipped), and a divergence detector that names the likely knob with the values in force (issue 16, DESIGN §6b).
import { TERM_LABELS, TERM_NAMES, type TermName, VALUE_NAMES, type ValueName } from './terms';

/** One step as the detector reads it: the values row plus the knobs in force at that step. */
export interface HealthRow {
  step: number; // 0-based step index
  values: ArrayLike<number>; // [VALUE_WIDTH] in VALUE_NAMES order (NaN = not measured)
  lr: number; // learning rate used at that step
  clipNorm: number; // global-norm clip (0 = off)
  T: number; // KD temperature
  weights: Record<TermName, number>; // term weights in force
  /** Anything else whose change makes totals incomparable (data knobs, a reset): a change restarts the detector. */
  configKey?: string;
}

/**
 * Values of a row that are non-finite although they were measured: the total and the gradient norm (always measured
 * on a training step) and each term in `measured`. Unmeasured terms are NaN by contract and never reported.
 */
export function nonFiniteValues(values: ArrayLike<number>, measured: readonly TermName[], trained = true): ValueName[] {
  const out: ValueName[] = [];
  VALUE_NAMES.forEach((n, i) => {
    const counts = n === 'total' || (n === 'gradNorm' ? trained : measured.includes(n as TermName));
    if (counts && !Number.isFinite(values[i])) out.push(n);
  });
  return out;
}

/** The terms (core/terms names, in TERM_NAMES order) among non-finite values; total and gradNorm left out. */
export function nonFiniteTerms(bad: readonly ValueName[]): TermName[] {
  return TERM_NAMES.filter((n) => bad.includes(n));
}

/** A sentence for a skipped step: which values went non-finite and the knobs in force, e.g. for a banner. */
export function describeNonFinite(
  step: number,
  bad: readonly ValueName[],
  knobs: Pick<HealthRow, 'lr' | 'T' | 'weights'>,
): string {
  const terms = nonFiniteTerms(bad).map((n) => TERM_LABELS[n]);
  const what = terms.length ? `term${terms.length > 1 ? 's' : ''} ${terms.join(', ')}` : bad.join(', ');
  const w = TERM_NAMES.filter((n) => knobs.weights[n] > 0)
    .map((n) => `${n} ${knobs.weights[n]}`)
    .join(', ');
  return `step ${step}: ${what} went non-finite; the update was skipped (lr ${knobs.lr}, T ${knobs.T}, weights ${w || 'none'})`;
}

/** A divergence warning: why, the likely knob and the knob values in force. */
export interface DivergenceWarning {
  step: number; // the step at which the rule fired
  rule: 'loss-climb' | 'grad-norm';
  knob: 'optim.lr' | 'optim.clipNorm' | 'kd.T' | `weights.${TermName}`;
  message: string;
  knobs: { lr: number; clipNorm: number; T: number; weights: Record<TermName, number> };
}

export interface DivergenceOptions {
  factor: number; // the total over factor × its running minimum … (default 100)
  smoothFactor: number; // or its EMA over smoothFactor × the EMA's running minimum … (default 5)
  smoothing: number; // EMA weight of the newest total, in (0, 1] (default 0.2: ≈ the last 5 steps)
  patience: number; // … for this many consecutive steps (default 20)
  maxGradNorm: number; // or one gradient norm past this (default 1e4)
}
export const DIVERGENCE_DEFAULTS: DivergenceOptions = {
  factor: 100,
  smoothFactor: 5,
  smoothing: 0.2,
  patience: 20,
  maxGradNorm: 1e4,
};

/**
 * Feed rows in step order; `push` returns a warning the first time a rule fires (then stays quiet until `reset`).
 * Rules: for `patience` steps in a row the total above factor × its running minimum, or its EMA above smoothFactor ×
 * the EMA's running minimum (lr 1 without clipping on the tiny test model keeps the EMA 5–12× over its minimum
 * while the raw total never reaches 100×); or the gradient norm past maxGradNorm. A change of the weights, T,
 * clipNorm or configKey restarts it (totals under other knobs are not comparable). Non-finite rows are the guard's
 * business (nonFiniteValues) and are ignored here.
 */
export class DivergenceDetector {
  private min = Infinity;
  private ema = NaN;
  private emaMin = Infinity;
  private over = 0;
  private fired = false;
  private key = '';
  constructor(private readonly opts: DivergenceOptions = DIVERGENCE_DEFAULTS) {}

  reset(): void {
    this.min = Infinity;
    this.ema = NaN;
    this.emaMin = Infinity;
    this.over = 0;
    this.fired = false;
  }

  push(r: HealthRow): DivergenceWarning | null {
    const key = JSON.stringify([r.weights, r.T, r.clipNorm, r.configKey ?? '']);
    if (key !== this.key) {
      this.reset();
      this.key = key;
    }
    const total = r.values[0];
    const norm = r.values[VALUE_NAMES.length - 1];
    if (this.fired || !Number.isFinite(total)) return null;
    const o = this.opts;
    if (Number.isFinite(norm) && norm > o.maxGradNorm)
      return this.fire(r, 'grad-norm', `gradient norm ${fmt(norm)} > ${fmt(o.maxGradNorm)}`);
    this.min = Math.min(this.min, total);
    this.ema = Number.isNaN(this.ema) ? total : this.ema + o.smoothing * (total - this.ema);
    this.emaMin = Math.min(this.emaMin, this.ema);
    const raw = this.min > 0 && total > o.factor * this.min;
    const smooth = this.emaMin > 0 && this.ema > o.smoothFactor * this.emaMin;
    this.over = raw || smooth ? this.over + 1 : 0;
    if (this.over >= o.patience) {
      const why = raw
        ? `total ${fmt(total)} above ${o.factor}× its minimum ${fmt(this.min)}`
        : `smoothed total ${fmt(this.ema)} above ${o.smoothFactor}× its minimum ${fmt(this.emaMin)}`;
      return this.fire(r, 'loss-climb', `${why} for ${this.over} steps`);
    }
    return null;
  }

  private fire(r: HealthRow, rule: DivergenceWarning['rule'], why: string): DivergenceWarning {
    this.fired = true;
    const knob = likelyKnob(r);
    const knobs = { lr: r.lr, clipNorm: r.clipNorm, T: r.T, weights: { ...r.weights } };
    const w = TERM_NAMES.filter((n) => r.weights[n] > 0)
      .map((n) => `${n} ${r.weights[n]}`)
      .join(', ');
    const message = `diverging at step ${r.step}: ${why}; likely ${knob} (lr ${r.lr}, clipNorm ${r.clipNorm || 'off'}, T ${r.T}, weights ${w})`;
    return { step: r.step, rule, knob, message, knobs };
  }
}

/** The knob most likely to blame, by simple ordered rules on the values in force. */
export function likelyKnob(r: Pick<HealthRow, 'lr' | 'clipNorm' | 'T' | 'weights'>): DivergenceWarning['knob'] {
  if (r.lr >= 0.05) return 'optim.lr'; // Adam at lr ≥ 0.05 moves every weight by ~lr a step: the usual cause
  if (r.clipNorm <= 0) return 'optim.clipNorm';
  const kdOn = r.weights.kd > 0;
  if (kdOn && r.T < 0.5) return 'kd.T'; // a low T sharpens both distributions: huge KL values and gradients
  const heavy = TERM_NAMES.reduce((a, b) => (r.weights[b] > r.weights[a] ? b : a));
  if (r.weights[heavy] > 10) return `weights.${heavy}`;
  return 'optim.lr';
}

const fmt = (x: number) =>
  Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : String(Math.round(x * 1000) / 1000);
