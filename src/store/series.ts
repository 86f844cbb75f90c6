// Append-only, capped metric series in typed arrays (the worker sends deltas; nothing re-sends history), and
// TensorBoard's debiased EMA smoothing used by the loss chart. Pure TS.

import {
  type TermName,
  TERM_WIDTH as NW,
  valueCol,
  valueAt,
  type ValueName,
  VALUE_WIDTH as NV,
  weightAt,
} from '../core/kd/terms';

export type { ValueName } from '../core/kd/terms';

/** Training rows: step, values [n, VALUE_WIDTH], weights [n, TERM_WIDTH], lr [n]. When full, the oldest half is dropped. */
export class StepSeries {
  n = 0;
  step: Int32Array;
  values: Float32Array;
  weights: Float32Array;
  lr: Float32Array;
  constructor(readonly capacity = 50_000) {
    this.step = new Int32Array(capacity);
    this.values = new Float32Array(capacity * NV);
    this.weights = new Float32Array(capacity * NW);
    this.lr = new Float32Array(capacity);
  }

  append(fromStep: number, count: number, values: Float32Array, weights: Float32Array, lr: Float32Array): void {
    if (count > this.capacity)
      throw new Error(`StepSeries.append: a delta of ${count} rows exceeds the capacity ${this.capacity}`);
    if (this.n + count > this.capacity) {
      const drop = Math.max(this.n + count - this.capacity, this.capacity >> 1);
      this.step.copyWithin(0, drop, this.n);
      this.values.copyWithin(0, drop * NV, this.n * NV);
      this.weights.copyWithin(0, drop * NW, this.n * NW);
      this.lr.copyWithin(0, drop, this.n);
      this.n -= drop;
    }
    for (let i = 0; i < count; i++) this.step[this.n + i] = fromStep + i;
    this.values.set(values.subarray(0, count * NV), this.n * NV);
    this.weights.set(weights.subarray(0, count * NW), this.n * NW);
    this.lr.set(lr.subarray(0, count), this.n);
    this.n += count;
  }

  clear(): void {
    this.n = 0;
  }

  /** Drop the rows of steps ≥ `step` (a run resumed from its checkpoint at `step` re-sends them). */
  truncate(step: number): void {
    let n = this.n;
    while (n > 0 && this.step[n - 1] >= step) n--;
    this.n = n;
  }

  value(i: number, name: ValueName): number {
    return valueAt(this.values, i, name);
  }

  weight(i: number, name: TermName): number {
    return weightAt(this.weights, i, name);
  }

  /** One column as a plain array (for charts). */
  column(name: ValueName): Float32Array {
    const c = valueCol(name);
    const out = new Float32Array(this.n);
    for (let i = 0; i < this.n; i++) out[i] = this.values[i * NV + c];
    return out;
  }
}

/** Val evaluations: step, overall %, per-family % [n, F], val loss [n, 3] (total, CE, KD). */
export interface EvalRow {
  step: number;
  overall: number;
  perFamily: Float32Array;
  valLoss: Float32Array;
}

/**
 * TensorBoard's smoothing: a debiased exponential moving average, last = w·last + (1 − w)·y, reported as
 * last / (1 − w^k) after k finite points; non-finite points pass through unchanged. w ∈ [0, 1).
 */
export function tbSmooth(ys: ArrayLike<number>, w: number): Float32Array {
  const out = new Float32Array(ys.length);
  let last = 0;
  let k = 0;
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i];
    if (!Number.isFinite(y)) {
      out[i] = y;
      continue;
    }
    last = last * w + (1 - w) * y;
    k++;
    const debias = w === 1 ? 1 : 1 - Math.pow(w, k);
    out[i] = last / debias;
  }
  return out;
}

/** Indices of at most `max` evenly spaced rows out of n (always including the last). */
export function sampleIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  const stride = (n - 1) / (max - 1);
  for (let j = 0; j < max; j++) out.push(Math.round(j * stride));
  return out;
}
