// The worker's run loop: steps every lane (student) in lockstep — one today, 1–4 in a race (DESIGN §6b) — batches
// their metrics into ~100 ms deltas (one data() for all lanes), and spaces val evaluation and the sample view.
import * as tf from '@tensorflow/tfjs-core';
import { TERM_NAMES, TERM_WIDTH as NW, VALUE_WIDTH as NV } from '../core/terms';
import type { Trainer } from '../model/trainer';
import type { RunStatus, SampleView, WorkerToUi } from './protocol';

/** What one val evaluation of a lane reports (the `eval` message's payload). */
export interface LaneEval {
  overall: number; // percent exact match on the val subset
  perFamily: Float32Array; // [families] percent
  valLoss: Float32Array; // [3] total, CE, KD on a fixed val batch
  alignment: Float32Array; // [S, A] per-position divergence
}

/** One student the loop steps: its trainer, its val evaluation and its sample view. */
export interface Lane {
  readonly trainer: Trainer;
  evaluate(): Promise<LaneEval>;
  sampleView(index: number, k: number): Promise<SampleView>;
}

/** Where the loop's messages go; `lane` says which lane a metrics / eval message is about (the selected one else). */
export type LoopSend = (msg: WorkerToUi, lane: number) => void;
/** Run `fn` on the worker's one message-and-step queue (errors are reported there). */
export type Enqueue = (fn: () => Promise<void> | void) => Promise<void>;

export interface RunLoopOptions {
  reportMs?: number; // metrics delta interval (default 100)
  sampleMs?: number; // heatmap / sample view interval while running (default 500)
}

interface Pending {
  values: tf.Tensor1D; // [VALUE_WIDTH] VALUE_NAMES
  step: number;
  lr: number;
  weights: number[]; // [TERM_WIDTH] TERM_NAMES order
}

/**
 * Yield to the event loop (a macrotask, so queued messages run) without setTimeout's 4 ms clamp: a MessageChannel
 * in the worker; setImmediate in Node, where a self-posting MessagePort would starve timers.
 */
export function makeYield(): { next: () => Promise<void>; close: () => void } {
  const si = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  if (si) return { next: () => new Promise((r) => si(r)), close: () => {} };
  if (typeof MessageChannel === 'undefined') return { next: () => new Promise((r) => setTimeout(r, 0)), close: () => {} };
  const ch = new MessageChannel();
  const waiters: (() => void)[] = [];
  ch.port1.onmessage = () => waiters.shift()?.();
  return {
    next: () =>
      new Promise<void>((r) => {
        waiters.push(r);
        ch.port2.postMessage(0);
      }),
    close: () => {
      ch.port1.close();
      ch.port2.close();
    },
  };
}

export class RunLoop {
  private lanes: Lane[] = [];
  private pending: Pending[][] = []; // per lane, steps not yet reported
  private status: RunStatus = 'loading';
  private running = false;
  private looping = false;
  private windowStart = 0;
  private lastSample = 0;
  private sampleGap = 0; // ms between sample views while running: sampleMs, or 4× the last view's cost when slower
  private lastEvalStep = -1;
  private readonly yielder = makeYield();
  private readonly reportMs: number;
  private readonly sampleMs: number;
  evalEvery = 50; // steps between val evaluations (0 = never)
  sampleIndex = 0; // the sample view's index into the val subset
  heatK = 8; // teacher tokens per position in the sample view
  selected = 0; // the lane whose sample view is shown

  constructor(
    private readonly send: LoopSend,
    private readonly enqueue: Enqueue,
    opts: RunLoopOptions = {},
  ) {
    this.reportMs = opts.reportMs ?? 100;
    this.sampleMs = opts.sampleMs ?? 500;
  }

  get hasLanes(): boolean {
    return this.lanes.length > 0;
  }

  private get lead(): Lane {
    return this.lanes[Math.min(this.selected, this.lanes.length - 1)];
  }

  /** Steps done (every lane has done the same). */
  get step(): number {
    return this.lanes.length ? this.lead.trainer.stepCount : 0;
  }

  setStatus(status: RunStatus, reason?: string): void {
    this.status = status;
    this.send({ type: 'status', status, step: this.step, reason }, this.selected);
  }

  /** Stop stepping at the next step boundary (synchronous: before queued work runs). */
  halt(): void {
    this.running = false;
  }

  /** Halt and drop unreported steps (their values are freed, never sent). */
  clear(): void {
    this.running = false;
    this.pending.forEach((lane) => lane.forEach((p) => p.values.dispose()));
    this.pending = this.lanes.map(() => []);
  }

  /** Step these lanes from now on (a new pack, a reset); the next refresh evaluates them. The caller owns them. */
  setLanes(lanes: Lane[]): void {
    this.clear();
    this.lanes = lanes;
    this.pending = lanes.map(() => []);
    this.lastEvalStep = -1;
  }

