// Fault injection for the tests and the lab's ?e2e (DESIGN §6b): withFaults(trainer) installs a step interceptor that
// can make the next step non-finite. The production step knows nothing of it; a trainer nobody wraps runs untouched.
import * as tf from '@tensorflow/tfjs-core';
import type { StepInterceptor } from './intercept';
import type { Trainer } from './trainer';

/** What a wrapped trainer accepts. */
export interface TrainerFaults {
  /** The next step computes a NaN term (window.__lab.fault('nan')): the guard must skip it and change nothing. */
  poisonNextStep(): void;
}

const installed = new WeakMap<Trainer, TrainerFaults>();

/**
 * The fault hooks of `trainer`, installed on first use (once per trainer). The NaN goes where the step reads it: the
 * cached targets on the host, else the online teacher's logits, else the batch's features.
 */
export function withFaults(trainer: Trainer): TrainerFaults {
  const have = installed.get(trainer);
  if (have) return have;
  let armed = false;
  let where: 'teacher' | 'feats' | null = null;
  const nan = <T extends tf.Tensor>(t: T) => tf.add(t, tf.scalar(NaN)) as T;
  const hooks: StepInterceptor = {
    hostBatch(h, onPolicy, c) {
      where = null;
      if (!armed) return;
      armed = false;
      if (onPolicy || c.kd.source === 'online' || c.kd.allPositions) where = 'teacher';
      else if (h.logits) h.logits[0] = NaN;
      else if (h.topk && c.kd.topKMode !== 'dense') h.topk.logits[0] = NaN;
      else where = 'feats';
    },
    teacher: (out) => (where === 'teacher' ? { ...out, logits: nan(out.logits) } : out),
    features: (f) => (where === 'feats' ? nan(f) : f),
    afterStep() {
      where = null;
    },
  };
  trainer.intercept(hooks);
  const faults: TrainerFaults = {
    poisonNextStep() {
      armed = true;
    },
  };
  installed.set(trainer, faults);
  return faults;
}
