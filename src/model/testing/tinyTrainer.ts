// Test kit for the trainer's tests (trainer.test.ts, guard.test.ts): the tiny student and a wider teacher, synthetic
// data with every target kind, a trainer of a config patch, and the backend set-up that makes the encoder and teacher.
import { afterAll, beforeAll } from 'vitest';
import type { DeepPartial, TrainConfig } from '../../core/config/config';
import { Rng } from '../../core/base/rng';
import { initBackend } from '../backend';
import { initEncoder } from '../encoder';
import { initLlava } from '../llava';
import { disposeParams, type Params } from '../params';
import { Trainer, type TrainerInit } from '../train/trainer';
import { syntheticData, TINY_ENC, tinyConfig, tinyModel } from './tiny';

/** Every term on (the weights a "flat tensor count" or a resume check wants). */
export const ALL_TERMS = { weights: { ce: 1, seq: 0.5, kd: 1, hidden: 0.5, affinity: 1, attention: 1 } };

export function tinyTrainerKit() {
  const m = tinyModel();
  const tm = tinyModel({ d: 24 });
  const data = syntheticData(TINY_ENC, m, { N: 24, labeled: 16, targets: 'both', hiddenDim: 24, topK: 4 });
  const kit = {
    m,
    tm,
    data,
    enc: {} as Params, // the frozen encoder, made by setup()
    teacher: { config: tm, params: {} as Params }, // the online teacher, made by setup()
    /** A trainer of `patch` over the tiny config, on the kit's data, encoder and teacher. */
    make(patch: DeepPartial<TrainConfig>, extra: Partial<TrainerInit> = {}): Trainer {
      return new Trainer({
        model: m,
        encoder: { config: TINY_ENC, params: kit.enc },
        config: tinyConfig(patch),
        data,
        teacher: kit.teacher,
        ...extra,
      });
    },
    /** beforeAll / afterAll of a describe block: the backend, then the encoder and the teacher (seeds 1 and 2). */
    setup(backend: 'cpu' | 'wasm'): void {
      beforeAll(async () => {
        await initBackend(backend);
        kit.enc = initEncoder(TINY_ENC, new Rng(1));
        kit.teacher = { config: tm, params: initLlava(tm, new Rng(2)) };
      });
      afterAll(() => {
        disposeParams(kit.enc);
        disposeParams(kit.teacher.params);
      });
    },
  };
  return kit;
}
