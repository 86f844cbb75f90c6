// Wires one training worker to the store and gives the UI its commands (play, pause, step, reset, the race's lanes,
// live config, presets, packs, weights export): an instance the app creates (useController hands it to components).
import { selectConfig } from '../store/selectors';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { type BackendName, nextBackend } from '../core/config/backends';
import { type DeepPartial, mergeConfig, type TrainConfig } from '../core/config/config';
import { checkPackFileSize } from '../core/pack/packCost';
import { parseUrlState } from '../core/config/urlState';
import { useLab } from '../store';
import type { LanePlan } from '../core/race/lanes';
import { canAddLane, copyName, type StoreLane } from '../store/lanes';
import { presetConfig } from '../store/presets';
import { raceById, raceLanes, type RacePreset } from '../store/races';
import { TrainClient } from '../worker/client';
import { type MakeWorker, TrainPool, type WorkerPort } from '../worker/pool';
import {
  type FaultKind,
  FAULT_KINDS,
  isFatalMessage,
  type LaneSpec,
  PROTOCOL_VERSION,
  serializeError,
  type UiToWorker,
  type WorkerToUi,
} from '../worker/protocol';
import { autoDecision } from './autoSwitch';
import { BATCH_MS, MessageBatch } from './messageBatch';
import { installTestApi } from './installTestApi';
import { applyLink } from './linkStart';
import { type PackOrigin, RunKeeper, stepFailedBanner } from './recovery';
import { download, startPersistence, startTheme, startUrlSync } from './runsController';
import { packIdOf, SHIPPED_PACKS, URL_CATALOG } from './shippedPacks';

export type { WorkerPort };

export interface ControllerDeps {
  /** A new worker calling back with its messages and its crash (default: TrainClient, a module worker). */
  makeWorker?: MakeWorker;
  /** Cores the pool may spread lanes over (default navigator.hardwareConcurrency; tests: 1, or more for a pool). */
  cores?: number;
  /** 'auto': which backend to move to, measured beside the run (default: autoSwitch's probe worker). */
  decideAuto?: typeof autoDecision;
  /** How long a backend switch waits for the pause's checkpoints before it restarts anyway (ms). */
  checkpointWaitMs?: number;
  /** ms metrics deltas and sample views wait to reach the store together (default BATCH_MS; 0: at once). */
  batchMs?: number;
}

const specsOf = (lanes: readonly StoreLane[]): LaneSpec[] => lanes.map((l) => ({ id: l.id, config: l.config }));
const store = () => useLab.getState();
const WASM_PATHS = {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
};

/** One lab: its worker (restarted after a crash or a lost device), the lanes' checkpoints and the UI's commands. */
export class LabController {
  private client: TrainPool | null = null; // the lanes' workers (src/worker/pool.ts)
  private workersAsked: number | null = null; // ?workers=
  private initMsg: Extract<UiToWorker, { type: 'init' }> | null = null; // what the worker was started with (a restart reuses it)
  private readonly keeper = new RunKeeper(); // the lanes' latest checkpoints and the pack's source
  private pendingPack: PackOrigin | null = null; // the pack asked for last (kept once it loads)
  private weightsRequest = 0;
  /** 'auto' asked for: 'pending' until the first worker is ready on wasm, then the probe runs once in the background. */
  private autoState: 'pending' | 'probing' | 'done' | null = null;
  private readonly detach: (() => void)[] = [];

  constructor(private readonly deps: ControllerDeps = {}) {}

