// The run loop's contracts: a lane it steps, the race it reads them from (lanes, chunked evaluations, sample views),
// the session it serves (phase, messages, halting) and its options. Types only; the loop itself is runLoop.ts.
import type { Trainer } from '../model/train/trainer';
import type { SampleView, WorkerToUi } from './protocol';
import type { Phase } from './sessionState';

/** One student of the race: its id (chosen by the UI) and its trainer. */
export interface WorkerLane {
  readonly id: number;
  readonly trainer: Trainer;
}

/** What one val evaluation of a lane reports (the `eval` message's payload). */
export interface LaneEval {
  overall: number; // percent exact match on the val subset
  perFamily: Float32Array; // [families] percent
  valLoss: Float32Array; // [3] total, CE, KD on a fixed val batch
  alignment: Float32Array; // [S, A] per-position divergence
  bayesOverall?: number; // percent agreement with the pack's Bayes answers (absent: the pack has none, DESIGN §4c)
  bayesPerFamily?: Float32Array; // [families] percent agreement with the Bayes answers (NaN where the subset has none)
}

/** A val evaluation in progress: a lane's weights as they were at `step`. */
export interface EvalJob {
  readonly lane: number;
  readonly step: number; // the lane's step when its weights were taken
}

/** The evaluations of one pack's lanes, a chunk at a time (evaluate.ts). */
export interface Evaluations {
  readonly pending: readonly EvalJob[]; // in progress, oldest first
  start(lane: WorkerLane): EvalJob;
  /** One chunk of `job`: its result after the last chunk (the job then ends), null before; a failing job ends too. */
  next(job: EvalJob): Promise<LaneEval | null>;
}

/** The loaded race the loop steps: its lanes in order, their evaluations and sample views. */
export interface LoopRace {
  readonly lanes: readonly WorkerLane[];
  readonly evals: Evaluations;
  sampleView(lane: WorkerLane, index: number, k: number): Promise<SampleView>;
}

/** The session the loop serves: where its messages go, the phase it steps in, and a halt on a non-finite step. */
export interface LoopHost {
  send(msg: WorkerToUi): void;
  readonly phase: Phase;
  halt(reason: 'non-finite'): void;
}

export interface RunLoopOptions {
  reportMs?: number; // metrics delta interval in ms (default 100)
  sampleMs?: number; // heatmap / sample view interval in ms while running (default 500)
  checkpointEvery?: number; // steps between a lane's checkpoints (default CHECKPOINT_EVERY; 0 = never)
}
