// The worker's run loop: steps every lane (student) of the race in lockstep (DESIGN §6b), batches their metrics into
// ~100 ms deltas (one data() for all lanes), runs val evaluations a chunk per race step, and spaces the sample views.
import * as tf from '@tensorflow/tfjs-core';
import { TERM_NAMES, TERM_WIDTH as NW, VALUE_WIDTH as NV } from '../core/kd/terms';
import type { Turn } from './commandQueue';
import { CHECKPOINT_EVERY } from './protocol';
import type { WorkerLane, LoopHost, LoopRace, RunLoopOptions } from './runLoopTypes';
import { statusOf } from './sessionState';
import { freshHealth, type LaneHealth, type Pending, segments, settleRows } from './stepRows';

/**
 * The early evaluations' cadence when the link sets none (issue 29 item 2): every 25 steps up to step 300. Every 10 kept a
 * worker evaluating without pause (an evaluation costs ~12 steps): ce-vs-kd separated at the same step 550 either way,
 * 44.3 s from the cold open at 10 and 37.4 s at 25 (bench:insight, 2 workers, 2026-12-08).
 */
export const EARLY_EVAL = { every: 25, until: 300 } as const;
const EARLY_EVAL_UNTIL = EARLY_EVAL.until;

/** What the loop keeps of a lane between steps. */
interface LaneBook {
  pending: Pending[]; // steps not yet reported
  health: LaneHealth;
  lastEval?: number; // the step of its latest evaluation (started)
}

/**
 * The loop owns no lanes (the race does) and no schedule (the session's queue runs it): each call is one command's
 * work or one background turn (turn()), so nothing here runs beside anything else.
 */
export class RunLoop {
  private race: LoopRace | null = null;
  private books = new Map<WorkerLane, LaneBook>();
  private windowStart = 0;
  private lastSample = 0;
  private sampleGap = 0; // ms between sample views while running: sampleMs, or 4× the last view's cost when slower
  private showDue = false; // settling ends with a sample view and the status (after a load, a new race, an added lane)
  private readonly reportMs: number;
  private readonly sampleMs: number;
  checkpointEvery: number; // steps between a lane's checkpoints (0 = never)
  evalEvery = 50; // steps between val evaluations (0 = never)
  earlyEvery = 0; // also every this many steps up to EARLY_EVAL_UNTIL, a round skipped while one is pending (0 = off)
  sampleIndex = 0; // the sample view's index into the val subset
  heatK = 8; // teacher tokens per position in the sample view
  selected = 0; // the lane id whose sample view is shown
  compare: number | null = null; // a second lane shown on the same sample
  /** In a pool (pool.ts): race steps run only while `ticks` < gate, and each posts `progress`; null: not pooled. */
  gate: number | null = null;
  ticks = 0; // race steps run since the worker started (a pool's lockstep counts these)

  constructor(
    private readonly host: LoopHost,
    opts: RunLoopOptions = {},
  ) {
    this.reportMs = opts.reportMs ?? 100;
    this.sampleMs = opts.sampleMs ?? 500;
    this.checkpointEvery = opts.checkpointEvery ?? CHECKPOINT_EVERY;
  }

  private get lanes(): readonly WorkerLane[] {
    return this.race?.lanes ?? [];
  }

  private get lead(): WorkerLane {
    return this.lanes.find((l) => l.id === this.selected) ?? this.lanes[0];
  }

  private get running(): boolean {
    return this.host.phase === 'running';
  }

  /** The race step: the furthest lane's step (a lane added mid-race starts at 0 and steps with the others). */
  get step(): number {
    return this.lanes.reduce((m, l) => Math.max(m, l.trainer.stepCount), 0);
  }

  /** Step this race from now on (a new pack; null: none): unreported steps of the last one are dropped, never sent. */
  attach(race: LoopRace | null): void {
    this.race = null;
    this.sync();
    this.race = race;
    this.sampleIndex = 0;
    this.showDue = false;
    this.sync();
  }

  /**
   * Follow the race's lanes after a change: a new lane starts its book; a gone one (removed, or a new race) drops its
   * unreported steps (a removal flushes first) and leaves the sample view.
   */
  sync(): void {
    const lanes = this.lanes;
    for (const [lane, book] of this.books) {
      if (lanes.includes(lane)) continue;
      book.pending.forEach((p) => p.values.dispose());
      this.books.delete(lane);
    }
    for (const lane of lanes)
      if (!this.books.has(lane)) this.books.set(lane, { pending: [], health: freshHealth(lane) });
    const ids = lanes.map((l) => l.id);
    if (!ids.length) return; // no race (yet): the selection waits for one
    if (!ids.includes(this.selected)) this.selected = ids[0];
    if (this.compare !== null && !ids.includes(this.compare)) this.compare = null;
  }

