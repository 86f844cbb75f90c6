// The worker side of the lab: routes each UiToWorker message (one exhaustive switch) to the backend, the loaded pack's
// Session (the race's lanes) and the run loop. Messages and steps share one queue, so pause / setConfig land between steps.
import { DEFAULT_CONFIG, mergeConfig, validateConfig } from '../core/config';
import * as tf from '@tensorflow/tfjs-core';
import { loseDevice, watchDeviceLoss } from '../model/backend';
import { initMeasuredBackend } from '../model/backendBench';
import { fetchWithProgress } from './fetchProgress';
import { type FaultKind, isFatalMessage, type LaneSpec, PROTOCOL_VERSION, serializeError, transferablesOf, type PackSource, type UiToWorker, type WorkerToUi } from './protocol';
import { RunLoop } from './runLoop';
import { Session } from './session';

export type Post = (msg: WorkerToUi, transfer: Transferable[]) => void;

export interface HandlerOptions {
  /** Fetch for `loadPack` URLs (default: the global fetch). */
  fetch?: typeof fetch;
  reportMs?: number; // metrics delta interval (default 100)
  sampleMs?: number; // heatmap / sample view interval while running (default 500)
  checkpointEvery?: number; // steps between a lane's checkpoints (default CHECKPOINT_EVERY)
}

export class LabHandler {
  private session: Session | null = null;
  private specs: LaneSpec[] = [{ id: 0, config: DEFAULT_CONFIG }]; // the race's lanes (what a pack load builds)
  private evalSamples = 250;
  private queue: Promise<void> = Promise.resolve();
  private readonly loop: RunLoop;

  constructor(
    private readonly post: Post,
    private readonly opts: HandlerOptions = {},
  ) {
    this.loop = new RunLoop((msg) => this.send(msg), (fn) => this.enqueue(fn), opts);
  }

  /** Entry point for `self.onmessage`. */
  onmessage(ev: { data: UiToWorker }): void {
    const msg = ev.data;
    if (msg.type === 'loadPack') {
      void this.loadPack(msg.source); // fetch/parse outside the queue: the lab keeps training while a pack loads
      return;
    }
    if (msg.type === 'pause') this.loop.halt(); // takes effect at the next step boundary, before queued work
    void this.enqueue(() => this.handle(msg));
  }

  /** Resolves when every message received so far has been handled, evaluations drained in the background included (tests). */
  async idle(): Promise<void> {
    await this.queue;
    await this.loop.settled();
  }

  private send(msg: WorkerToUi): void {
    this.post(msg, transferablesOf(msg));
  }

  private enqueue(fn: () => Promise<void> | void): Promise<void> {
    const run = this.queue.then(fn).catch((e) => this.failed(e));
    this.queue = run;
    return run;
  }

  /**
   * An error in a message or a step: reported, and a running race pauses (a failing step is not retried forever). An
   * error the worker cannot recover from (out of memory, a trapped wasm module) is rethrown outside the queue, so the
   * UI sees a crashed worker and resumes the run on a new one from its checkpoints.
   */
  private failed(e: unknown): void {
    this.send({ type: 'error', error: serializeError(e) });
    if (this.loop.isRunning) {
      this.loop.halt();
      this.loop.setStatus('paused', 'error');
    }
    if (isFatal(e)) {
      setTimeout(() => {
        throw e;
      }, 0);
    }
  }