  // The UI's commands: arrow properties, so a component may pass one as a handler (onClick={lab.step}).
  readonly play = () => this.client?.send({ type: 'play' });
  readonly pause = () => this.client?.send({ type: 'pause', reason: 'user' });
  readonly toggle = () => (store().status === 'running' ? this.pause() : this.play());
  readonly step = () => this.client?.send({ type: 'step' });
  /** Every lane a fresh student at step 0 with the config it shows. */
  readonly reset = () => {
    this.keeper.forgetAll();
    this.client?.send({ type: 'reset', lanes: specsOf(store().lanes) });
  };
  /** Live change of the selected lane: shown at once, validated by the worker and applied at its next step. */
  readonly setConfig = (patch: DeepPartial<TrainConfig>) => {
    store().setLocalConfig(mergeConfig(selectConfig(store()), patch), null);
    this.client?.send({ type: 'setConfig', lane: store().selectedLane, patch });
  };
  readonly applyPreset = (id: string) => {
    const c = presetConfig(id, selectConfig(store()));
    if (!c) return;
    store().setLocalConfig(c, id);
    this.client?.send({ type: 'setConfig', lane: store().selectedLane, patch: c });
  };
  /** A new race of these lanes (fresh students at step 0); the old lanes' runs are kept. */
  readonly startRace = (seeds: LanePlan[], raceId: string | null = null) => {
    if (!seeds.length) return;
    const made = store().setLocalLanes(seeds, raceId);
    this.keeper.forgetAll();
    this.client?.send({ type: 'setLanes', lanes: specsOf(made) });
    this.client?.send({ type: 'selectLane', lane: made[0].id });
  };
  /** A race preset's lanes over the defaults with the selected lane's seed. */
  readonly applyRace = (id: string) => {
    const r = raceById(id);
    if (r) this.startRace(raceLanes(r.lanes, selectConfig(store())), r.id);
  };
  /** Lanes given as patches (a finding's race), over the defaults with the selected lane's seed. */
  readonly raceOf = (lanes: RacePreset['lanes']) => this.startRace(raceLanes(lanes, selectConfig(store())));
  /** A new lane with the selected lane's config (a fresh student at step 0). */
  readonly addLane = () => {
    const s = store();
    if (!canAddLane(s.lanes)) return;
    const from = s.lanes.find((l) => l.id === s.selectedLane) ?? s.lanes[0];
    const lane = s.addLocalLane({ name: copyName(from.name, s.lanes), config: from.config });
    this.client?.send({ type: 'addLane', lane: { id: lane.id, config: lane.config } });
  };
  readonly removeLane = (id: number) => {
    const s = store();
    if (s.lanes.length === 1) return;
    s.removeLocalLane(id);
    this.keeper.forget(id);
    this.client?.send({ type: 'removeLane', lane: id });
    this.client?.send({ type: 'selectLane', lane: store().selectedLane, compare: store().compareLane });
  };
  readonly selectLane = (id: number) => {
    store().selectLane(id);
    this.client?.send({ type: 'selectLane', lane: id, compare: store().compareLane });
  };
  /** Show a second lane's student beside the selected one on the same sample (null: none). */
  readonly setCompare = (id: number | null) => {
    store().setCompareLane(id);
    this.client?.send({ type: 'selectLane', lane: store().selectedLane, compare: id });
  };
  readonly loadPackUrl = (name: string, url: string) => {
    store().setPackLoading(name);
    this.pendingPack = { kind: 'url', name, url };
    this.liveClient()?.send({ type: 'loadPack', source: { kind: 'url', url, name } });
  };
  /** A pack the person picked: refused by size before a byte is read (the CLI's bound), else read and sent. */
  readonly loadPackFile = async (file: File) => {
    try {
      checkPackFileSize(file.name, file.size);
    } catch (e) {
      store().applyMessage({ type: 'packError', name: file.name, error: serializeError(e) });
      return;
    }
    store().setPackLoading(file.name);
    const bytes = await file.arrayBuffer();
    this.pendingPack = { kind: 'file', file };
    this.liveClient()?.send({ type: 'loadPack', source: { kind: 'bytes', bytes, name: file.name } });
  };
  readonly setSample = (index: number) => {
    store().setSampleIndex(index);
    this.client?.send({ type: 'setSample', index });
  };
  readonly setHeatK = (k: number) => {
    store().setHeatK(k);
    this.client?.send({ type: 'setHeatmapK', k });
  };
  /** Ask the worker for the student's weights; the reply downloads as a .safetensors file. */
  readonly exportWeights = () =>
    this.client?.send({ type: 'exportWeights', requestId: ++this.weightsRequest, lane: store().selectedLane });
  /** A fault for the e2e specs (DESIGN §6b; window.__lab.fault under ?e2e). */
  readonly injectFault = (kind: FaultKind, lane?: number) => {
    if (!FAULT_KINDS.includes(kind))
      throw new Error(`__lab.fault: kind must be one of ${FAULT_KINDS.join(', ')}; got ${String(kind)}`);
    this.client?.send({ type: 'fault', kind, ...(lane === undefined ? {} : { lane }) });
  };

