// The worker's run loop: steps every lane (student) of the race in lockstep (DESIGN §6b), batches their metrics into
// ~100 ms deltas (one data() for all lanes), runs val evaluations a chunk per race step, and spaces the sample views.
import * as tf from '@tensorflow/tfjs-core';
import { withFaults } from '../model/train/faults';
import { TERM_NAMES, TERM_WIDTH as NW, VALUE_WIDTH as NV } from '../core/terms';
import { CHECKPOINT_EVERY, type RunStatus } from './protocol';
import type { Enqueue, EvalJob, Lane, LaneEval, LoopSend, RunLoopOptions } from './runLoopTypes';
import { freshHealth, type LaneHealth, type Pending, segments, settleRows } from './stepRows';
import { makeYield } from './yieldNow';

export type { Enqueue, EvalJob, Lane, LaneEval, LoopSend, RunLoopOptions } from './runLoopTypes';

export class RunLoop {
  private lanes: Lane[] = [];
  private pending = new Map<number, Pending[]>(); // per lane id, steps not yet reported
  private status: RunStatus = 'loading';
  private running = false;
  private looping = false;
  private windowStart = 0;
  private lastSample = 0;
  private sampleGap = 0; // ms between sample views while running: sampleMs, or 4× the last view's cost when slower
  private lastEval = new Map<number, number>(); // lane id → the step of its latest evaluation (started)
  private jobs: EvalJob[] = []; // evaluations in progress, oldest first
  private draining: Promise<void> | null = null; // the background drain of evaluations while paused (drainSoon)
  private drainThenShow = false; // the drain ends with a sample view and the status (a refresh)
  private chunkLock: Promise<unknown> = Promise.resolve(); // one evaluation chunk at a time
  private health = new Map<number, LaneHealth>(); // per lane id
  checkpointEvery = CHECKPOINT_EVERY; // steps between a lane's checkpoints (0 = never)
  private readonly yielder = makeYield();
  private readonly reportMs: number;
  private readonly sampleMs: number;
  evalEvery = 50; // steps between val evaluations (0 = never)
  sampleIndex = 0; // the sample view's index into the val subset
  heatK = 8; // teacher tokens per position in the sample view
  selected = 0; // the lane id whose sample view is shown
  compare: number | null = null; // a second lane shown on the same sample

  constructor(
    private readonly send: LoopSend,
    private readonly enqueue: Enqueue,
    opts: RunLoopOptions = {},
  ) {
    this.reportMs = opts.reportMs ?? 100;
    this.sampleMs = opts.sampleMs ?? 500;
    this.checkpointEvery = opts.checkpointEvery ?? CHECKPOINT_EVERY;
  }

  get hasLanes(): boolean {
    return this.lanes.length > 0;
  }

  private get lead(): Lane {
    return this.lanes.find((l) => l.id === this.selected) ?? this.lanes[0];
  }

  /** The race step: the furthest lane's step (a lane added mid-race starts at 0 and steps with the others). */
  get step(): number {
    return this.lanes.reduce((m, l) => Math.max(m, l.trainer.stepCount), 0);
  }

  get isRunning(): boolean {
    return this.running;
  }

  setStatus(status: RunStatus, reason?: string): void {
    this.status = status;
    this.send({ type: 'status', status, step: this.step, reason });
  }

  /** Stop stepping at the next step boundary (synchronous: before queued work runs). */
  halt(): void {
    this.running = false;
  }

  /** Halt and drop unreported steps and evaluations in progress (their tensors are freed, never sent). */
  clear(): void {
    this.running = false;
    this.pending.forEach((rows) => rows.forEach((p) => p.values.dispose()));
    this.pending = new Map(this.lanes.map((l) => [l.id, []]));
    this.jobs.forEach((j) => j.cancel());
    this.jobs = [];
  }

