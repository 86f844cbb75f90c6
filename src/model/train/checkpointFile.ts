// A TrainerCheckpoint as one safetensors file (the pack build's resumable teacher run): tensors for the parameters,
// Adam's state and the batch orders, JSON metadata for the rest. Read back, it resumes through Trainer's one path.
import type { TrainConfig } from '../../core/config/config';
import { FieldError } from '../../core/base/errors';
import type { RngState } from '../../core/base/rng';
import { readSafetensors, type SafeTensor, writeSafetensors } from '../../core/pack/safetensors';
import type { HostParams } from '../params';
import { CHECKPOINT_FORMAT, checkEnvelope, type TrainerCheckpoint } from './checkpoint';

/** The metadata key holding the checkpoint's head; the caller's own metadata may use any other key. */
const HEAD_KEY = 'trainerCheckpoint';

interface Head {
  format: typeof CHECKPOINT_FORMAT;
  version: 1;
  step: number;
  config: TrainConfig;
  rng: { policy: RngState; sample: RngState };
  iterators: { key: string; pos: number; rng: RngState }[];
  optimizer: string[]; // names, in the order of the opt/<i> tensors
  encoder: boolean;
}

const SETS = ['params', 'phi', 'encoder', 'extra'] as const;
const optKey = (i: number) => `opt/${String(i).padStart(5, '0')}`;

/**
 * The bytes of `ck` (and of `extra`: host tensors the caller keeps beside it, e.g. a frozen encoder), with the caller's
 * `metadata` (a fingerprint of the settings, say).
 */
export function checkpointToBytes(
  ck: TrainerCheckpoint,
  extra: HostParams = {},
  metadata: Record<string, string> = {},
): Uint8Array {
  checkEnvelope(ck);
  if (HEAD_KEY in metadata)
    throw new FieldError({
      scope: 'checkpoint',
      field: `metadata.${HEAD_KEY}`,
      expected: 'a key the checkpoint does not use',
    });
  const tensors: Record<string, SafeTensor> = {};
  const put = (set: string, ps: HostParams | null) => {
    for (const [k, v] of Object.entries(ps ?? {}))
      tensors[`${set}/${k}`] = { dtype: 'F32', shape: v.shape, data: v.data };
  };
  put('params', ck.params);
  put('phi', ck.phi);
  put('encoder', ck.encoder);
  put('extra', extra);
  ck.optimizer.forEach((o, i) => (tensors[optKey(i)] = { dtype: 'F32', shape: o.shape, data: o.data }));
  for (const { key, state } of ck.iterators)
    tensors[`order/${key}`] = { dtype: 'I32', shape: [state.order.length], data: state.order };
  const head: Head = {
    format: ck.format,
    version: ck.version,
    step: ck.step,
    config: ck.config,
    rng: ck.rng,
    iterators: ck.iterators.map(({ key, state }) => ({ key, pos: state.pos, rng: state.rng })),
    optimizer: ck.optimizer.map((o) => o.name),
    encoder: ck.encoder != null,
  };
  return writeSafetensors(tensors, { ...metadata, [HEAD_KEY]: JSON.stringify(head) });
}

/** A checkpoint file read back: the checkpoint, the extra tensors and the caller's metadata. Errors name the field. */
export function checkpointFromBytes(
  bytes: Uint8Array,
  fileName: string,
): { checkpoint: TrainerCheckpoint; extra: HostParams; metadata: Record<string, string> } {
  const f = readSafetensors(bytes, fileName);
  const { [HEAD_KEY]: raw, ...metadata } = f.metadata;
  let head: Head;
  try {
    head = JSON.parse(raw ?? '') as Head;
  } catch {
    throw new FieldError({
      scope: fileName,
      field: `metadata.${HEAD_KEY}`,
      expected: 'the JSON head of a trainer checkpoint',
    });
  }
  const sets: Record<(typeof SETS)[number], HostParams> = { params: {}, phi: {}, encoder: {}, extra: {} };
  for (const [name, t] of Object.entries(f.tensors)) {
    const slash = name.indexOf('/');
    const set = name.slice(0, slash) as (typeof SETS)[number];
    if (SETS.includes(set) && t.dtype === 'F32') sets[set][name.slice(slash + 1)] = { shape: t.shape, data: t.data };
  }
  const tensor = <D extends SafeTensor['dtype']>(name: string, dtype: D) => {
    const t = f.tensors[name];
    if (!t || t.dtype !== dtype) throw new FieldError({ scope: fileName, field: name, expected: `a ${dtype} tensor` });
    return t as Extract<SafeTensor, { dtype: D }>;
  };
  const checkpoint: TrainerCheckpoint = {
    format: head.format,
    version: head.version,
    step: head.step,
    config: head.config,
    params: sets.params,
    phi: sets.phi,
    encoder: head.encoder ? sets.encoder : null,
    optimizer: (head.optimizer ?? []).map((name, i) => {
      const t = tensor(optKey(i), 'F32');
      return { name, shape: t.shape, data: t.data };
    }),
    rng: head.rng,
    iterators: (head.iterators ?? []).map(({ key, pos, rng }) => ({
      key,
      state: { order: tensor(`order/${key}`, 'I32').data, pos, rng },
    })),
  };
  checkEnvelope(checkpoint);
  return { checkpoint, extra: sets.extra, metadata };
}
