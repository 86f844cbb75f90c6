// What a trainer is built from (TrainerInit) and the checks that its parts agree before anything is allocated: the
// encoder's geometry, the teacher's shapes, the data, the cached hidden width and the features given; φ's seeded init.
import type * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../../core/config/config';
import { FieldError } from '../../core/base/errors';
import { deriveSeed, Rng } from '../../core/base/rng';
import { type EncoderConfig, encoderGeometry, type ModelConfig } from '../configs';
import { linearSpecs } from '../layers';
import { initParams, type Params } from '../params';
import type { TrainerCheckpoint } from './checkpoint';
import { type TrainData, validateTrainData } from './data';

export interface TrainerInit {
  model: ModelConfig; // the model being trained (student, or the teacher in the pack builder)
  encoder: { config: EncoderConfig; params: Params }; // frozen unless trainEncoder; not owned by the trainer
  config: TrainConfig;
  data: TrainData;
  teacher?: { config: ModelConfig; params: Params }; // online teacher (kd.source 'online', allPositions, on-policy); not owned
  trainEncoder?: boolean; // train the encoder too in stage 2 (teacher training); no feature cache then
  /**
   * Frozen-encoder features of all N samples [N, P, dV], computed by the caller (once per pack, possibly on another
   * backend: see encodeAllVia); not owned. Default: encodeAll on the active backend, owned by the trainer.
   */
  features?: tf.Tensor3D;
  /** Called with a batch's sample indices before `features` is read for them (a cache filled on demand: LazyFeatures). */
  ensureFeatures?: (indices: readonly number[]) => void;
  init?: Params; // initial model values (copied); default: seeded init
  /** Continue from a checkpoint (its config replaces `config`; params, φ, Adam, step, cursor and RNGs are loaded). */
  resume?: TrainerCheckpoint;
}

/** The model against the encoder (P, dV) and the teacher (vocab, P, Lp, A, dV), then the data; returns N and P. */
export function checkInitParts(model: ModelConfig, init: TrainerInit): { N: number; P: number } {
  const enc = init.encoder.config;
  const { P } = encoderGeometry(enc);
  if (P !== model.P || enc.dV !== model.dV) {
    throw new FieldError({
      field: 'model.P/dV',
      expected: `the encoder's ${P}/${enc.dV}`,
      got: `${model.P}/${model.dV}`,
    });
  }
  const t = init.teacher?.config;
  if (t) {
    for (const k of ['vocabSize', 'P', 'Lp', 'A', 'dV'] as const) {
      if (t[k] !== model[k])
        throw new FieldError({ field: `teacher.config.${k}`, expected: `the student's ${model[k]}`, got: t[k] });
    }
  }
  const N = validateTrainData(init.data, model, enc.height * enc.width * enc.channels);
  return { N, P };
}

/**
 * φ for the hidden term (phi.fc1: d → hiddenProjDim, phi.fc2: → d_h), seeded from the config's seed; null without a
 * teacher hidden width (the cached targets' hiddenDim, which must match the online teacher's d, else the teacher's d).
 */
export function initPhi(model: ModelConfig, cfg: TrainConfig, init: TrainerInit): Params | null {
  const t = init.teacher?.config;
  const dhCached = init.data.targets?.hiddenDim;
  if (dhCached !== undefined && t && dhCached !== t.d) {
    throw new FieldError({ field: 'data.targets.hiddenDim', expected: `the teacher's d = ${t.d}`, got: dhCached });
  }
  const dh = dhCached ?? t?.d;
  if (!dh) return null;
  const hp = cfg.hiddenProjDim || dh;
  const specs = { ...linearSpecs('phi.fc1', model.d, hp), ...linearSpecs('phi.fc2', hp, dh) };
  return initParams(specs, new Rng(deriveSeed(cfg.seed, 'phi')));
}

/** Features given by the caller must be [N, P, dV] (unless the encoder trains: then they are not used). */
export function checkFeatures(init: TrainerInit, N: number, P: number): void {
  const f = init.features;
  const enc = init.encoder.config;
  if (f && !init.trainEncoder && f.shape.join() !== [N, P, enc.dV].join()) {
    throw new FieldError({
      field: 'features',
      expected: `shape [${N}, ${P}, ${enc.dV}] (N, P, dV)`,
      got: f.shape,
    });
  }
}
