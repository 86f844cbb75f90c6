// One training step's result as the trainer hands it over: the values row (a tensor the reader owns), what the step
// did, and how reading it settles the step (non-finite values, a discarded update). Also the row's layout (stepValues).
import * as tf from '@tensorflow/tfjs-core';
import { nonFiniteValues } from '../core/kd/health';
import { TERM_NAMES, type TermName, VALUE_NAMES, type ValueName } from '../core/kd/terms';

export interface StepResult {
  values: tf.Tensor1D; // [VALUE_WIDTH] in core/terms VALUE_NAMES order; owned by the caller (readStep reads and disposes it)
  step: number; // 0-based index of this step
  lr: number; // learning rate used
  stage: 1 | 2; // 1 = projector only, 2 = projector + LM (+ φ, + encoder when trainEncoder)
  onPolicy: boolean; // answers sampled from the student this step
  batch: number[]; // sample indices
  trained: boolean; // a gradient step was attempted (false: forward only, no term had a positive weight)
  measured: TermName[]; // the terms computed this step (the others are NaN by contract)
}
/** What reading a step tells: the values that went non-finite; skipped = that step's update never reached the weights. */
export interface StepHealth {
  skipped: boolean;
  nonFinite: ValueName[]; // total / measured terms / gradNorm that are NaN or ±Inf
}
export type StepNumbers = Record<ValueName, number> & Omit<StepResult, 'values'> & StepHealth;

/** Read a step's values with one `await data()`, dispose the tensor and settle the step with its trainer. */
export async function readStep(
  r: StepResult,
  trainer?: { settle(step: number, row: ArrayLike<number>): StepHealth },
): Promise<StepNumbers> {
  const v = await r.values.data();
  r.values.dispose();
  const health = trainer ? trainer.settle(r.step, v) : stepHealth(v, r.measured, r.trained);
  const { values: _v, ...rest } = r;
  const out = { ...rest, ...health } as StepNumbers;
  VALUE_NAMES.forEach((n, i) => (out[n] = v[i]));
  return out;
}

export function stepHealth(row: ArrayLike<number>, measured: readonly TermName[], trained: boolean): StepHealth {
  const nonFinite = nonFiniteValues(row, measured, trained);
  return { skipped: trained && nonFinite.length > 0, nonFinite };
}

/** The values row [VALUE_WIDTH]: total, each term (NaN when not computed), ‖g‖; disposes the term scalars. */
export function stepValues(
  total: tf.Scalar | null,
  terms: Partial<Record<TermName, tf.Scalar>>,
  gradNorm: tf.Scalar | null,
): tf.Tensor1D {
  const nan = () => tf.scalar(NaN);
  const t = tf.stack([total ?? nan(), ...TERM_NAMES.map((n) => terms[n] ?? nan()), gradNorm ?? nan()]) as tf.Tensor1D;
  Object.values(terms).forEach((s) => s!.dispose());
  return t;
}