  /** The race starts running: time its first delta from now; its steps post the sample views. */
  started(): void {
    this.windowStart = performance.now();
    this.showDue = false;
  }

  /** Exactly one step of every lane, reported at once, its evaluations run to the end. */
  async stepOnce(): Promise<void> {
    if (!this.lanes.length) return;
    this.windowStart = performance.now();
    await this.tick(true);
  }

  /**
   * Start what is due (every lane never evaluated). Returns at once: while the race rests the queue settles them a
   * chunk per turn, then posts a sample view and the status; once running, a chunk per race step.
   */
  refresh(): void {
    this.startDue(true);
    if (!this.running && this.lanes.length) this.showDue = true;
  }

  /** The loop's next background turn: a race step (`step`), or an evaluation chunk, then the sample view (`settle`). */
  turn(work: 'step' | 'settle'): Turn | null {
    const race = this.race;
    if (!race || !race.lanes.length) return null;
    if (work === 'step' && (this.gate === null || this.ticks < this.gate))
      return { kind: 'step', run: () => this.tick(false) };
    if (race.evals.pending.length) return { kind: 'settle', run: () => this.runChunk() };
    return this.showDue ? { kind: 'settle', run: () => this.show() } : null;
  }

  async setSample(index: number): Promise<void> {
    this.sampleIndex = index;
    if (this.lanes.length) await this.sendSample();
  }

  async setHeatK(k: number): Promise<void> {
    this.heatK = Math.max(1, Math.floor(k));
    if (this.lanes.length) await this.sendSample();
  }

  /** Show `id`'s student in the sample view (and `compare`'s beside it). */
  async select(id: number, compare: number | null = null): Promise<void> {
    this.selected = id;
    this.compare = compare !== null && compare !== id && this.lanes.some((l) => l.id === compare) ? compare : null;
    if (this.lanes.length) await this.sendSample();
  }

  /** One step of every lane, in order; report when the interval is up (or always, for a single step). */
  private async tick(single: boolean): Promise<void> {
    let most = 0;
    for (const lane of this.lanes) {
      const c = lane.trainer.config;
      const r = lane.trainer.step();
      const rows = this.book(lane).pending;
      rows.push({
        values: r.values,
        step: r.step,
        lr: r.lr,
        weights: TERM_NAMES.map((n) => c.weights[n]),
        T: c.kd.T,
        clipNorm: c.optim.clipNorm,
        baseLr: c.optim.lr,
      });
      most = Math.max(most, rows.length);
    }
    this.ticks++;
    if (this.gate !== null) this.host.send({ type: 'progress', tick: this.ticks });
    const now = performance.now();
    if (single || now - this.windowStart >= this.reportMs || most >= 64) await this.flush();
    await this.afterStep(single);
  }

  private book(lane: WorkerLane): LaneBook {
    let b = this.books.get(lane);
    if (!b) this.books.set(lane, (b = { pending: [], health: freshHealth(lane) }));
    return b;
  }

  /**
   * Read every lane's pending steps with one data(), settle each with its trainer (a non-finite step's update was
   * skipped in-graph; settle takes back Adam's count) and post one delta per lane of its finite rows. A non-finite
   * step halts a running race and is reported on its own (`nonFinite`: its values never enter the curves); a diverging
   * lane gets a `warning`; a lane CHECKPOINT_EVERY steps past its last checkpoint posts a new one.
   */
  async flush(): Promise<void> {
    const batches = this.lanes
      .map((lane) => ({ lane, book: this.book(lane) }))
      .filter((b) => b.book.pending.length > 0);
    if (batches.length === 0) return;
    const rowsOf = batches.map((b) => b.book.pending);
    batches.forEach((b) => (b.book.pending = []));
    const all = rowsOf.flat();
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
    for (const [b, { lane, book }] of batches.entries()) {
      const rows = rowsOf[b];
      const lv = values.subarray(row * NV, (row + rows.length) * NV);
      row += rows.length;
      const good = settleRows(lane, rows, lv, book.health, (m) => this.host.send(m));
      if (good.length < rows.length) halted = true;
      for (const seg of segments(good)) this.sendRows(lane, rows, lv, seg, (1000 * rows.length) / dt);
      if (this.checkpointEvery > 0 && lane.trainer.stepCount - book.health.checkpointStep >= this.checkpointEvery)
        await this.checkpoint(lane);
    }
    if (halted && this.running) this.host.halt('non-finite');
  }

