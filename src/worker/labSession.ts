// The worker's one session: its phase (sessionState.ts's table: no pack, loading, recovering, ready, running, paused),
// the race it holds (planned lanes, or a loaded pack's Session) and the run loop; one method per command, run on the queue.
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_CONFIG, type DeepPartial, type TrainConfig } from '../core/config/config';
import { loseDevice, watchDeviceLoss } from '../model/backend';
import { initMeasuredBackend } from '../model/backendBench';
import { withFaults } from '../model/train/faults';
import type { Turn } from './commandQueue';
import { weightsFileName } from './laneViews';
import {
  type FaultKind,
  type LaneSpec,
  PROTOCOL_VERSION,
  serializeError,
  type UiToWorker,
  type WorkerToUi,
} from './protocol';
import { PlannedRace, type Race, validSpecs } from './race';
import { EARLY_EVAL, RunLoop } from './runLoop';
import type { LoopHost, RunLoopOptions } from './runLoopTypes';
import { type SharedPack, Session } from './session';
import {
  ANNOUNCED,
  canStep,
  INITIAL_STATE,
  type Phase,
  type SessionEvent,
  type SessionState,
  statusOf,
  transition,
  workOf,
} from './sessionState';

export class LabSession implements LoopHost {
  private state: SessionState = INITIAL_STATE;
  private race: Race = new PlannedRace([{ id: 0, config: DEFAULT_CONFIG }]); // a Session once a pack is loaded
  private evalSamples = 250; // the fixed val subset's size (init may change it)
  private readonly loop: RunLoop;

  constructor(
    readonly send: (msg: WorkerToUi) => void,
    opts: RunLoopOptions = {},
  ) {
    this.loop = new RunLoop(this, opts);
  }

  get phase(): Phase {
    return this.state.phase;
  }

  /** The queue's background work in this phase: a race step, an evaluation chunk, the sample view after them; or none. */
  turn(): Turn | null {
    const work = workOf(this.phase);
    return work && this.loop.turn(work);
  }

  /** Move by the table; a transition the UI hears of posts the status (with `reason`). False: nothing changed. */
  private go(event: SessionEvent, reason?: string): boolean {
    const next = transition(this.state, event);
    if (!next) return false;
    this.state = next;
    if (ANNOUNCED.has(event)) this.send({ type: 'status', status: statusOf(next.phase), step: this.loop.step, reason });
    return true;
  }

  /** A non-finite step or an error: a running race pauses (a failing step is not retried forever). */
  halt(reason: 'non-finite' | 'error'): void {
    this.go('halt', reason);
  }

  async init(msg: Extract<UiToWorker, { type: 'init' }>): Promise<void> {
    if (msg.version !== PROTOCOL_VERSION)
      throw new Error(`protocol: the UI speaks version ${msg.version}; this worker speaks ${PROTOCOL_VERSION}`);
    if (this.phase === 'no-pack') this.race = new PlannedRace(msg.lanes); // the lanes a pack load builds
    this.loop.evalEvery = msg.evalEvery ?? this.loop.evalEvery;
    this.loop.earlyEvery = msg.evalEvery === undefined ? EARLY_EVAL.every : 0; // a link's own cadence stays exact
    this.evalSamples = msg.evalSamples ?? this.evalSamples;
    if (msg.pooled) this.loop.gate = this.loop.ticks; // a pool's worker steps only when the pool allows it
    const { name, info, note } = await initMeasuredBackend(msg.backend, msg.wasmPaths);
    this.send({
      type: 'ready',
      version: PROTOCOL_VERSION,
      backend: name,
      isFallbackAdapter: info.isFallbackAdapter,
      adapter: info.adapter,
      note,
    });
    watchDeviceLoss((reason) => this.lost(name, reason));
  }

  /**
   * The GPU device is gone: this worker steps no more and the UI resumes the run elsewhere. Not a command: it comes
   * from the device, perhaps while a step waits on it, so it changes the phase at once (the queue reads it next turn).
   */
  private lost(backend: string, reason: string): void {
    this.go('lost');
    this.send({ type: 'deviceLost', backend, reason });
  }

  /** Build the pack's Session from the race's lanes (restoring their checkpoints); a bad pack leaves the lab as it was. */
  load(bytes: Uint8Array, name: string): Promise<void> {
    return this.build(name, (specs) => Session.load(bytes, name, specs, this.evalSamples));
  }

  /** The pool's lockstep: race steps may run while this worker has run fewer than `tick` of them. */
  allow(tick: number): void {
    this.loop.gate = tick;
  }

  /** Hand the loaded pack, parsed, to a worker that joins the pool (one structured clone over the port). */
  sharePack(port: MessagePort): void {
    const s = this.race;
    if (!(s instanceof Session)) throw new Error('pool: sharePack before a pack is loaded');
    port.postMessage(s.shared());
    port.close();
  }

  /** Load the pack a worker of the pool posts on `port` (Session.fromShared: no second read or parse). */
  async loadShared(port: MessagePort, name: string): Promise<void> {
    const shared = await new Promise<SharedPack>((resolve) => {
      port.onmessage = (ev: MessageEvent<SharedPack>) => resolve(ev.data);
    });
    port.close();
    await this.build(name, async (specs) => Session.fromShared(shared, specs, this.evalSamples));
  }

