// The worker side of the lab: owns the backend, the loaded pack and its Trainer, and the run loop. Messages and
// steps share one queue, so pause / setConfig land between steps; metrics leave as ~100 ms deltas (one data() each).
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_CONFIG, mergeConfig, type TrainConfig, validateConfig } from '../core/config';
import { backendInfo, initBackend } from '../model/backend';
import { TERM_NAMES, TERM_WIDTH as NW, VALUE_WIDTH as NV } from '../core/terms';
import { PROTOCOL_VERSION, serializeError, transferablesOf, type PackSource, type RunStatus, type UiToWorker, type WorkerToUi } from './protocol';
import { measureStepMs, Session } from './session';

export type Post = (msg: WorkerToUi, transfer: Transferable[]) => void;

export interface HandlerOptions {
  /** Fetch for `loadPack` URLs (default: the global fetch). */
  fetch?: typeof fetch;
  reportMs?: number; // metrics delta interval (default 100)
  sampleMs?: number; // heatmap / sample view interval while running (default 500)
}

interface Pending {
  values: tf.Tensor1D; // [8] VALUE_NAMES
  step: number;
  lr: number;
  weights: number[]; // [6] TERM_NAMES order
}


/**
 * Yield to the event loop (a macrotask, so queued messages run) without setTimeout's 4 ms clamp: a MessageChannel
 * in the worker; setImmediate in Node, where a self-posting MessagePort would starve timers.
 */