  /** Post the lane's latest checkpoint now (after a flush: every step taken is settled). */
  private async checkpoint(lane: WorkerLane): Promise<void> {
    this.book(lane).health.checkpointStep = lane.trainer.stepCount;
    this.host.send({ type: 'checkpoint', lane: lane.id, checkpoint: await lane.trainer.checkpoint() });
  }

  /** Checkpoint every lane that stepped since its last one (a pause: a crash while paused loses nothing). */
  async checkpointAll(): Promise<void> {
    await this.flush();
    for (const lane of this.lanes)
      if (lane.trainer.stepCount !== this.book(lane).health.checkpointStep) await this.checkpoint(lane);
  }

  /** One metrics delta: rows [from, to) of a lane's read steps (contiguous steps). */
  private sendRows(
    lane: WorkerLane,
    rows: Pending[],
    lv: Float32Array,
    [from, to]: [number, number],
    stepsPerSec: number,
  ): void {
    const part = rows.slice(from, to);
    const weights = new Float32Array(part.length * NW);
    part.forEach((p, i) => weights.set(p.weights, i * NW));
    this.host.send({
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

  /**
   * Start the evaluations that are due: a lane at a multiple of evalEvery; early in a race (issue 29: where lanes
   * first separate) also at multiples of earlyEvery unless evaluations are still pending (so they never pile up);
   * every lane never evaluated, when forced.
   */
  private startDue(force: boolean): void {
    if (this.evalEvery <= 0 || !this.race) return;
    const idle = this.race.evals.pending.length === 0; // decided once: lanes in lockstep are evaluated at the same steps
    const early = (s: number) =>
      idle && this.earlyEvery > 0 && s > 0 && s <= EARLY_EVAL_UNTIL && s % this.earlyEvery === 0;
    for (const lane of this.lanes) {
      const s = lane.trainer.stepCount;
      const book = this.book(lane);
      if (book.lastEval === s || (s % this.evalEvery !== 0 && !early(s) && !(force && book.lastEval === undefined)))
        continue;
      book.lastEval = s;
      this.race.evals.start(lane);
    }
  }

  /**
   * Start the evaluations that are due, then run one chunk of the oldest while running (all of them after a single
   * step; once halted, the queue settles the rest between commands), and post the sample view when its time is up.
   */
  private async afterStep(single: boolean): Promise<void> {
    this.startDue(single);
    const evals = this.race!.evals;
    if (evals.pending.length) {
      const t0 = performance.now();
      if (single) while (evals.pending.length) await this.runChunk();
      else if (this.running) await this.runChunk();
      this.windowStart += performance.now() - t0; // evaluation time is not training time
    }
    const now = performance.now();
    if (single || now - this.lastSample >= Math.max(this.sampleMs, this.sampleGap)) {
      await this.sendSample();
      this.windowStart += performance.now() - now;
    }
    if (single) this.host.send({ type: 'status', status: statusOf(this.host.phase), step: this.step });
  }

  /** One chunk of the oldest evaluation; its result is posted after the lanes' pending metrics. */
  private async runChunk(): Promise<void> {
    const evals = this.race!.evals;
    const job = evals.pending[0];
    if (!job) return;
    const ev = await evals.next(job); // a failing evaluation ends there (dropped, not retried)
    if (!ev) return;
    await this.flush();
    const bayes =
      ev.bayesPerFamily && ev.bayesOverall !== undefined
        ? { bayesOverall: ev.bayesOverall, bayesPerFamily: ev.bayesPerFamily }
        : {};
    this.host.send({
      type: 'eval',
      lane: job.lane,
      step: job.step,
      overall: ev.overall,
      perFamily: ev.perFamily,
      valLoss: ev.valLoss,
      alignment: ev.alignment,
      ...bayes,
    });
  }

  /** The end of settling: the sample view and the status, as a refresh promises. */
  private async show(): Promise<void> {
    this.showDue = false;
    await this.sendSample();
    this.host.send({ type: 'status', status: statusOf(this.host.phase), step: this.step });
  }

  /** The sample view(s); on a slow backend (SwiftShader: ~4 s per view) they are spaced to ≤ ~20% of the run's time. */
  private async sendSample(): Promise<void> {
    const t0 = performance.now();
    const lead = this.lead;
    const views = [lead, ...this.lanes.filter((l) => l.id === this.compare && l !== lead)];
    for (const lane of views)
      this.host.send({ type: 'sample', view: await this.race!.sampleView(lane, this.sampleIndex, this.heatK) });
    this.lastSample = performance.now();
    this.sampleGap = 4 * (this.lastSample - t0);
  }
}
