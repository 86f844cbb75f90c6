// The val evaluations of one pack's lanes, in chunks (DESIGN §6b: no race step stalls on a 250-sample evaluation): a
// job copies a lane's weights when it starts; lanes whose weights are bit-identical share one generation pass.
import * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../core/config/config';
import { evaluate, percents } from '../model/evaluate';
import { divergenceGrid, valTerms } from '../model/inspect';
import { disposeParams, type Params } from '../model/params';
import type { StudentRun } from '../model/studentRun';
import type { EvalJob, Evaluations as EvaluationsContract, WorkerLane, LaneEval } from './runLoopTypes';

/** Val-subset samples one evaluation chunk generates (one chunk per race step while running). */
export const EVAL_CHUNK = 64;
/** Val samples of the val CE / KD terms an evaluation reports. */
const VAL_LOSS_SAMPLES = 64;

/** One greedy-answer pass over the val subset with one copy of the weights; held by the jobs whose `pass` it is. */
interface GenPass {
  snap: Params; // the weights (copies; freed when no job holds the pass)
  cursor: number; // val-subset samples generated so far
  right: number[]; // [families] exact matches so far
  bayesRight: number[] | null; // [families] matches of the Bayes answers so far (null: the pack has none)
  counts: number[]; // [families] samples so far
}

interface Job extends EvalJob {
  readonly config: TrainConfig; // the lane's config at the start (val terms and alignment at its own settings)
  own: Params | null; // the weights copied at the start, until the job finds its pass
  pass: GenPass | null; // null: not yet found (a job not yet attached may still share any live pass)
  featCursor: number; // val-subset samples whose features are ensured
  valLoss: Float32Array | null;
  alignment: Float32Array | null;
}

/**
 * A job's chunks: first the val features it lacks, EVAL_CHUNK samples a chunk (on demand: a play waits for one such
 * chunk at most); then its pass (found or started), val CE / KD and the alignment rows at its lane's config; then
 * EVAL_CHUNK greedy answers a chunk. A lane sharing a finished pass is done in one chunk.
 */
export class Evaluations implements EvaluationsContract {
  private jobs: Job[] = []; // oldest first
  private passes: GenPass[] = [];
  /** Generation passes started (one per distinct set of weights evaluated; tests). */
  passesStarted = 0;

  constructor(
    private readonly run: StudentRun,
    private readonly alignSamples: number, // the first S val-subset samples of the alignment rows
  ) {}

  get pending(): readonly EvalJob[] {
    return this.jobs;
  }

  /** A new evaluation of `lane`'s student as it is now (its weights are copied: training goes on between chunks). */
  start(lane: WorkerLane): EvalJob {
    const t = lane.trainer;
    const own: Params = {};
    for (const [k, v] of Object.entries(t.params)) own[k] = tf.variable(v, false);
    const job: Job = {
      lane: lane.id,
      step: t.stepCount,
      config: t.config,
      own,
      pass: null,
      featCursor: 0,
      valLoss: null,
      alignment: null,
    };
    this.jobs.push(job);
    return job;
  }

  async next(handle: EvalJob): Promise<LaneEval | null> {
    const job = this.jobs.find((j) => j === handle);
    if (!job) throw new Error(`evaluation of lane ${handle.lane} at step ${handle.step}: it has ended`);
    let done: boolean;
    try {
      done = await this.advance(job);
    } catch (e) {
      this.end(job); // a failed evaluation is dropped, not retried
      throw e;
    }
    if (!done) return null;
    const out = this.result(job.valLoss!, job.alignment!, job.pass!);
    this.end(job);
    return out;
  }

  /** Every chunk of a new evaluation of `lane` at once (tests; the lab runs them a chunk per turn). */
  async evaluate(lane: WorkerLane): Promise<LaneEval> {
    const job = this.start(lane);
    for (;;) {
      const r = await this.next(job);
      if (r) return r;
    }
  }

  /** End the jobs `which` selects (default: all), freeing what they hold: a removed lane, a new race. */
  cancel(which: (j: EvalJob) => boolean = () => true): void {
    this.jobs.filter(which).forEach((j) => this.end(j));
  }

  dispose(): void {
    this.cancel();
    this.passes.forEach((p) => disposeParams(p.snap));
    this.passes = [];
  }