  private async build(name: string, make: (specs: LaneSpec[]) => Promise<Session>): Promise<void> {
    let specs = this.race.specs();
    const restoring = specs.some((x) => x.checkpoint);
    this.go(restoring ? 'restore' : 'load');
    let next: Session;
    try {
      next = await make(specs);
    } catch (e) {
      if (!restoring) return this.loadFailed(name, e); // the lab keeps the pack (and run) it had
      // A checkpoint that does not fit (another pack, a changed model): fresh lanes, and say so.
      this.go('restoreFailed');
      specs = specs.map(({ id, config }) => ({ id, config }));
      this.race.setLanes(specs);
      this.send({
        type: 'warning',
        lane: null,
        step: 0,
        message: `the checkpoints could not be restored (${serializeError(e).message}); the lanes start again at step 0`,
        knob: null,
      });
      try {
        next = await make(specs);
      } catch (e2) {
        return this.loadFailed(name, e2);
      }
    }
    const old = this.race;
    this.race = next;
    this.loop.attach(next);
    old.dispose();
    this.send({ type: 'packLoaded', info: next.info });
    this.sendLanes();
    this.go('loaded');
    this.loop.refresh();
  }

  private loadFailed(name: string, e: unknown): void {
    this.send({ type: 'packError', name, error: serializeError(e) });
    this.go('loadFailed');
  }

  /** Validate now, apply at the lane's next step; a refused patch is reported and the config in force re-sent. */
  setConfig(lane: number, patch: DeepPartial<TrainConfig>): void {
    let config: TrainConfig;
    try {
      config = this.race.setConfig(lane, patch);
    } catch (e) {
      this.send({ type: 'configError', lane, error: serializeError(e) });
      const kept = this.race.laneList().find((l) => l.id === lane)?.config;
      if (kept) this.send({ type: 'configApplied', lane, config: kept }); // re-syncs the UI with what stays in force
      return;
    }
    this.send({ type: 'configApplied', lane, config });
  }

  /** A new race (or a reset of this one): every lane a fresh student at step 0; a refused lane leaves the race as it was. */
  newRace(specs: LaneSpec[] | undefined): Promise<void> {
    return this.guard(null, async () => {
      this.race.setLanes(specs ? validSpecs(specs) : this.race.specs());
      this.loop.sync();
      this.sendLanes();
      this.go('newRace');
      this.loop.refresh();
    });
  }

  /** A fresh student at step 0 joins the race at the next race step. */
  addLane(spec: LaneSpec): Promise<void> {
    return this.guard(null, async () => {
      await this.loop.flush();
      this.race.addLane(spec);
      this.loop.sync();
      this.sendLanes();
      this.loop.refresh();
    });
  }

  /** A lane leaves after its pending steps are reported; the others keep training. */
  removeLane(id: number): Promise<void> {
    return this.guard(id, async () => {
      await this.loop.flush();
      this.race.removeLane(id);
      this.loop.sync();
      this.sendLanes();
    });
  }

  play(): void {
    if (this.go('play')) this.loop.started();
  }

  /** Report what is pending and say paused; every lane checkpoints (a crash while paused loses nothing). */
  async pause(reason?: 'user' | 'hidden'): Promise<void> {
    await this.loop.flush();
    this.go('pause', reason);
    await this.loop.checkpointAll();
  }

  /** Exactly one race step (ignored while running, and before a pack). */
  async step(): Promise<void> {
    if (canStep(this.phase)) await this.loop.stepOnce();
  }

  select(lane: number, compare: number | null): Promise<void> {
    return this.loop.select(lane, compare);
  }

  setSample(index: number): Promise<void> {
    return this.loop.setSample(index);
  }

  setHeatK(k: number): Promise<void> {
    return this.loop.setHeatK(k);
  }

  async exportWeights(requestId: number, id: number): Promise<void> {
    const s = this.race;
    if (!(s instanceof Session)) throw new Error('export weights: no pack is loaded, so there is no student yet');
    const lane = s.lane(id);
    await this.loop.flush();
    const bytes = await s.weightsFile(lane);
    const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    this.send({
      type: 'weights',
      requestId,
      lane: lane.id,
      name: weightsFileName(s.info.name, lane, s.lanes.length),
      bytes: buf,
    });
  }

  /** A fault for the tests (DESIGN §6b): a NaN in every lane's next step, a wasm trap, a dead worker, a lost device. */
  fault(kind: FaultKind): void {
    if (kind === 'nan') {
      if (this.race instanceof Session) for (const lane of this.race.lanes) withFaults(lane.trainer).poisonNextStep();
      return;
    }
    // What a step that runs out of wasm memory throws (a trap), through the same path as a real one.
    if (kind === 'oom')
      throw new WebAssembly.RuntimeError('memory access out of bounds (fault injection: a step ran out of memory)');
    if (kind === 'worker-crash') {
      this.go('lost');
      // Thrown outside the queue, as a fatal error would be: the worker's onerror fires in the UI.
      setTimeout(() => {
        throw new Error('fault injection: the training worker crashed');
      }, 0);
      return;
    }
    if (!loseDevice())
      this.send({
        type: 'warning',
        lane: null,
        step: this.loop.step,
        message: `fault 'device-lost' does nothing on the ${tf.getBackend()} backend (no GPU device or context)`,
        knob: null,
      });
  }

  /** Free the pack and the students; the lanes stay planned (a later load builds them again). */
  stop(): void {
    this.go('stop');
    const old = this.race;
    this.race = new PlannedRace(old.specs());
    this.loop.attach(null);
    old.dispose();
  }

  /** Run `fn`; a FieldError (a refused lane or config) becomes a configError, and the lanes in force are re-sent. */
  private async guard(lane: number | null, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      this.send({ type: 'configError', lane, error: serializeError(e) });
      this.sendLanes();
    }
  }

  /** The lanes in force (after a pack load, a new race, an added or removed lane, a refusal). */
  private sendLanes(): void {
    this.send({ type: 'lanes', lanes: this.race.laneList() });
  }
}
