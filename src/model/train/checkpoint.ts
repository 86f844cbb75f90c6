// A Trainer's whole state on the host, for crash resume (DESIGN §6b faults): every trained parameter, φ, Adam's
// moments and step counts, the step, the data cursor and every RNG — plain objects and typed arrays only.
import * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../../core/config/config';
import { FieldError } from '../../core/base/errors';
import type { RngState } from '../../core/base/rng';
import type { OptimizerTensor } from '../adam';
import { disposeParams, exportParams, type HostParams, type Params } from '../params';
import type { IteratorState } from './data';

export const CHECKPOINT_FORMAT = 'llavadi-lab-trainer-checkpoint';

/**
 * Structured-clone-able (postMessage, IndexedDB): no class instances, no functions. Restoring it into a fresh
 * Trainer on the same pack and backend continues the run bit for bit (same losses as the uninterrupted run).
 */
export interface TrainerCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: 1;
  step: number; // steps taken (0-based index of the next step)
  config: TrainConfig; // the config in force at the next step (a pending setConfig included)
  params: HostParams; // the trained model (projector.*, lm.*)
  phi: HostParams; // φ of the hidden term ({} without φ)
  encoder: HostParams | null; // the encoder when it trains with the model (pack build), else null
  optimizer: OptimizerTensor[]; // Adam: `<param>/m`, `/v`, `/t`
  rng: { policy: RngState; sample: RngState }; // on-policy coins, sampling noise
  iterators: { key: string; state: IteratorState }[]; // batch order of each pool used so far
}

const CK = 'checkpoint';

/** Check a checkpoint's envelope before anything is assigned; errors name the field and what was expected. */
export function checkEnvelope(c: TrainerCheckpoint): void {
  if (c == null || typeof c !== 'object')
    throw new FieldError({ scope: CK, field: '(root)', expected: 'a TrainerCheckpoint object', got: c });
  if (c.format !== CHECKPOINT_FORMAT)
    throw new FieldError({ scope: CK, field: 'format', expected: `"${CHECKPOINT_FORMAT}"`, got: c.format });
  if (c.version !== 1) throw new FieldError({ scope: CK, field: 'version', expected: '1', got: c.version });
  if (!Number.isInteger(c.step) || c.step < 0)
    throw new FieldError({ scope: CK, field: 'step', expected: 'an integer ≥ 0', got: c.step });
  if (!Array.isArray(c.optimizer))
    throw new FieldError({ scope: CK, field: 'optimizer', expected: 'an array of optimizer tensors' });
  if (!Array.isArray(c.iterators))
    throw new FieldError({ scope: CK, field: 'iterators', expected: 'an array of {key, state}' });
}

const assignCopy = (v: Params[string], h: HostParams[string]) =>
  tf.tidy(() => (v as tf.Variable).assign(tf.tensor(Float32Array.from(h.data), h.shape)));

/** Assign host values to live variables of the same names and shapes (all checked before the first assign). */
export function assignHost(
  vars: Params,
  host: HostParams | null | undefined,
  field: string,
  assign: (v: Params[string], h: HostParams[string]) => void = assignCopy,
): void {
  const names = Object.keys(vars);
  const have = host ?? {};
  for (const n of names) {
    const h = have[n];
    const want = vars[n].shape;
    if (!h || !(h.data instanceof Float32Array))
      throw new FieldError({
        scope: CK,
        field: `${field}.${n}`,
        expected: `a Float32Array of shape [${want}]`,
        got: h ? typeof h.data : 'missing',
      });
    if (h.shape.join() !== want.join() || h.data.length !== vars[n].size) {
      throw new FieldError({ scope: CK, field: `${field}.${n}`, expected: `shape [${want}]`, got: h.shape });
    }
  }
  const extra = Object.keys(have).filter((n) => !(n in vars));
  if (extra.length)
    throw new FieldError({
      scope: CK,
      field: `${field}.${extra[0]}`,
      expected: `one of this trainer's ${names.length} parameters`,
    });
  for (const n of names) assign(vars[n], have[n]);
}

/**
 * A checkpoint of `head` (step, config, RNGs, cursors) and the parameter sets: frozen synchronously, as clones, before
 * anything is read, so steps taken while the host reads do not leak in; the clones are freed after. `readOptimizer`
 * is an Adam snapshot reader taken at the same moment.
 */
export async function takeCheckpoint(
  head: Omit<TrainerCheckpoint, 'params' | 'phi' | 'encoder' | 'optimizer'>,
  sets: { params: Params; phi: Params; encoder: Params | null },
  readOptimizer: () => Promise<OptimizerTensor[]>,
): Promise<TrainerCheckpoint> {
  const freeze = (ps: Params) => Object.fromEntries(Object.entries(ps).map(([k, v]) => [k, tf.clone(v)]));
  const frozen = { params: freeze(sets.params), phi: freeze(sets.phi), encoder: sets.encoder && freeze(sets.encoder) };
  try {
    const [params, phi, encoder, optimizer] = [
      await exportParams(frozen.params),
      await exportParams(frozen.phi),
      frozen.encoder && (await exportParams(frozen.encoder)),
      await readOptimizer(),
    ];
    return { ...head, params, phi, encoder, optimizer };
  } finally {
    for (const ps of [frozen.params, frozen.phi, frozen.encoder ?? {}]) disposeParams(ps);
  }
}