function makeYield(): { next: () => Promise<void>; close: () => void } {
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

export class LabHandler {
  private session: Session | null = null;
  private config: TrainConfig = DEFAULT_CONFIG;
  private status: RunStatus = 'loading';
  private running = false;
  private looping = false;
  private queue: Promise<void> = Promise.resolve();
  private pending: Pending[] = [];
  private windowStart = 0;
  private lastSample = 0;
  private sampleGap = 0; // ms between sample views while running: sampleMs, or 4× the last view's cost when slower
  private sampleIndex = 0;
  private heatK = 8;
  private evalEvery = 50;
  private evalSamples = 100;
  private lastEvalStep = -1;
  private readonly yielder = makeYield();
  private readonly reportMs: number;
  private readonly sampleMs: number;

  constructor(
    private readonly post: Post,
    private readonly opts: HandlerOptions = {},
  ) {
    this.reportMs = opts.reportMs ?? 100;
    this.sampleMs = opts.sampleMs ?? 500;
  }

  /** Entry point for `self.onmessage`. */
  onmessage(ev: { data: UiToWorker }): void {
    const msg = ev.data;
    if (msg.type === 'loadPack') {
      void this.loadPack(msg.source); // fetch/parse outside the queue: the lab keeps training while a pack loads
      return;
    }
    if (msg.type === 'pause') this.running = false; // takes effect at the next step boundary, before queued work
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

  private setStatus(status: RunStatus, reason?: string): void {
    this.status = status;
    this.send({ type: 'status', status, step: this.session?.trainer.stepCount ?? 0, reason });
  }

  private async handle(msg: UiToWorker): Promise<void> {
    switch (msg.type) {
      case 'init': {
        if (msg.version !== PROTOCOL_VERSION) throw new Error(`protocol: the UI speaks version ${msg.version}; this worker speaks ${PROTOCOL_VERSION}`);
        this.config = validateConfig(msg.config);
        this.evalEvery = msg.evalEvery ?? this.evalEvery;
        this.evalSamples = msg.evalSamples ?? this.evalSamples;
        const name = await initBackend(msg.backend, { wasmPaths: msg.wasmPaths, measure: measureStepMs });
        const bi = backendInfo();
        const note = bi.measured ? `measured ms/step: ${Object.entries(bi.measured).map(([k, v]) => `${k} ${Number.isFinite(v) ? v.toFixed(0) : 'over budget'}`).join(', ')}` : null;
        this.send({ type: 'ready', version: PROTOCOL_VERSION, backend: name, isFallbackAdapter: bi.isFallbackAdapter, adapter: bi.adapter, note });
        return;
      }
      case 'loadPack':
        return; // handled in onmessage
      case 'setConfig': {
        try {
          if (this.session) {
            this.session.trainer.setConfig(msg.patch);
            this.config = this.session.trainer.config;
          } else this.config = validateConfig(mergeConfig(this.config, msg.patch));
        } catch (e) {
          this.send({ type: 'configError', error: serializeError(e) });
          this.send({ type: 'configApplied', config: this.config }); // re-sync the UI with what stays in force
          return;
        }
        this.send({ type: 'configApplied', config: this.config });
        return;
      }
      case 'play':
        if (!this.session) return;
        this.running = true;
        this.windowStart = performance.now();
        this.setStatus('running');
        void this.loop();
        return;
      case 'pause':
        this.running = false;
        await this.flush();
        if (this.session) this.setStatus('paused', msg.reason);
        return;
      case 'step':
        if (!this.session || this.running) return;
        this.windowStart = performance.now();
        await this.tick(true);
        return;
      case 'reset': {
        if (msg.config) this.config = validateConfig(msg.config);
        this.running = false;
        this.dropPending();
        if (!this.session) return;
        this.session.reset(this.config);
        this.config = this.session.config;
        this.lastEvalStep = -1;
        this.send({ type: 'configApplied', config: this.config });
        this.setStatus('idle');
        await this.afterStep(true);
        return;
      }
      case 'setSample':
        this.sampleIndex = msg.index;
        if (this.session) await this.sendSample();
        return;
      case 'setHeatmapK':
        this.heatK = Math.max(1, Math.floor(msg.k));
        if (this.session) await this.sendSample();
        return;
      case 'exportWeights': {
        if (!this.session) throw new Error('export weights: no pack is loaded, so there is no student yet');
        await this.flush();
        const bytes = await this.session.weightsFile();
        const name = `student-${this.session.info.name.replace(/\.safetensors(\.gz)?$/, '')}-step${this.session.trainer.stepCount}.safetensors`;
        this.send({ type: 'weights', requestId: msg.requestId, name, bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
        return;
      }
      case 'stop':
        this.running = false;
        this.dropPending();
        this.session?.dispose();
        this.session = null;
        this.yielder.close();
        return;
      default: {
        const never: never = msg;
        throw new Error(`protocol: unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  private async fetchBytes(url: string, name: string): Promise<Uint8Array> {
    const f = this.opts.fetch ?? fetch;
    const res = await f(url);
    if (!res.ok) throw new Error(`${name}: HTTP ${res.status} fetching ${url}`);
    const total = Number(res.headers.get('content-length')) || null;
    if (!res.body) return new Uint8Array(await res.arrayBuffer());
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      this.send({ type: 'packProgress', name, loaded, total });
    }
    const out = new Uint8Array(loaded);
    let o = 0;
    for (const c of chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }

  private async loadPack(src: PackSource): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = src.kind === 'url' ? await this.fetchBytes(src.url, src.name) : new Uint8Array(src.bytes);
      if (src.kind === 'bytes') this.send({ type: 'packProgress', name: src.name, loaded: bytes.length, total: bytes.length });
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
      this.running = false;
      this.dropPending();
      this.session?.dispose();
      this.session = next;
      this.config = next.config;
      this.lastEvalStep = -1;
      this.sampleIndex = 0;
      this.send({ type: 'packLoaded', info: next.info });
      this.send({ type: 'configApplied', config: this.config });
      this.setStatus('idle');
      await this.afterStep(true);
    });
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

  /** One step; report when the interval is up (or always, for a single step). */
  private async tick(single: boolean): Promise<void> {
    const s = this.session!;
    const c = s.trainer.config;
    const r = s.trainer.step();
    this.pending.push({ values: r.values, step: r.step, lr: r.lr, weights: TERM_NAMES.map((n) => c.weights[n]) });
    const now = performance.now();
    if (single || now - this.windowStart >= this.reportMs || this.pending.length >= 64) await this.flush();
    await this.afterStep(single);
  }

  /** Read every pending step with one data() and post them as one delta. */
  private async flush(): Promise<void> {
    if (this.pending.length === 0 || !this.session) return;
    const batch = this.pending;
    this.pending = [];
    const stacked = tf.stack(batch.map((p) => p.values));
    batch.forEach((p) => p.values.dispose());
    const values = new Float32Array(await stacked.data());
    stacked.dispose();
    const now = performance.now();
    const dt = Math.max(1e-3, now - this.windowStart);
    this.windowStart = now;
    const weights = new Float32Array(batch.length * NW);
    batch.forEach((p, i) => weights.set(p.weights, i * NW));
    if (values.length !== batch.length * NV) throw new Error('handler: metrics rows do not match VALUE_NAMES');
    this.send({
      type: 'metrics',
      fromStep: batch[0].step,
      count: batch.length,
      values,
      weights,
      lr: Float32Array.from(batch.map((p) => p.lr)),
      stepsPerSec: (1000 * batch.length) / dt,
      source: this.session.config.kd.source,
    });
  }

  private dropPending(): void {
    this.pending.forEach((p) => p.values.dispose());
    this.pending = [];
  }

  /** Periodic val evaluation and sample view (always, when forced). */
  private async afterStep(force: boolean): Promise<void> {
    const s = this.session!;
    const step = s.trainer.stepCount;
    if (this.evalEvery > 0 && step !== this.lastEvalStep && (step % this.evalEvery === 0 || (force && this.lastEvalStep < 0))) {
      await this.flush();
      this.lastEvalStep = step;
      const ev = await s.evaluate();
      this.send({ type: 'eval', step, overall: ev.overall, perFamily: ev.perFamily, valLoss: ev.valLoss, alignment: ev.alignment });
      this.windowStart = performance.now(); // evaluation time is not training time
    }
    const now = performance.now();
    if (force || now - this.lastSample >= Math.max(this.sampleMs, this.sampleGap)) {
      await this.sendSample();
      this.windowStart += performance.now() - now;
    }
    if (force && !this.running) this.send({ type: 'status', status: this.status === 'running' ? 'paused' : this.status, step });
  }

  /** The sample view; on a slow backend (SwiftShader: ~4 s per view) it is spaced to ≤ ~20% of the run's time. */
  private async sendSample(): Promise<void> {
    const t0 = performance.now();
    const view = await this.session!.sampleView(this.sampleIndex, this.heatK);
    this.lastSample = performance.now();
    this.sampleGap = 4 * (this.lastSample - t0);
    this.send({ type: 'sample', view });
  }
}