  private async handle(msg: UiToWorker): Promise<void> {
    switch (msg.type) {
      case 'init': {
        if (msg.version !== PROTOCOL_VERSION) throw new Error(`protocol: the UI speaks version ${msg.version}; this worker speaks ${PROTOCOL_VERSION}`);
        this.specs = validSpecs(msg.lanes);
        this.loop.evalEvery = msg.evalEvery ?? this.loop.evalEvery;
        this.evalSamples = msg.evalSamples ?? this.evalSamples;
        const { name, info, note } = await initMeasuredBackend(msg.backend, msg.wasmPaths);
        this.send({ type: 'ready', version: PROTOCOL_VERSION, backend: name, isFallbackAdapter: info.isFallbackAdapter, adapter: info.adapter, note });
        watchDeviceLoss((reason) => {
          this.loop.halt();
          this.send({ type: 'deviceLost', backend: name, reason });
        });
        return;
      }
      case 'loadPack':
        return; // handled in onmessage
      case 'setConfig':
        return this.setConfig(msg.lane, msg.patch);
      case 'setLanes':
      case 'reset':
        return this.newRace(msg.lanes);
      case 'addLane':
        return this.guard(null, async () => {
          const s = this.session;
          if (!s) {
            this.specs = validSpecs([...this.specs, msg.lane]);
            return;
          }
          await this.loop.flush();
          this.loop.addLane(s.addLane(msg.lane));
          this.sendLanes();
          await this.loop.refresh();
        });
      case 'removeLane':
        return this.guard(msg.lane, async () => {
          const s = this.session;
          if (!s) {
            this.specs = this.specs.filter((x) => x.id !== msg.lane);
            return;
          }
          s.lane(msg.lane); // names a lane that is not there
          await this.loop.removeLane(msg.lane);
          s.removeLane(msg.lane);
          this.sendLanes();
        });
      case 'selectLane':
        return this.loop.select(msg.lane, msg.compare ?? null);
      case 'play':
        return this.loop.play();
      case 'pause':
        await this.loop.pause(msg.reason);
        return this.loop.checkpointAll(); // a crash while paused loses nothing
      case 'fault':
        return this.fault(msg.kind);
      case 'step':
        return this.loop.stepOnce();
      case 'setSample':
        return this.loop.setSample(msg.index);
      case 'setHeatmapK':
        return this.loop.setHeatK(msg.k);
      case 'exportWeights': {
        const s = this.session;
        if (!s) throw new Error('export weights: no pack is loaded, so there is no student yet');
        const lane = s.lane(msg.lane);
        await this.loop.flush();
        const bytes = await s.weightsFile(lane);
        const which = s.lanes.length > 1 ? `-lane${lane.id}` : ''; // a race names the lane
        const name = `student-${s.info.name.replace(/\.safetensors(\.gz)?$/, '')}${which}-step${lane.trainer.stepCount}.safetensors`;
        const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
        this.send({ type: 'weights', requestId: msg.requestId, lane: lane.id, name, bytes: buf });
        return;
      }
      case 'stop':
        this.loop.close();
        this.session?.dispose();
        this.session = null;
        return;
      default: {
        const never: never = msg;
        throw new Error(`protocol: unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  /** A fault for the tests (DESIGN §6b): a NaN in every lane's next step, a dead worker, a lost WebGPU device. */
  private fault(kind: FaultKind): void {
    if (kind === 'nan') return this.loop.poisonNextStep();
    if (kind === 'oom') {
      // What a step that runs out of wasm memory throws (a trap), through the same path as a real one.
      return void this.enqueue(() => {
        throw new WebAssembly.RuntimeError('memory access out of bounds (fault injection: a step ran out of memory)');
      });
    }
    if (kind === 'worker-crash') {
      this.loop.halt();
      // Thrown outside the queue's catch, as a fatal error would be: the worker's onerror fires in the UI.
      setTimeout(() => {
        throw new Error('fault injection: the training worker crashed');
      }, 0);
      return;
    }
    if (!loseDevice()) this.send({ type: 'warning', lane: null, step: this.loop.step, message: `fault 'device-lost' does nothing on the ${tf.getBackend()} backend (no GPU device or context)`, knob: null });
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
    const lanes = this.session ? this.session.laneList() : this.specs.map((x) => ({ id: x.id, step: 0, config: x.config }));
    this.specs = lanes.map((l) => ({ id: l.id, config: l.config }));
    this.send({ type: 'lanes', lanes });
  }

  /** A new race (or a reset of this one): every lane a fresh student at step 0; a refused lane leaves the race as it was. */
  private newRace(specs: LaneSpec[] | undefined): Promise<void> {
    return this.guard(null, async () => {
      const next = specs ? validSpecs(specs) : this.specs;
      this.loop.clear();
      if (!this.session) {
        this.specs = next;
        return;
      }
      this.session.setLanes(next);
      this.loop.setLanes(this.session.lanes);
      this.sendLanes();
      this.loop.setStatus('idle');
      await this.loop.refresh();
    });
  }

  /** Validate now, apply at the lane's next step; a refused patch is reported and the config in force re-sent. */
  private setConfig(lane: number, patch: Extract<UiToWorker, { type: 'setConfig' }>['patch']): void {
    let config;
    try {
      if (this.session) {
        const t = this.session.lane(lane).trainer;
        const next = validateConfig(mergeConfig(t.config, patch));
        this.session.checkCost(this.session.lanes.map((l) => (l.trainer === t ? next : l.trainer.config))); // before it applies
        t.setConfig(patch);
        config = t.config;
      } else {
        const spec = this.specs.find((x) => x.id === lane);
        if (!spec) throw new Error(`setConfig: no lane ${lane}`);
        spec.config = validateConfig(mergeConfig(spec.config, patch));
        config = spec.config;
      }
    } catch (e) {
      this.send({ type: 'configError', lane, error: serializeError(e) });
      const kept = this.session?.lanes.find((l) => l.id === lane)?.trainer.config ?? this.specs.find((x) => x.id === lane)?.config;
      if (kept) this.send({ type: 'configApplied', lane, config: kept }); // re-syncs the UI with what stays in force
      return;
    }
    this.send({ type: 'configApplied', lane, config });
  }

  /** Read the bytes (outside the queue), then build the Session in the queue; a bad pack leaves the lab as it was. */
  private async loadPack(src: PackSource): Promise<void> {
    let bytes: Uint8Array;
    try {
      const progress = (loaded: number, total: number | null) => this.send({ type: 'packProgress', name: src.name, loaded, total });
      bytes = src.kind === 'url' ? await fetchWithProgress(this.opts.fetch ?? fetch, src.url, src.name, progress) : new Uint8Array(src.bytes);
      if (src.kind === 'bytes') progress(bytes.length, bytes.length);
    } catch (e) {
      this.send({ type: 'packError', name: src.name, error: serializeError(e) });
      return;
    }
    await this.enqueue(async () => {
      let next: Session;
      try {
        next = await Session.load(bytes, src.name, this.specs, this.evalSamples);
      } catch (e) {
        const resumed = this.specs.some((x) => x.checkpoint);
        if (!resumed) {
          this.send({ type: 'packError', name: src.name, error: serializeError(e) });
          return; // the lab keeps the pack (and run) it had
        }
        // A checkpoint that does not fit (another pack, a changed model): fresh lanes, and say so.
        this.specs = this.specs.map(({ id, config }) => ({ id, config }));
        this.send({ type: 'warning', lane: null, step: 0, message: `the checkpoints could not be restored (${serializeError(e).message}); the lanes start again at step 0`, knob: null });
        try {
          next = await Session.load(bytes, src.name, this.specs, this.evalSamples);
        } catch (e2) {
          this.send({ type: 'packError', name: src.name, error: serializeError(e2) });
          return;
        }
      }
      this.loop.clear();
      this.session?.dispose();
      this.session = next;
      this.loop.setLanes(next.lanes);
      this.loop.sampleIndex = 0;
      this.send({ type: 'packLoaded', info: next.info });
      this.sendLanes();
      this.loop.setStatus('idle');
      await this.loop.refresh();
    });
  }
}

/** Lanes with their configs validated (a FieldError names the lane's field). */
function validSpecs(lanes: LaneSpec[]): LaneSpec[] {
  if (!Array.isArray(lanes) || lanes.length === 0) throw new Error('protocol: a race needs at least one lane');
  return lanes.map((l) => ({ id: l.id, config: validateConfig(l.checkpoint?.config ?? l.config), ...(l.checkpoint ? { checkpoint: l.checkpoint } : {}) }));
}

/** Errors that leave the worker's memory or wasm module unusable: out of memory, a wasm trap. */
export function isFatal(e: unknown): boolean {
  if (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError) return true;
  return isFatalMessage(e instanceof Error ? `${e.name} ${e.message}` : String(e));
}
