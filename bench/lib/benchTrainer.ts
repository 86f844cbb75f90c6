// The trainer the step benchmarks measure: a preset (student or teacher) on synthetic data of the typical pack sizes,
// in one of the bench modes. Shared by bench:step, profile:step and bench:peer so all three time the same step.
import { deriveSeed, Rng } from '../../src/core/base/rng';
import { ENCODER_PRESET, modelFor, type ModelConfig, STUDENT_PRESET, TEACHER_PRESET } from '../../src/model/configs';
import { initEncoder } from '../../src/model/encoder';
import { disposeParams } from '../../src/model/params';
import { Trainer } from '../../src/model/train/trainer';
import { syntheticData, tinyConfig } from '../../src/model/testing/tiny';

/** Typical pack sizes (DESIGN §2): V ≈ 60–90, Lp ≈ 14, A ≈ 10. */
export const BENCH_TEXT = { vocabSize: 80, Lp: 14, A: 10 };

export type BenchMode = 'ce' | 'all-no-seq' | 'all' | 'teacher-build';
export const BENCH_MODES: Record<BenchMode, string> = {
  ce: 'CE only (frozen encoder, cached features)',
  'all-no-seq': 'CE + KD fkl dense + hidden + affinity + attention (cached targets)',
  all: 'all + seqCE (20 % of labeled rows with a differing teacher answer → second forward on a bucketed sub-batch)',
  'teacher-build': 'pack build: CE only, encoder trained jointly (no feature cache)',
};

export interface BenchTrainer {
  tr: Trainer;
  model: ModelConfig;
  dispose(): void;
}

/** Build the benchmark's trainer for `preset` ('student' | 'teacher') in `mode` at batch size `batch` (1..512). */
export function benchTrainer(preset: string, mode: BenchMode, batch: number): BenchTrainer {
  const enc = ENCODER_PRESET;
  const shape = preset === 'teacher' ? TEACHER_PRESET : STUDENT_PRESET;
  const model: ModelConfig = modelFor(shape, enc, BENCH_TEXT);
  const data = syntheticData(enc, model, {
    N: 512,
    labeled: 448,
    targets: 'dense',
    hiddenDim: TEACHER_PRESET.d,
    teacherAgree: 0.8,
    seed: 3,
  });
  const encParams = initEncoder(enc, new Rng(deriveSeed(1, 'enc')));
  const weights =
    mode === 'all'
      ? { ce: 1, seq: 1, kd: 1, hidden: 1, affinity: 1, attention: 1 }
      : mode === 'all-no-seq'
        ? { ce: 1, seq: 0, kd: 1, hidden: 1, affinity: 1, attention: 1 }
        : { ce: 1, seq: 0, kd: 0, hidden: 0, affinity: 0, attention: 0 };
  const config = tinyConfig({ weights, optim: { batchSize: batch, lr: 1e-3 }, data: { useUnlabeled: mode === 'all' } });
  const trainData =
    mode === 'teacher-build' ? { ...data, targets: undefined, teacherAnswerIds: undefined, kdIds: undefined } : data;
  const tr = new Trainer({
    model,
    encoder: { config: enc, params: encParams },
    config,
    data: trainData,
    trainEncoder: mode === 'teacher-build',
  });
  return {
    tr,
    model,
    dispose() {
      tr.dispose();
      disposeParams(encParams);
    },
  };
}
