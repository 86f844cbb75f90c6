// The run loop's reading of a lane's steps (DESIGN §6b): each read row is settled with its trainer; a non-finite one
// is reported on its own (never in the curves), finite ones feed the divergence detector. Pure of the loop's state.
import type * as tf from '@tensorflow/tfjs-core';
import { describeNonFinite, DivergenceDetector } from '../core/kd/health';
import { TERM_NAMES, type TermName, VALUE_NAMES, VALUE_WIDTH as NV } from '../core/kd/terms';
import type { WorkerToUi } from './protocol';
import type { WorkerLane } from './runLoopTypes';

/** One step taken and not yet read: its values tensor and the knobs in force at that step. */
export interface Pending {
  values: tf.Tensor1D; // [VALUE_WIDTH] VALUE_NAMES
  step: number;
  lr: number;
  weights: number[]; // [TERM_WIDTH] TERM_NAMES order
  T: number; // KD temperature in force
  clipNorm: number; // global-norm clip in force (0 = off)
  baseLr: number; // the configured learning rate (lr is the schedule's value at this step)
}

/** A lane's health between reports: its divergence detector and the step of its latest checkpoint. */
export interface LaneHealth {
  divergence: DivergenceDetector;
  checkpointStep: number;
}

export function freshHealth(lane: WorkerLane): LaneHealth {
  return { divergence: new DivergenceDetector(), checkpointStep: lane.trainer.stepCount };
}

function weightsOf(p: Pending): Record<TermName, number> {
  return Object.fromEntries(TERM_NAMES.map((n, i) => [n, p.weights[i]])) as Record<TermName, number>;
}

/**
 * Settle a lane's read rows (lv: [rows, VALUE_WIDTH]) with its trainer, in step order: a non-finite row posts a
 * `nonFinite` message (its values and the knobs as the person set them); a finite one may post a divergence
 * `warning`. Returns the indices of the finite rows (what goes into the curves).
 */
export function settleRows(
  lane: WorkerLane,
  rows: readonly Pending[],
  lv: Float32Array,
  h: LaneHealth,
  send: (m: WorkerToUi) => void,
): number[] {
  const good: number[] = [];
  rows.forEach((p, i) => {
    const v = lv.subarray(i * NV, (i + 1) * NV);
    const health = lane.trainer.settle(p.step, v);
    const knobs = { lr: p.baseLr, T: p.T, clipNorm: p.clipNorm, weights: weightsOf(p) };
    if (health.nonFinite.length === 0) {
      good.push(i);
      const warn = h.divergence.push({ step: p.step, values: v, ...knobs });
      if (warn) send({ type: 'warning', lane: lane.id, step: warn.step, message: warn.message, knob: warn.knob });
      return;
    }
    const bad = health.nonFinite.map((name) => ({ name, value: v[VALUE_NAMES.indexOf(name)] }));
    send({
      type: 'nonFinite',
      lane: lane.id,
      step: p.step,
      bad,
      message: describeNonFinite(p.step, health.nonFinite, knobs),
    });
  });
  return good;
}

/** Runs of consecutive indices as [from, to) pairs: [0,1,2,4,5] → [0,3], [4,6]. */
export function segments(idx: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const i of idx) {
    const last = out[out.length - 1];
    if (last && last[1] === i) last[1] = i + 1;
    else out.push([i, i + 1]);
  }
  return out;
}
