// The run loop's contracts: a lane it steps (trainer, chunked evaluation, sample view), an evaluation job, where
// its messages go and its options. Types only; the loop itself is runLoop.ts.
import type { Trainer } from '../model/train/trainer';
import type { SampleView, WorkerToUi } from './protocol';

/** What one val evaluation of a lane reports (the `eval` message's payload). */
export interface LaneEval {
  overall: number; // percent exact match on the val subset
  perFamily: Float32Array; // [families] percent
  valLoss: Float32Array; // [3] total, CE, KD on a fixed val batch
  alignment: Float32Array; // [S, A] per-position divergence
  bayesOverall?: number; // percent agreement with the pack's Bayes answers (absent: the pack has none, DESIGN §4c)
  bayesPerFamily?: Float32Array; // [families] percent agreement with the Bayes answers (NaN where the subset has none)
}

/** A val evaluation in chunks: next() does one chunk and resolves to the result after the last (null before). */
export interface EvalJob {
  readonly lane: number;
  readonly step: number; // the lane's step when its weights were taken
  next(): Promise<LaneEval | null>;
  cancel(): void; // free what the job holds (a removed lane, a reset)
}

/** One student the loop steps: its id, trainer, chunked val evaluation and sample view. */
export interface Lane {
  readonly id: number;
  readonly trainer: Trainer;
  startEval(): EvalJob;
  sampleView(index: number, k: number): Promise<SampleView>;
}

/** Where the loop's messages go (metrics, eval and sample messages name their lane). */
export type LoopSend = (msg: WorkerToUi) => void;
/** Run `fn` on the worker's one message-and-step queue (errors are reported there). */
export type Enqueue = (fn: () => Promise<void> | void) => Promise<void>;

export interface RunLoopOptions {
  reportMs?: number; // metrics delta interval (default 100)
  sampleMs?: number; // heatmap / sample view interval while running (default 500)
  checkpointEvery?: number; // steps between a lane's checkpoints (default CHECKPOINT_EVERY; 0 = never)
}