  /**
   * Start the worker once from a link's query string (the address bar unless given): init with its backend, preset,
   * seed and config, then fetch its shipped pack. Parameters it ignores are named in the banner. Returns stop().
   */
  start(query: string = location.search): () => void {
    if (this.client) return () => this.stop();
    const url = parseUrlState(query, URL_CATALOG);
    this.workersAsked = url.state.workers;
    this.client = this.makeClient();
    applyLink(url);
    // The one 'auto' path: start on wasm at once and measure the GPU backends beside it (runAuto).
    const backend: BackendName = url.state.backend === 'auto' ? 'wasm' : url.state.backend;
    this.autoState = url.state.backend === 'auto' ? 'pending' : null;
    this.initMsg = {
      type: 'init',
      version: PROTOCOL_VERSION,
      backend,
      wasmPaths: WASM_PATHS,
      lanes: specsOf(store().lanes),
      evalEvery: url.state.evalEvery ?? undefined,
      evalSamples: url.state.evalSamples ?? undefined,
    };
    this.client.send(this.initMsg);
    const shipped = SHIPPED_PACKS.find((p) => p.id === url.state.pack) ?? SHIPPED_PACKS[0];
    this.loadPackUrl(`${shipped.id}.safetensors.gz`, shipped.url);
    startTheme();
    void startPersistence();
    startUrlSync(packIdOf, url.state);
    const onVisibility = () => this.onVisibility();
    document.addEventListener('visibilitychange', onVisibility);
    this.detach.push(() => document.removeEventListener('visibilitychange', onVisibility));
    if (url.state.e2e) this.detach.push(installTestApi(this));
    return () => this.stop();
  }

  /** Stop the worker and remove the listeners (the store and its runs are kept). */
  stop(): void {
    this.detach.splice(0).forEach((f) => f());
    this.client?.terminate();
    this.client = null;
    this.initMsg = null;
  }

  private onWorkerMessage(msg: WorkerToUi): void {
    switch (msg.type) {
      case 'weights':
        download(msg.name, msg.bytes, 'application/octet-stream');
        return;
      case 'checkpoint':
        this.keeper.keep(msg.lane, msg.checkpoint); // resolves a backend switch waiting on it
        return;
      case 'deviceLost':
        this.restart(`The ${msg.backend} device was lost (${msg.reason})`, nextBackend(msg.backend));
        return;
      case 'packLoaded': {
        const r = store().recovery;
        const p = this.pendingPack;
        if (!r) {
          this.keeper.forgetAll(); // a new pack: fresh students
          if (p && (p.kind === 'url' ? p.name : p.file.name) === msg.info.name) this.keeper.pack = p;
        }
        store().applyMessage(msg);
        if (r) {
          // Back on a new worker: the views as they were, and the race running again if it was.
          const s = store();
          this.client?.send({ type: 'selectLane', lane: s.selectedLane, compare: s.compareLane });
          if (s.sampleIndex) this.client?.send({ type: 'setSample', index: s.sampleIndex });
          if (r.resume) this.client?.send({ type: 'play' });
        }
        return;
      }
      default:
        store().applyMessage(msg);
        if (msg.type === 'ready' && this.autoState === 'pending') {
          this.autoState = 'probing';
          void this.runAuto(msg.backend);
        }
    }
  }

  /**
   * auto: the lab trains on `current` (wasm) meanwhile; measure the GPU backends present and, when one is measurably
   * faster, move every lane there: pause, await the pause's checkpoints, restart the worker on it and play on.
   */
  private async runAuto(current: string): Promise<void> {
    try {
      const { pick, note } = await (this.deps.decideAuto ?? autoDecision)(
        current,
        (this.initMsg?.wasmPaths ?? {}) as Record<string, string>,
      );
      store().setAutoNote(note);
      if (pick) await this.switchBackend(pick as BackendName, `auto measured ${pick} faster than ${current}`);
    } catch (e) {
      store().setAutoNote(
        `auto: measuring the other backends failed (${e instanceof Error ? e.message : String(e)}); kept ${current}`,
      );
    } finally {
      this.autoState = 'done';
    }
  }

  /** Move the race to `backend` losing no step: pause (every lane checkpoints), then restart on it from those checkpoints. */
  private async switchBackend(backend: BackendName, reason: string): Promise<void> {
    const wasRunning = store().status === 'running';
    if (wasRunning) this.client?.send({ type: 'pause' });
    const need = new Map(store().lanes.map((l) => [l.id, l.step]));
    await this.keeper.whenCheckpointed(need, this.deps.checkpointWaitMs ?? 5000);
    this.restart(reason, backend, wasRunning);
  }

