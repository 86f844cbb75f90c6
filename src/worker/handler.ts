// The worker side of the lab: routes each UiToWorker message (one exhaustive switch) to the backend, the loaded pack's
// Session and the run loop. Messages and steps share one queue, so pause / setConfig land between steps.
import { DEFAULT_CONFIG, mergeConfig, type TrainConfig, validateConfig } from '../core/config';
import { initMeasuredBackend } from '../model/backendBench';
import { fetchWithProgress } from './fetchProgress';
import { PROTOCOL_VERSION, serializeError, transferablesOf, type PackSource, type UiToWorker, type WorkerToUi } from './protocol';
import { RunLoop } from './runLoop';
import { Session } from './session';

export type Post = (msg: WorkerToUi, transfer: Transferable[]) => void;

export interface HandlerOptions {
  /** Fetch for `loadPack` URLs (default: the global fetch). */
  fetch?: typeof fetch;
  reportMs?: number; // metrics delta interval (default 100)
  sampleMs?: number; // heatmap / sample view interval while running (default 500)
}

export class LabHandler {
  private session: Session | null = null;
  private config: TrainConfig = DEFAULT_CONFIG;
  private evalSamples = 100;
  private queue: Promise<void> = Promise.resolve();
  private readonly loop: RunLoop;

  constructor(
    private readonly post: Post,
    private readonly opts: HandlerOptions = {},
  ) {
    // One lane today: the protocol's metrics and eval messages carry no lane, so the lane index stays in the worker.
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

  /** Resolves when every message received so far has been handled (tests). */
  idle(): Promise<void> {
    return this.queue;
  }

  private send(msg: WorkerToUi): void {
    this.post(msg, transferablesOf(msg));
  }

  private enqueue(fn: () => Promise<void> | void): Promise<void> {
    const run = this.queue.then(fn).catch((e) => this.send({ type: 'error', error: serializeError(e) }));
    this.queue = run;
    return run;
  }

  private async handle(msg: UiToWorker): Promise<void> {
    switch (msg.type) {
      case 'init': {
        if (msg.version !== PROTOCOL_VERSION) throw new Error(`protocol: the UI speaks version ${msg.version}; this worker speaks ${PROTOCOL_VERSION}`);
        this.config = validateConfig(msg.config);
        this.loop.evalEvery = msg.evalEvery ?? this.loop.evalEvery;
        this.evalSamples = msg.evalSamples ?? this.evalSamples;
        const { name, info, note } = await initMeasuredBackend(msg.backend, msg.wasmPaths);
        this.send({ type: 'ready', version: PROTOCOL_VERSION, backend: name, isFallbackAdapter: info.isFallbackAdapter, adapter: info.adapter, note });
        return;
      }
      case 'loadPack':
        return; // handled in onmessage
      case 'setConfig':
        return this.setConfig(msg.patch);
      case 'play':
        return this.loop.play();
      case 'pause':
        return this.loop.pause(msg.reason);
      case 'step':
        return this.loop.stepOnce();
      case 'reset': {
        if (msg.config) this.config = validateConfig(msg.config);
        this.loop.clear();
        if (!this.session) return;
        this.session.reset(this.config);
        this.config = this.session.config;
        this.loop.setLanes([this.session]);
        this.send({ type: 'configApplied', config: this.config });
        this.loop.setStatus('idle');
        return this.loop.refresh();
      }
      case 'setSample':
        return this.loop.setSample(msg.index);
      case 'setHeatmapK':
        return this.loop.setHeatK(msg.k);
      case 'exportWeights': {
        const s = this.session;
        if (!s) throw new Error('export weights: no pack is loaded, so there is no student yet');
        await this.loop.flush();
        const bytes = await s.weightsFile();
        const name = `student-${s.info.name.replace(/\.safetensors(\.gz)?$/, '')}-step${s.trainer.stepCount}.safetensors`;
        this.send({ type: 'weights', requestId: msg.requestId, name, bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
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

  /** Validate now, apply at the next step; a refused patch is reported and the config in force re-sent. */
  private setConfig(patch: Extract<UiToWorker, { type: 'setConfig' }>['patch']): void {
    try {
      if (this.session) {
        this.session.trainer.setConfig(patch);
        this.config = this.session.trainer.config;
      } else this.config = validateConfig(mergeConfig(this.config, patch));
    } catch (e) {
      this.send({ type: 'configError', error: serializeError(e) });
    }
    this.send({ type: 'configApplied', config: this.config }); // on refusal: re-syncs the UI with what stays in force
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
        next = await Session.load(bytes, src.name, this.config, this.evalSamples);
      } catch (e) {
        this.send({ type: 'packError', name: src.name, error: serializeError(e) });
        return; // the lab keeps the pack (and run) it had
      }
      this.loop.clear();
      this.session?.dispose();
      this.session = next;
      this.config = next.config;
      this.loop.setLanes([next]);
      this.loop.sampleIndex = 0;
      this.send({ type: 'packLoaded', info: next.info });
      this.send({ type: 'configApplied', config: this.config });
      this.loop.setStatus('idle');
      await this.loop.refresh();
    });
  }
}