  /** One chunk of `job`; true once it is done. */
  private async advance(job: Job): Promise<boolean> {
    const r = this.run;
    const n = r.evalIdx.length;
    while (job.featCursor < n) {
      const part = r.evalIdx.slice(job.featCursor, job.featCursor + EVAL_CHUNK);
      job.featCursor += part.length;
      if (r.featuresReady(part)) continue;
      r.ensureFeatures(part);
      return false;
    }
    if (!job.pass) {
      const own = job.own!;
      const pass = (await this.passFor(own)) ?? this.newPass(own);
      if (pass.snap !== own) disposeParams(own);
      job.own = null;
      job.pass = pass;
      const c = job.config;
      job.valLoss = await valTerms(
        r.model,
        pass.snap,
        r.features,
        r.data,
        r.evalIdx.slice(0, VAL_LOSS_SAMPLES),
        c.kd,
        c.weights,
        r.teacher,
      );
      job.alignment = await divergenceGrid(
        r.model,
        pass.snap,
        r.features,
        r.data,
        r.evalIdx.slice(0, this.alignSamples),
        c.kd,
        r.teacher,
      );
      return pass.cursor >= n;
    }
    if (job.pass.cursor < n) await this.generateChunk(job.pass);
    return job.pass.cursor >= n;
  }

  private result(valLoss: Float32Array, alignment: Float32Array, pass: GenPass): LaneEval {
    const acc = percents(pass.right, pass.counts);
    const out: LaneEval = { overall: acc.overall, perFamily: Float32Array.from(acc.perFamily), valLoss, alignment };
    if (pass.bayesRight) {
      const b = percents(pass.bayesRight, pass.counts); // the same answers against the pack's Bayes answers
      out.bayesOverall = b.overall;
      out.bayesPerFamily = Float32Array.from(b.perFamily);
    }
    return out;
  }

  /** A live generation pass over bit-identical weights (one read of one scalar per pass compared), or null. */
  private async passFor(snap: Params): Promise<GenPass | null> {
    const keys = Object.keys(snap);
    for (const p of this.passes) {
      const same = tf.tidy(() => tf.all(tf.stack(keys.map((k) => tf.all(tf.equal(p.snap[k], snap[k]))))));
      const eq = (await same.data())[0] === 1;
      same.dispose();
      if (eq && this.passes.includes(p)) return p;
    }
    return null;
  }

  private newPass(snap: Params): GenPass {
    const nFam = this.run.pack.meta.families.length;
    const zeros = () => new Array<number>(nFam).fill(0);
    const bayes = this.run.pack.tensors.bayes_answer_ids !== undefined;
    const p: GenPass = { snap, cursor: 0, right: zeros(), counts: zeros(), bayesRight: bayes ? zeros() : null };
    this.passes.push(p);
    this.passesStarted++;
    return p;
  }

  /** The next EVAL_CHUNK greedy answers of a pass, scored exact-match per family (and against the Bayes answers). */
  private async generateChunk(p: GenPass): Promise<void> {
    const r = this.run;
    const pk = r.pack.tensors;
    const idx = r.evalIdx.slice(p.cursor, p.cursor + EVAL_CHUNK);
    const ev = await evaluate(
      { config: r.model, params: p.snap },
      r.encoder,
      {
        images: pk.images,
        promptIds: pk.prompt_ids,
        answerIds: pk.answer_ids,
        family: pk.family,
        bayesIds: pk.bayes_answer_ids,
      },
      idx,
      p.right.length,
      { features: r.features },
    );
    ev.counts.forEach((n, f) => {
      p.counts[f] += n;
      p.right[f] += ev.right[f];
      if (p.bayesRight && ev.bayes) p.bayesRight[f] += ev.bayes.right[f];
    });
    p.cursor += idx.length;
  }

  /** Drop a job and what it holds; free the passes no job holds once every job has found its pass. */
  private end(job: Job): void {
    this.jobs = this.jobs.filter((j) => j !== job);
    if (job.own) disposeParams(job.own);
    job.own = null;
    if (this.jobs.some((j) => j.pass === null)) return; // a job not yet attached may still share any pass
    for (const p of this.passes.filter((q) => !this.jobs.some((j) => j.pass === q))) disposeParams(p.snap);
    this.passes = this.passes.filter((q) => this.jobs.some((j) => j.pass === q));
  }
}
