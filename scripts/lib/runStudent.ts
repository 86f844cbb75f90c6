// One student run on a pack, built exactly as the lab builds it (src/model/studentRun.ts: config fitted to the pack,
// checked weights, the online teacher when the config needs it): trains totalSteps, returns val exact match per family.
import * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../../src/core/config/config';
import type { Pack } from '../../src/core/pack/pack';
import { FieldError } from '../../src/core/base/errors';
import { SPLIT } from '../../src/core/kd/terms';
import { indicesOf } from '../../src/model/fromPack';
import { cloneParams, disposeParams, type Params } from '../../src/model/params';
import { buildStudentRun, hasTeacherWeights, type StudentRun } from '../../src/model/studentRun';
import { readStep } from '../../src/model/train/trainer';

/** One point of a run's val curve (DESIGN §6c): exact match in percent on the lab's fixed val samples and on all. */
export interface CurvePoint {
  step: number;
  val250: number; // the first VAL_FIXED val samples (the lab's live race evaluation)
  valAll: number; // every val sample
}
/** The lab's fixed val samples of a race (DESIGN §6b: ≥ 250). */
export const VAL_FIXED = 250;

export interface StudentRunResult {
  overall: number; // exact match on `split` (val by default), percent, at the end of the budget
  perFamily: Record<string, number>;
  split: 'val' | 'test'; // which split overall and perFamily are measured on
  curve?: CurvePoint[]; // with curveEvery
  bestStep?: number; // with curveEvery: the curve's step of highest valAll (the early-stopping point)
  bestValOverall?: number; // its valAll
  bestOverall?: number; // exact match on `split` of the weights at bestStep
  bestPerFamily?: Record<string, number>;
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
  /** Val curve every N steps (and at the end): val250 and valAll, with the best-valAll step's weights kept (§6c). */
  curveEvery?: number;
  /** The split the reported numbers are measured on: 'test' for the fair study (nothing else reads it); default 'val'. */
  split?: 'val' | 'test';
}

/** A curve point from two evaluations: the fixed val samples, then the rest (every val sample = their union). */
async function curvePoint(run: StudentRun, step: number, val: readonly number[]): Promise<CurvePoint> {
  const params = run.trainer.params;
  const a = await run.score(val.slice(0, VAL_FIXED), params);
  const b = val.length > VAL_FIXED ? await run.score(val.slice(VAL_FIXED), params) : null;
  const sum = (x: number[]) => x.reduce((p, q) => p + q, 0);
  const right = sum(a.right) + (b ? sum(b.right) : 0);
  const n = sum(a.counts) + (b ? sum(b.counts) : 0);
  return { step, val250: a.overall, valAll: (100 * right) / n };
}

/** Whether a config needs the online teacher (DESIGN §6b: F3 all positions, F11 on-policy). */
export function needsTeacher(cfg: TrainConfig): boolean {
  return cfg.kd.allPositions || cfg.kd.source === 'online' || cfg.onPolicy.lambda > 0;
}

export async function runStudent(
  pack: Pack,
  cfg: TrainConfig,
  opts: RunStudentOptions = {},
): Promise<StudentRunResult> {
  const teacher = opts.teacher ?? needsTeacher(cfg);
  if (needsTeacher(cfg) && !hasTeacherWeights(pack)) {
    throw new FieldError({
      field: 'tensor teacher.*',
      expected: 'teacher weights in the pack (all positions, online teacher and on-policy run the teacher)',
      hint: 'use a pack with teacher.* or a cached-teacher condition',
    });
  }
  const run = buildStudentRun(pack, cfg, { name: 'pack', evalSamples: opts.evalSamples, teacher });
  const split = opts.split ?? 'val';
  const val = indicesOf(pack, SPLIT.val);
  const reported = split === 'test' ? indicesOf(pack, SPLIT.test) : val;
  if (!reported.length)
    throw new FieldError({
      field: 'tensor split',
      expected: `samples of the ${split} split (code ${split === 'test' ? SPLIT.test : SPLIT.val})`,
      got: 0,
    });
  let best: { step: number; valAll: number; params: Params } | null = null;
  let result: StudentRunResult;
  try {
    const trace: StudentRunResult['trace'] = [];
    const curve: CurvePoint[] = [];
    const steps = run.config.optim.totalSteps;
    let trainMs = 0;
    for (let s = 0; s < steps; s++) {
      const t0 = performance.now();
      const r = await readStep(run.trainer.step());
      trainMs += performance.now() - t0;
      if (s % 10 === 0 || s === steps - 1) trace.push({ step: s, total: r.total, ce: r.ce, kd: r.kd });
      if (opts.curveEvery && ((s + 1) % opts.curveEvery === 0 || s + 1 === steps)) {
        const pt = await curvePoint(run, s + 1, val);
        curve.push(pt);
        if (!best || pt.valAll > best.valAll) {
          if (best) disposeParams(best.params);
          best = { step: s + 1, valAll: pt.valAll, params: cloneParams(run.trainer.params) };
        }
      }
      if (opts.evalEvery && (s + 1) % opts.evalEvery === 0 && s + 1 < steps) {
        const ev = await run.accuracy();
        trace.push({ step: s + 1, total: NaN, ce: NaN, kd: NaN, valOverall: ev.overall });
        opts.log?.(`  step ${s + 1}: val ${ev.overall.toFixed(1)}%  (${(trainMs / (s + 1)).toFixed(0)} ms/step)`);
      }
    }
    const fams = pack.meta.families;
    const byFamily = (x: number[]) => Object.fromEntries(fams.map((f, i) => [f, x[i]]));
    const ev = opts.split || opts.curveEvery ? await run.score(reported, run.trainer.params) : await run.accuracy();
    const atBest = best ? await run.score(reported, best.params) : null;
    result = {
      overall: ev.overall,
      perFamily: byFamily(Array.from(ev.perFamily)),
      split,
      ...(opts.curveEvery
        ? {
            curve,
            bestStep: best!.step,
            bestValOverall: best!.valAll,
            bestOverall: atBest!.overall,
            bestPerFamily: byFamily(Array.from(atBest!.perFamily)),
          }
        : {}),
      steps,
      seconds: trainMs / 1000,
      msPerStep: trainMs / steps,
      trace,
    };
  } finally {
    if (best) disposeParams(best.params);
    run.dispose();
  }
  if (tf.memory().numTensors > 10_000)
    throw new Error(`runStudent: ${tf.memory().numTensors} tensors alive after a run (leak)`);
  return result;
}