  /** Step these lanes from now on (a new pack, a new race, a reset); the next refresh evaluates them. Caller owns them. */
  setLanes(lanes: Lane[]): void {
    this.clear();
    this.lanes = lanes;
    this.pending = new Map(lanes.map((l) => [l.id, []]));
    this.health = new Map(lanes.map((l) => [l.id, freshHealth(l)]));
    this.lastEval.clear();
  }

  /** A lane joins at the next race step (its first evaluation comes with the next refresh or due step). */
  addLane(lane: Lane): void {
    this.lanes = [...this.lanes, lane];
    this.pending.set(lane.id, []);
    this.health.set(lane.id, freshHealth(lane));
  }

  /** Report what a lane has pending, then stop stepping it (the caller frees it afterwards). */
  async removeLane(id: number): Promise<void> {
    await this.flush();
    this.jobs = this.jobs.filter((j) => (j.lane === id ? (j.cancel(), false) : true));
    this.lanes = this.lanes.filter((l) => l.id !== id);
    this.pending.delete(id);
    this.health.delete(id);
    this.lastEval.delete(id);
    if (this.selected === id) this.selected = this.lanes[0]?.id ?? 0;
    if (this.compare === id) this.compare = null;
  }

  play(): void {
    if (!this.hasLanes) return;
    this.running = true;
    this.windowStart = performance.now();
    this.setStatus('running');
    void this.loop();
  }

  /** Report what is pending and say paused; the evaluations in progress finish in the background (drainSoon). */
  async pause(reason?: 'user' | 'hidden'): Promise<void> {
    this.running = false;
    await this.flush();
    if (this.hasLanes) this.setStatus('paused', reason);
    this.drainSoon(false); // a paused race shows its latest evaluations, and a play need not wait for them
  }

  /** Exactly one step of every lane, reported at once (ignored while running). */
  async stepOnce(): Promise<void> {
    if (!this.hasLanes || this.running) return;
    this.windowStart = performance.now();
    await this.tick(true);
  }

  /**
   * Start what is due (every lane never evaluated): while paused the evaluations run in the background, a chunk per
   * queue turn, followed by a sample view and the status; once running, a chunk per race step. Returns at once: a pack
   * load, a reset or an added lane never holds the queue for the step-0 evaluation of every lane.
   */
  refresh(): Promise<void> {
    this.startDue(true);
    if (!this.running) this.drainSoon(true);
    return Promise.resolve();
  }

