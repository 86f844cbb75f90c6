// Test helpers: worker messages as the store receives them — a tiny pack's info and a metrics delta of n rows
// (values 0, 1, 2, … unless given), so store tests build their input in one way.
import { TERM_WIDTH, VALUE_WIDTH } from '../../core/kd/terms';
import type { PackInfo } from '../../worker/protocol';

export const tinyInfo = { name: 'p', families: ['a', 'b'], A: 4 } as unknown as PackInfo;

/** A metrics delta of `count` rows from `fromStep`; value i of the delta is `value(fromStep, i)` (default i). */
export const delta = (
  fromStep: number,
  count: number,
  lane = 0,
  value: (from: number, i: number) => number = (_, i) => i,
) => ({
  type: 'metrics' as const,
  lane,
  fromStep,
  count,
  values: new Float32Array(VALUE_WIDTH * count).map((_, i) => value(fromStep, i)),
  weights: new Float32Array(TERM_WIDTH * count).fill(1),
  lr: new Float32Array(count),
  stepsPerSec: 12,
  source: 'cached' as const,
});