  /**
   * The worker died (or its GPU device was lost): start a new one on `backend`, reload the pack and resume every lane
   * from its latest checkpoint (DESIGN §6b). The steps since a lane's checkpoint are lost; its curves and run are kept.
   */
  private restart(reason: string, backend: BackendName, resume?: boolean): void {
    const s = store();
    const init = this.initMsg;
    if (!init || s.recovery) return; // not started yet, or a restart is already under way
    this.client?.terminate();
    this.client = null;
    if (!this.keeper.mayRestart(performance.now())) {
      s.pushBanner({
        source: 'worker',
        severity: 'error',
        title: 'The training worker keeps failing; the lab stopped restarting it',
        error: { name: 'WorkerError', message: `${reason}. Reload the page to try again; your runs are kept.` },
      });
      return;
    }
    const lanes = this.keeper.specs(specsOf(s.lanes));
    const steps = Object.fromEntries(s.lanes.map((l) => [l.id, this.keeper.stepOf(l.id)]));
    const changed =
      backend !== init.backend && s.backend && backend !== s.backend.name ? `${reason}; continued on ${backend}` : null;
    s.beginRecovery({
      reason,
      atStep: s.step,
      steps,
      resume: resume ?? s.status === 'running',
      backendChange: changed,
    });
    const client = this.makeClient();
    this.client = client;
    this.initMsg = { ...init, backend: changed ? backend : init.backend, lanes };
    client.send(this.initMsg);
    void this.keeper.source().then((source) => {
      if (!source || this.client !== client) return;
      store().setPackLoading(source.name);
      client.send({ type: 'loadPack', source });
    });
  }

  /**
   * A worker that died of its step (out of memory, a wasm trap: isFatalMessage) is restarted from the checkpoints but
   * paused, with a banner that says why and what to change: resuming would only fail again. Any other crash resumes.
   */
  private makeClient(): TrainPool {
    const onCrash = (message: string, lanes: number[] | null) => {
      const backend = this.initMsg?.backend ?? 'wasm';
      if (lanes) return this.restartLanes(`A training worker crashed (${message})`, lanes);
      if (!isFatalMessage(message)) return this.restart(`The training worker crashed (${message})`, backend);
      const s = store();
      s.pushBanner(stepFailedBanner(message, s.step, s.lanes, backend));
      this.restart(`The training step failed (${message})`, backend, false);
    };
    const batch = new MessageBatch(
      (msg) => this.onWorkerMessage(msg),
      this.deps.batchMs ?? (this.deps.makeWorker ? 0 : BATCH_MS),
    );
    const onMessage = (msg: WorkerToUi) => batch.push(msg);
    const nav = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { deviceMemory?: number });
    return new TrainPool(onMessage, onCrash, {
      makeWorker: this.deps.makeWorker ?? ((m, c) => new TrainClient(m, c)),
      cores: this.deps.cores ?? nav?.hardwareConcurrency ?? 1,
      workers: this.workersAsked,
      memoryGb: nav?.deviceMemory ?? null,
    });
  }

  /**
   * One of the pool's workers died (not of its step): its lanes resume from their checkpoints on a new worker while
   * the others train on (issue 32); the store rewinds those lanes only.
   */
  private restartLanes(reason: string, ids: number[]): void {
    const s = store();
    const pool = this.client;
    if (!pool || s.recovery) return;
    if (!this.keeper.mayRestart(performance.now())) return this.restart(reason, this.initMsg?.backend ?? 'wasm');
    const mine = s.lanes.filter((l) => ids.includes(l.id));
    s.beginRecovery({
      reason,
      atStep: s.step,
      steps: Object.fromEntries(mine.map((l) => [l.id, this.keeper.stepOf(l.id)])),
      resume: s.status === 'running',
      backendChange: null,
    });
    pool.respawn(this.keeper.specs(specsOf(mine)));
  }

  /**
   * The worker to send to; when the lab gave up restarting it (it kept failing), a fresh one with fresh lanes, so that
   * choosing a pack (a shipped one, say) works again without a reload.
   */
  private liveClient(): WorkerPort | null {
    if (this.client || !this.initMsg) return this.client;
    this.keeper.forgetAll();
    this.client = this.makeClient();
    this.initMsg = { ...this.initMsg, lanes: specsOf(store().lanes) };
    this.client.send(this.initMsg);
    store().pushBanner({
      source: 'worker',
      severity: 'info',
      title: 'A new training worker was started',
      error: { name: 'Restarted', message: 'the lanes start again at step 0 on the pack you chose' },
    });
    return this.client;
  }

  private onVisibility(): void {
    const s = store();
    if (document.hidden && s.status === 'running') {
      s.setHiddenPause(true);
      this.client?.send({ type: 'pause', reason: 'hidden' });
    } else if (!document.hidden && s.hiddenPause) {
      s.setHiddenPause(false);
      this.client?.send({ type: 'play' });
    }
  }
}