  /** Resolves when the background drain of evaluations (after a refresh or a pause) has ended. */
  settled(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  async setSample(index: number): Promise<void> {
    this.sampleIndex = index;
    if (this.hasLanes) await this.sendSample();
  }

  async setHeatK(k: number): Promise<void> {
    this.heatK = Math.max(1, Math.floor(k));
    if (this.hasLanes) await this.sendSample();
  }

  /** Show `id`'s student in the sample view (and `compare`'s beside it). */
  async select(id: number, compare: number | null = null): Promise<void> {
    this.selected = id;
    this.compare = compare !== null && compare !== id && this.lanes.some((l) => l.id === compare) ? compare : null;
    if (this.hasLanes) await this.sendSample();
  }

  /** Free what the loop holds (not the lanes) and its yield channel. */
  close(): void {
    this.clear();
    this.lanes = [];
    this.pending.clear();
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
    let most = 0;
    for (const lane of this.lanes) {
      const c = lane.trainer.config;
      const r = lane.trainer.step();
      const rows = this.pending.get(lane.id)!;
      rows.push({ values: r.values, step: r.step, lr: r.lr, weights: TERM_NAMES.map((n) => c.weights[n]), T: c.kd.T, clipNorm: c.optim.clipNorm, baseLr: c.optim.lr });
      most = Math.max(most, rows.length);
    }
    const now = performance.now();
    if (single || now - this.windowStart >= this.reportMs || most >= 64) await this.flush();
    await this.afterStep(single);
  }

  /**
   * Read every lane's pending steps with one data(), settle each with its trainer (a non-finite step's update was
   * skipped in-graph; settle takes back Adam's count) and post one delta per lane of its finite rows. A non-finite
   * step halts the race and is reported on its own (`nonFinite`: its values never enter the curves); a diverging lane
   * gets a `warning`; a lane CHECKPOINT_EVERY steps past its last checkpoint posts a new one.
   */
  async flush(): Promise<void> {
    const batches = this.lanes.map((l) => ({ lane: l, rows: this.pending.get(l.id) ?? [] })).filter((b) => b.rows.length > 0);
    if (batches.length === 0) return;
    this.pending = new Map(this.lanes.map((l) => [l.id, []]));
    const all = batches.flatMap((b) => b.rows);
    const stacked = tf.stack(all.map((p) => p.values));
    all.forEach((p) => p.values.dispose());
    const values = new Float32Array(await stacked.data());
    stacked.dispose();
    const now = performance.now();
    const dt = Math.max(1e-3, now - this.windowStart);
    this.windowStart = now;
    if (values.length !== all.length * NV) throw new Error('RunLoop: metrics rows do not match VALUE_NAMES');
    let row = 0;
    let halted = false;
    for (const { lane, rows } of batches) {
      const lv = values.subarray(row * NV, (row + rows.length) * NV);
      row += rows.length;
      const h = this.health.get(lane.id) ?? freshHealth(lane);
      const good = settleRows(lane, rows, lv, h, this.send);
      if (good.length < rows.length) halted = true;
      for (const seg of segments(good)) this.sendRows(lane, rows, lv, seg, (1000 * rows.length) / dt);
      if (this.checkpointEvery > 0 && lane.trainer.stepCount - h.checkpointStep >= this.checkpointEvery) await this.checkpoint(lane);
    }
    if (halted && this.running) {
      this.running = false;
      this.setStatus('paused', 'non-finite');
    }
  }

  /** Post the lane's latest checkpoint now (after a flush: every step taken is settled). */
  async checkpoint(lane: Lane): Promise<void> {
    const h = this.health.get(lane.id);
    if (h) h.checkpointStep = lane.trainer.stepCount;
    this.send({ type: 'checkpoint', lane: lane.id, checkpoint: await lane.trainer.checkpoint() });
  }

  /** Checkpoint every lane that stepped since its last one (a pause: a crash while paused loses nothing). */
  async checkpointAll(): Promise<void> {
    await this.flush();
    for (const lane of this.lanes) if (lane.trainer.stepCount !== this.health.get(lane.id)?.checkpointStep) await this.checkpoint(lane);
  }

  /** Every lane's next step computes a non-finite term (the `nan` fault). */
  poisonNextStep(): void {
    for (const lane of this.lanes) withFaults(lane.trainer).poisonNextStep(); // the fault wrapper, installed on first use
  }

  /** One metrics delta: rows [from, to) of a lane's read steps (contiguous steps). */
  private sendRows(lane: Lane, rows: Pending[], lv: Float32Array, [from, to]: [number, number], stepsPerSec: number): void {
    const part = rows.slice(from, to);
    const weights = new Float32Array(part.length * NW);
    part.forEach((p, i) => weights.set(p.weights, i * NW));
    this.send({
      type: 'metrics',
      lane: lane.id,
      fromStep: part[0].step,
      count: part.length,
      values: lv.slice(from * NV, to * NV),
      weights,
      lr: Float32Array.from(part, (p) => p.lr),
      stepsPerSec,
      source: lane.trainer.config.kd.source,
    });
  }

  /** Start the evaluations that are due: a lane at a multiple of evalEvery; every lane never evaluated, when forced. */
  private startDue(force: boolean): void {
    if (this.evalEvery <= 0) return;
    for (const lane of this.lanes) {
      const s = lane.trainer.stepCount;
      const last = this.lastEval.get(lane.id);
      if (last === s || (s % this.evalEvery !== 0 && !(force && last === undefined))) continue;
      this.lastEval.set(lane.id, s);
      this.jobs.push(lane.startEval());
    }
  }

  /**
   * Start the evaluations that are due, then run one chunk of the oldest while running (all of them after a single
   * step; the rest in the background once halted), and post the sample view when its time is up.
   */
  private async afterStep(force: boolean): Promise<void> {
    this.startDue(force);
    if (this.jobs.length) {
      const t0 = performance.now();
      if (force) while (this.jobs.length) await this.runChunk();
      else if (this.running) await this.runChunk();
      else this.drainSoon(false); // halted mid-step (a pause, a non-finite step): finish them off the step's turn
      this.windowStart += performance.now() - t0; // evaluation time is not training time
    }
    const now = performance.now();
    if (force || now - this.lastSample >= Math.max(this.sampleMs, this.sampleGap)) {
      await this.sendSample();
      this.windowStart += performance.now() - now;
    }
    if (force && !this.running) this.send({ type: 'status', status: this.status === 'running' ? 'paused' : this.status, step: this.step });
  }

  /**
   * While paused, run the evaluations in progress to the end on the queue, one chunk per queue turn, so a play (or any
   * message) waits one chunk at most; stops when the race runs (its steps take over, a chunk each). `thenShow`: end
   * with a sample view and the status, as a refresh does.
   */
  private drainSoon(thenShow: boolean): void {
    this.drainThenShow ||= thenShow;
    if (this.draining) return;
    const turn = async () => {
      if (this.running) return;
      if (this.jobs.length) return this.runChunk();
      if (!this.drainThenShow || !this.hasLanes) return;
      this.drainThenShow = false;
      await this.sendSample();
      this.send({ type: 'status', status: this.status === 'running' ? 'paused' : this.status, step: this.step });
    };
    this.draining = (async () => {
      try {
        while (!this.running && this.hasLanes && (this.jobs.length > 0 || this.drainThenShow)) {
          await this.enqueue(turn);
          await this.yielder.next();
        }
      } finally {
        if (this.running) this.drainThenShow = false; // the race's steps post the sample views now
        this.draining = null;
      }
    })();
  }

  /** One chunk of the oldest evaluation (one at a time); its result is posted after the lane's pending metrics. */
  private runChunk(): Promise<void> {
    const run = this.chunkLock.then(() => this.chunkNow());
    this.chunkLock = run.catch(() => undefined);
    return run;
  }

  private async chunkNow(): Promise<void> {
    const job = this.jobs[0];
    if (!job) return;
    let ev: LaneEval | null;
    try {
      ev = await job.next();
    } catch (e) {
      this.jobs = this.jobs.filter((j) => j !== job); // a failed evaluation is dropped, not retried
      job.cancel();
      throw e;
    }
    if (!ev) return;
    this.jobs = this.jobs.filter((j) => j !== job);
    await this.flush();
    const bayes = ev.bayesPerFamily && ev.bayesOverall !== undefined ? { bayesOverall: ev.bayesOverall, bayesPerFamily: ev.bayesPerFamily } : {};
    this.send({ type: 'eval', lane: job.lane, step: job.step, overall: ev.overall, perFamily: ev.perFamily, valLoss: ev.valLoss, alignment: ev.alignment, ...bayes });
  }

  /** The sample view(s); on a slow backend (SwiftShader: ~4 s per view) they are spaced to ≤ ~20% of the run's time. */
  private async sendSample(): Promise<void> {
    const t0 = performance.now();
    const lead = this.lead;
    const views = [lead, ...this.lanes.filter((l) => l.id === this.compare && l !== lead)];
    for (const lane of views) this.send({ type: 'sample', view: await lane.sampleView(this.sampleIndex, this.heatK) });
    this.lastSample = performance.now();
    this.sampleGap = 4 * (this.lastSample - t0);
  }
}
