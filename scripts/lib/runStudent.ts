// One student run on a pack, built exactly as the lab builds it (src/model/studentRun.ts: config fitted to the pack,
// checked weights, the online teacher when the config needs it): trains totalSteps, returns val exact match per family.
import * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../../src/core/config';
import type { Pack } from '../../src/core/pack';
import { FieldError } from '../../src/core/errors';
import { buildStudentRun, hasTeacherWeights } from '../../src/model/studentRun';
import { readStep } from '../../src/model/trainer';

export interface StudentRunResult {
  overall: number; // val exact match, percent
  perFamily: Record<string, number>;
  steps: number;
  seconds: number; // training wall time (excl. evaluation)
  msPerStep: number;
  trace: { step: number; total: number; ce: number; kd: number; valOverall?: number }[];
}

export interface RunStudentOptions {
  evalEvery?: number; // val exact match every E steps too (the budget curve)
  evalSamples?: number; // the first n val samples (the lab's live chart: 100); default every val sample
  log?: (s: string) => void;
  /** Load the pack's teacher online. Default: when the config needs it (all positions, online source, on-policy). */
  teacher?: boolean;
}

/** Whether a config needs the online teacher (DESIGN §6b: F3 all positions, F11 on-policy). */
export function needsTeacher(cfg: TrainConfig): boolean {
  return cfg.kd.allPositions || cfg.kd.source === 'online' || cfg.onPolicy.lambda > 0;
}

export async function runStudent(pack: Pack, cfg: TrainConfig, opts: RunStudentOptions = {}): Promise<StudentRunResult> {
  const teacher = opts.teacher ?? needsTeacher(cfg);
  if (needsTeacher(cfg) && !hasTeacherWeights(pack)) {
    throw new FieldError({ field: 'tensor teacher.*', expected: 'teacher weights in the pack (all positions, online teacher and on-policy run the teacher)', hint: 'use a pack with teacher.* or a cached-teacher condition' });
  }
  const run = buildStudentRun(pack, cfg, { name: 'pack', evalSamples: opts.evalSamples, teacher });
  let result: StudentRunResult;
  try {
    const trace: StudentRunResult['trace'] = [];
    const steps = run.config.optim.totalSteps;
    let trainMs = 0;
    for (let s = 0; s < steps; s++) {
      const t0 = performance.now();
      const r = await readStep(run.trainer.step());
      trainMs += performance.now() - t0;
      if (s % 10 === 0 || s === steps - 1) trace.push({ step: s, total: r.total, ce: r.ce, kd: r.kd });
      if (opts.evalEvery && (s + 1) % opts.evalEvery === 0 && s + 1 < steps) {
        const ev = await run.accuracy();
        trace.push({ step: s + 1, total: NaN, ce: NaN, kd: NaN, valOverall: ev.overall });
        opts.log?.(`  step ${s + 1}: val ${ev.overall.toFixed(1)}%  (${(trainMs / (s + 1)).toFixed(0)} ms/step)`);
      }
    }
    const ev = await run.accuracy();
    const fams = pack.meta.families;
    result = {
      overall: ev.overall,
      perFamily: Object.fromEntries(fams.map((f, i) => [f, ev.perFamily[i]])),
      steps,
      seconds: trainMs / 1000,
      msPerStep: trainMs / steps,
      trace,
    };
  } finally {
    run.dispose();
  }
  if (tf.memory().numTensors > 10_000) throw new Error(`runStudent: ${tf.memory().numTensors} tensors alive after a run (leak)`);
  return result;
}