  play(): void {
    if (!this.hasLanes) return;
    this.running = true;
    this.windowStart = performance.now();
    this.setStatus('running');
    void this.loop();
  }

  async pause(reason?: 'user' | 'hidden'): Promise<void> {
    this.running = false;
    await this.flush();
    if (this.hasLanes) this.setStatus('paused', reason);
  }

  /** Exactly one step of every lane, reported at once (ignored while running). */
  async stepOnce(): Promise<void> {
    if (!this.hasLanes || this.running) return;
    this.windowStart = performance.now();
    await this.tick(true);
  }

  /** Evaluate (at step 0, or when due) and post a sample view now: after a pack loads or a reset. */
  refresh(): Promise<void> {
    return this.afterStep(true);
  }

  async setSample(index: number): Promise<void> {
    this.sampleIndex = index;
    if (this.hasLanes) await this.sendSample();
  }

  async setHeatK(k: number): Promise<void> {
    this.heatK = Math.max(1, Math.floor(k));
    if (this.hasLanes) await this.sendSample();
  }

  /** Free what the loop holds (not the lanes) and its yield channel. */
  close(): void {
    this.clear();
    this.lanes = [];
    this.pending = [];
    this.yielder.close();
  }

  private async loop(): Promise<void> {
    if (this.looping) return;
    this.looping = true;
    try {
      while (this.running) {
        await this.enqueue(() => (this.running ? this.tick(false) : undefined));
        await this.yielder.next();
      }
    } finally {
      this.looping = false;
    }
  }

  /** One step of every lane, in order; report when the interval is up (or always, for a single step). */
  private async tick(single: boolean): Promise<void> {
    this.lanes.forEach((lane, i) => {
      const c = lane.trainer.config;
      const r = lane.trainer.step();
      this.pending[i].push({ values: r.values, step: r.step, lr: r.lr, weights: TERM_NAMES.map((n) => c.weights[n]) });
    });
    const now = performance.now();
    if (single || now - this.windowStart >= this.reportMs || this.pending[0].length >= 64) await this.flush();
    await this.afterStep(single);
  }

  /** Read every lane's pending steps with one data() and post one delta per lane. */
  async flush(): Promise<void> {
    const n = this.pending[0]?.length ?? 0;
    if (n === 0 || !this.hasLanes) return;
    const batches = this.pending;
    this.pending = this.lanes.map(() => []);
    const all = batches.flat();
    const stacked = tf.stack(all.map((p) => p.values));
    all.forEach((p) => p.values.dispose());
    const values = new Float32Array(await stacked.data());
    stacked.dispose();
    const now = performance.now();
    const dt = Math.max(1e-3, now - this.windowStart);
    this.windowStart = now;
    if (values.length !== all.length * NV) throw new Error('RunLoop: metrics rows do not match VALUE_NAMES');
    let row = 0;
    batches.forEach((batch, lane) => {
      const weights = new Float32Array(batch.length * NW);
      batch.forEach((p, i) => weights.set(p.weights, i * NW));
      const msg: WorkerToUi = {
        type: 'metrics',
        fromStep: batch[0].step,
        count: batch.length,
        values: batches.length === 1 ? values : values.slice(row * NV, (row + batch.length) * NV),
        weights,
        lr: Float32Array.from(batch.map((p) => p.lr)),
        stepsPerSec: (1000 * batch.length) / dt,
        source: this.lanes[lane].trainer.config.kd.source,
      };
      row += batch.length;
      this.send(msg, lane);
    });
  }

  /** Periodic val evaluation of every lane and the sample view (always, when forced). */
  private async afterStep(force: boolean): Promise<void> {
    const step = this.step;
    if (this.evalEvery > 0 && step !== this.lastEvalStep && (step % this.evalEvery === 0 || (force && this.lastEvalStep < 0))) {
      await this.flush();
      this.lastEvalStep = step;
      for (const [i, lane] of this.lanes.entries()) {
        const ev = await lane.evaluate();
        this.send({ type: 'eval', step, overall: ev.overall, perFamily: ev.perFamily, valLoss: ev.valLoss, alignment: ev.alignment }, i);
      }
      this.windowStart = performance.now(); // evaluation time is not training time
    }
    const now = performance.now();
    if (force || now - this.lastSample >= Math.max(this.sampleMs, this.sampleGap)) {
      await this.sendSample();
      this.windowStart += performance.now() - now;
    }
    if (force && !this.running) this.send({ type: 'status', status: this.status === 'running' ? 'paused' : this.status, step }, this.selected);
  }

  /** The sample view; on a slow backend (SwiftShader: ~4 s per view) it is spaced to ≤ ~20% of the run's time. */
  private async sendSample(): Promise<void> {
    const t0 = performance.now();
    const view = await this.lead.sampleView(this.sampleIndex, this.heatK);
    this.lastSample = performance.now();
    this.sampleGap = 4 * (this.lastSample - t0);
    this.send({ type: 'sample', view }, this.selected);
  }
}
