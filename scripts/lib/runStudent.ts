// One student run on a pack, as the lab's default run does it: the student preset, a TrainConfig, the default
// step budget; returns val exact match per family and the loss trace. Shared by the study and the budget check.
import { SPLIT } from '../../src/core/terms';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../../src/core/config';
import type { Pack } from '../../src/core/pack';
import { modelFor, STUDENT_PRESET } from '../../src/model/configs';
import { evaluate } from '../../src/model/evaluate';
import { encoderConfigOf, indicesOf, trainDataOf, weightsOf } from '../../src/model/fromPack';
import { disposeParams, loadParams } from '../../src/model/params';
import { readStep, Trainer } from '../../src/model/trainer';

export interface StudentRunResult {
  overall: number; // val exact match, percent
  perFamily: Record<string, number>;
  steps: number;
  seconds: number; // training wall time (excl. evaluation)
  msPerStep: number;
  trace: { step: number; total: number; ce: number; kd: number; valOverall?: number }[];
}

export async function runStudent(pack: Pack, cfg: TrainConfig, opts: { evalEvery?: number; log?: (s: string) => void } = {}): Promise<StudentRunResult> {
  const enc = encoderConfigOf(pack);
  const encParams = loadParams(weightsOf(pack, 'encoder.'), '', undefined, 'pack encoder');
  const model = modelFor(STUDENT_PRESET, enc, { vocabSize: pack.dims.V, Lp: pack.dims.Lp, A: pack.dims.A });
  const data = trainDataOf(pack);
  const trainer = new Trainer({ model, encoder: { config: enc, params: encParams }, config: cfg, data });
  const val = indicesOf(pack, SPLIT.val);
  const evalData = { images: pack.tensors.images, promptIds: pack.tensors.prompt_ids, answerIds: pack.tensors.answer_ids, family: pack.tensors.family };
  const fams = pack.meta.families;
  const trace: StudentRunResult['trace'] = [];
  const steps = cfg.optim.totalSteps;
  let trainMs = 0;
  for (let s = 0; s < steps; s++) {
    const t0 = performance.now();
    const r = await readStep(trainer.step());
    trainMs += performance.now() - t0;
    if (s % 10 === 0 || s === steps - 1) trace.push({ step: s, total: r.total, ce: r.ce, kd: r.kd });
    if (opts.evalEvery && (s + 1) % opts.evalEvery === 0 && s + 1 < steps) {
      const ev = await evaluate({ config: model, params: trainer.params }, { config: enc, params: encParams }, evalData, val, fams.length, { features: trainer.features });
      trace.push({ step: s + 1, total: NaN, ce: NaN, kd: NaN, valOverall: ev.overall });
      opts.log?.(`  step ${s + 1}: val ${ev.overall.toFixed(1)}%  (${(trainMs / (s + 1)).toFixed(0)} ms/step)`);
    }
  }
  const ev = await evaluate({ config: model, params: trainer.params }, { config: enc, params: encParams }, evalData, val, fams.length, { features: trainer.features });
  trainer.dispose();
  disposeParams(encParams);
  if (tf.memory().numTensors > 10_000) throw new Error(`runStudent: ${tf.memory().numTensors} tensors alive after a run (leak)`);
  return {
    overall: ev.overall,
    perFamily: Object.fromEntries(fams.map((f, i) => [f, ev.perFamily[i]])),
    steps,
    seconds: trainMs / 1000,
    msPerStep: trainMs / steps,
    trace,
  };
}
