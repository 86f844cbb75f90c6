// Wires the training worker to the store and gives the UI its commands (play, pause, step, reset, the race's lanes,
// live config, presets, packs, weights export). Starts from the link's parameters (core/urlState); pauses when hidden.
import { valueAt, weightAt } from '../core/terms';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { type DeepPartial, DEFAULT_CONFIG, mergeConfig, type TrainConfig } from '../core/config';
import { checkPackFileSize } from '../core/packCost';
import { parseUrlState, urlMessagesBanner, type UrlCatalog, type UrlState } from '../core/urlState';
import type { BackendChoice } from '../model/backend';
import { autoDecision } from './autoSwitch';
import { useLab } from '../store';
import { canAddLane, copyName, type LaneSeed, type LaneState } from '../store/lanes';
import { configOfUrl, presetConfig, PRESETS } from '../store/presets';
import { raceById, raceLanes, RACES, type RacePreset } from '../store/races';
import { TrainClient } from '../worker/client';
import { type FaultKind, FAULT_KINDS, isFatalMessage, type LaneSpec, PROTOCOL_VERSION, serializeError, type UiToWorker, type WorkerToUi } from '../worker/protocol';
import { nextBackend, RunKeeper } from './recovery';
import { download, startPersistence, startTheme, startUrlSync } from './runsController';
import type { LabTestApi } from './testApi';

export const SHIPPED_PACKS = [
  { id: 'shapes', label: 'Shapes (default)', url: `${import.meta.env.BASE_URL}packs/shapes.safetensors.gz` },
  { id: 'digits', label: 'Digits (MNIST)', url: `${import.meta.env.BASE_URL}packs/digits.safetensors.gz` },
  { id: 'hues', label: 'Hues (ambiguous labels)', url: `${import.meta.env.BASE_URL}packs/hues.safetensors.gz` },
  { id: 'hues-t2', label: 'Hues, second teacher', url: `${import.meta.env.BASE_URL}packs/hues-t2.safetensors.gz` },
];

/** What the link's `?pack=` and `?preset=` accept. */
export const URL_CATALOG: UrlCatalog = { packs: SHIPPED_PACKS.map((p) => p.id), presets: PRESETS.map((p) => p.id), races: RACES.map((r) => r.id) };

/** The shipped pack id of a loaded pack's file name (null for a pack the person brought). */
export const packIdOf = (name: string) => SHIPPED_PACKS.find((p) => `${p.id}.safetensors.gz` === name)?.id ?? null;
let weightsRequest = 0;

let client: TrainClient | null = null;
let initMsg: Extract<UiToWorker, { type: 'init' }> | null = null; // what the worker was started with (a restart reuses it)
const keeper = new RunKeeper(); // the lanes' latest checkpoints and the pack's source
const store = () => useLab.getState();

const specsOf = (lanes: readonly LaneState[]): LaneSpec[] => lanes.map((l) => ({ id: l.id, config: l.config }));

export const lab = {
  play: () => client?.send({ type: 'play' }),
  pause: () => client?.send({ type: 'pause', reason: 'user' }),
  toggle: () => (store().status === 'running' ? lab.pause() : lab.play()),
  step: () => client?.send({ type: 'step' }),
  /** Every lane a fresh student at step 0 with the config it shows. */
  reset: () => {
    keeper.forgetAll();
    client?.send({ type: 'reset', lanes: specsOf(store().lanes) });
  },
  /** Live change of the selected lane: shown at once, validated by the worker and applied at its next step. */
  setConfig: (patch: DeepPartial<TrainConfig>) => {
    store().setLocalConfig(mergeConfig(store().config, patch), null);
    client?.send({ type: 'setConfig', lane: store().selectedLane, patch });
  },
  applyPreset: (id: string) => {
    const c = presetConfig(id, store().config);
    if (!c) return;
    store().setLocalConfig(c, id);
    client?.send({ type: 'setConfig', lane: store().selectedLane, patch: c });
  },
  /** A new race of these lanes (fresh students at step 0); the old lanes' runs are kept. */
  startRace: (seeds: LaneSeed[], raceId: string | null = null) => {
    if (!seeds.length) return;
    const made = store().setLocalLanes(seeds, raceId);
    keeper.forgetAll();
    client?.send({ type: 'setLanes', lanes: specsOf(made) });
    client?.send({ type: 'selectLane', lane: made[0].id });
  },
  /** A race preset's lanes over the defaults with the selected lane's seed. */
  applyRace: (id: string) => {
    const r = raceById(id);
    if (r) lab.startRace(raceLanes(r.lanes, store().config), r.id);
  },
  /** Lanes given as patches (a finding's race), over the defaults with the selected lane's seed. */
  raceOf: (lanes: RacePreset['lanes']) => lab.startRace(raceLanes(lanes, store().config)),
  /** A new lane with the selected lane's config (a fresh student at step 0). */
  addLane: () => {
    const s = store();
    if (!canAddLane(s.lanes)) return;
    const from = s.lanes.find((l) => l.id === s.selectedLane) ?? s.lanes[0];
    const lane = s.addLocalLane({ name: copyName(from.name, s.lanes), config: from.config });
    client?.send({ type: 'addLane', lane: { id: lane.id, config: lane.config } });
  },
  removeLane: (id: number) => {
    const s = store();
    if (s.lanes.length === 1) return;
    s.removeLocalLane(id);
    keeper.forget(id);
    client?.send({ type: 'removeLane', lane: id });
    client?.send({ type: 'selectLane', lane: store().selectedLane, compare: store().compareLane });
  },
  selectLane: (id: number) => {
    store().selectLane(id);
    client?.send({ type: 'selectLane', lane: id, compare: store().compareLane });
  },
  /** Show a second lane's student beside the selected one on the same sample (null: none). */
  setCompare: (id: number | null) => {
    store().setCompareLane(id);
    client?.send({ type: 'selectLane', lane: store().selectedLane, compare: id });
  },
  loadPackUrl: (name: string, url: string) => {
    store().setPackLoading(name);
    pendingPack = { kind: 'url', name, url };
    liveClient()?.send({ type: 'loadPack', source: { kind: 'url', url, name } });
  },
  /** A pack the person picked: refused by size before a byte is read (the CLI's bound), else read and sent. */
  loadPackFile: async (file: File) => {
    try {
      checkPackFileSize(file.name, file.size);
    } catch (e) {
      store().applyMessage({ type: 'packError', name: file.name, error: serializeError(e) });
      return;
    }
    store().setPackLoading(file.name);
    const bytes = await file.arrayBuffer();
    pendingPack = { kind: 'file', file };
    liveClient()?.send({ type: 'loadPack', source: { kind: 'bytes', bytes, name: file.name } });
  },
  setSample: (index: number) => {
    store().setSampleIndex(index);
    client?.send({ type: 'setSample', index });
  },
  setHeatK: (k: number) => {
    store().setHeatK(k);
    client?.send({ type: 'setHeatmapK', k });
  },
  /** Ask the worker for the student's weights; the reply downloads as a .safetensors file. */
  exportWeights: () => client?.send({ type: 'exportWeights', requestId: ++weightsRequest, lane: store().selectedLane }),
};

let pendingPack: RunKeeper['pack'] = null; // the pack asked for last (kept once it loads)

function onWorkerMessage(msg: WorkerToUi) {
  switch (msg.type) {
    case 'weights':
      download(msg.name, msg.bytes, 'application/octet-stream');
      return;
    case 'checkpoint':
      keeper.keep(msg.lane, msg.checkpoint);
      return;
    case 'deviceLost':
      restart(`The ${msg.backend} device was lost (${msg.reason})`, nextBackend(msg.backend));
      return;
    case 'packLoaded': {
      const r = store().recovery;
      if (!r) {
        keeper.forgetAll(); // a new pack: fresh students
        if (pendingPack && pendingPack.kind === 'url' ? pendingPack.name === msg.info.name : pendingPack?.kind === 'file' && pendingPack.file.name === msg.info.name) keeper.pack = pendingPack;
      }
      store().applyMessage(msg);
      if (r) {
        // Back on a new worker: the views as they were, and the race running again if it was.
        const s = store();
        client?.send({ type: 'selectLane', lane: s.selectedLane, compare: s.compareLane });
        if (s.sampleIndex) client?.send({ type: 'setSample', index: s.sampleIndex });
        if (r.resume) client?.send({ type: 'play' });
      }
      return;
    }
    default:
      store().applyMessage(msg);
      if (msg.type === 'ready' && autoState === 'pending') {
        autoState = 'probing';
        void runAuto(msg.backend);
      }
  }
}

/** 'auto' asked for: 'pending' until the first worker is ready on wasm, then the probe runs once in the background. */
let autoState: 'pending' | 'probing' | 'done' | null = null;

/**
 * auto: the lab trains on `current` (wasm) meanwhile; measure the GPU backends present and, when one is measurably
 * faster, move every lane there: pause, let the pause's checkpoints arrive, restart the worker on it and play on.
 */
async function runAuto(current: string): Promise<void> {
  const paths = initMsg?.wasmPaths;
  try {
    const { pick, note } = await autoDecision(current, (paths ?? {}) as Record<string, string>);
    store().setAutoNote(note);
    if (pick) await switchBackend(pick as BackendChoice, `auto measured ${pick} faster than ${current}`);
  } catch (e) {
    store().setAutoNote(`auto: measuring the other backends failed (${e instanceof Error ? e.message : String(e)}); kept ${current}`);
  } finally {
    autoState = 'done';
  }
}

/** Move the race to `backend` losing no step: pause (every lane checkpoints), then restart on it from those checkpoints. */
async function switchBackend(backend: BackendChoice, reason: string): Promise<void> {
  const wasRunning = store().status === 'running';
  if (wasRunning) client?.send({ type: 'pause' });
  const deadline = performance.now() + 5000;
  const checkpointed = () => store().lanes.every((l) => keeper.stepOf(l.id) >= l.step);
  while (!checkpointed() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  restart(reason, backend, wasRunning);
}

/**
 * The worker died (or its GPU device was lost): start a new one on `backend`, reload the pack and resume every lane
 * from its latest checkpoint (DESIGN §6b). The steps since a lane's checkpoint are lost; its curves and run are kept.
 */
function restart(reason: string, backend: BackendChoice, resume?: boolean): void {
  const s = store();
  if (!initMsg || s.recovery) return; // not started yet, or a restart is already under way
  client?.terminate();
  client = null;
  if (!keeper.mayRestart(performance.now())) {
    store().pushBanner({ source: 'worker', severity: 'error', title: 'The training worker keeps failing; the lab stopped restarting it', error: { name: 'WorkerError', message: `${reason}. Reload the page to try again; your runs are kept.` } });
    return;
  }
  const lanes = keeper.specs(specsOf(s.lanes));
  const steps = Object.fromEntries(s.lanes.map((l) => [l.id, keeper.stepOf(l.id)]));
  const changed = backend !== initMsg.backend && s.backend && backend !== s.backend.name ? `${reason}; continued on ${backend}` : null;
  store().beginRecovery({ reason, atStep: s.step, steps, resume: resume ?? s.status === 'running', backendChange: changed });
  client = makeClient();
  initMsg = { ...initMsg, backend: changed ? backend : initMsg.backend, lanes };
  client.send(initMsg);
  void keeper.source().then((source) => {
    if (!source) return;
    store().setPackLoading(source.name);
    client?.send({ type: 'loadPack', source });
  });
}

/**
 * A worker that died of its step (out of memory, a wasm trap: isFatalMessage) is restarted from the checkpoints but
 * paused, with a banner that says why and what to change: resuming would only fail again. Any other crash resumes.
 */
function makeClient(): TrainClient {
  return new TrainClient(onWorkerMessage, (message) => {
    const backend = initMsg?.backend ?? 'auto';
    if (!isFatalMessage(message)) return restart(`The training worker crashed (${message})`, backend);
    const s = store();
    const batch = s.lanes.map((l) => l.config.optim.batchSize);
    store().pushBanner({
      source: 'worker', // (not 'run': the recovery clears the run's banners when the pack is back)
      severity: 'error',
      title: 'Training stopped: a step ran out of memory or trapped in the backend',
      error: { name: 'StepFailed', message: `${message} (step ${s.step}, ${s.lanes.length} lane(s), batch ${batch.join('/')}, on ${backend}). The race is paused at its last checkpoint on a new worker: lower the batch size, race fewer lanes or load a smaller pack, then press Train.` },
    });
    restart(`The training step failed (${message})`, backend, false);
  });
}

/**
 * The worker to send to; when the lab gave up restarting it (it kept failing), a fresh one with fresh lanes, so that
 * choosing a pack (a shipped one, say) works again without a reload.
 */
function liveClient(): TrainClient | null {
  if (client || !initMsg) return client;
  keeper.forgetAll();
  client = makeClient();
  initMsg = { ...initMsg, lanes: specsOf(store().lanes) };
  client.send(initMsg);
  store().pushBanner({ source: 'worker', severity: 'info', title: 'A new training worker was started', error: { name: 'Restarted', message: 'the lanes start again at step 0 on the pack you chose' } });
  return client;
}

function onVisibility() {
  const s = store();
  if (document.hidden && s.status === 'running') {
    s.setHiddenPause(true);
    client?.send({ type: 'pause', reason: 'hidden' });
  } else if (!document.hidden && s.hiddenPause) {
    s.setHiddenPause(false);
    client?.send({ type: 'play' });
  }
}

function onKey(e: KeyboardEvent) {
  if (e.code !== 'Space') return;
  const t = e.target as HTMLElement | null;
  if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || t.tagName === 'BUTTON')) return;
  e.preventDefault();
  lab.toggle();
}

/**
 * Start the worker once from a link's query string (the address bar unless given): init with its backend, preset,
 * seed and config, then fetch its shipped pack. Parameters it ignores are named in the banner.
 */
export function startLab(query: string = location.search): void {
  if (client) return;
  const url = parseUrlState(query, URL_CATALOG);
  client = makeClient();
  const { config, presetId, error } = configOfUrl(url.state);
  const ignored = urlMessagesBanner(url.messages);
  if (ignored) store().pushBanner({ source: 'url', severity: 'warning', title: ignored.title, error: ignored.error });
  if (error) store().pushBanner({ source: 'url', severity: 'warning', title: "The link's settings were refused; the lab starts from the defaults", error: serializeError(error) });
  const race = lanesOfUrl(url.state, config);
  const made = store().setLocalLanes(race.seeds, race.raceId);
  store().setLocalConfig(made[0].config, race.seeds.length === 1 ? presetId : null);
  // auto starts on wasm at once and measures the GPU backends beside it (runAuto), instead of before the first step.
  const backend: BackendChoice = url.state.backend === 'auto' ? 'wasm' : url.state.backend;
  autoState = url.state.backend === 'auto' ? 'pending' : null;
  initMsg = {
    type: 'init',
    version: PROTOCOL_VERSION,
    backend,
    wasmPaths: {
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
    },
    lanes: specsOf(store().lanes),
    evalEvery: url.state.evalEvery ?? undefined,
    evalSamples: url.state.evalSamples ?? undefined,
  };
  client.send(initMsg);
  const shipped = SHIPPED_PACKS.find((p) => p.id === url.state.pack) ?? SHIPPED_PACKS[0];
  lab.loadPackUrl(`${shipped.id}.safetensors.gz`, shipped.url);
  startTheme();
  void startPersistence();
  startUrlSync(packIdOf, url.state);
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('keydown', onKey);
  if (url.state.e2e) installTestApi();
}

/** The race a link starts with: its `lanes`, else its `race` preset, else one lane of its preset and `cfg`. */
function lanesOfUrl(u: UrlState, config: TrainConfig): { seeds: LaneSeed[]; raceId: string | null } {
  if (u.lanes) {
    const base = { ...DEFAULT_CONFIG, seed: u.seed };
    return { seeds: u.lanes.map((l) => ({ name: l.name, config: mergeConfig(base, l.cfg) })), raceId: null };
  }
  const r = raceById(u.race);
  if (r) return { seeds: raceLanes(r.lanes, config), raceId: r.id };
  return { seeds: [{ name: 'Lane 1', config }], raceId: null };
}

function installTestApi() {
  const api: LabTestApi = {
    fault: (kind: FaultKind) => {
      if (!FAULT_KINDS.includes(kind)) throw new Error(`__lab.fault: kind must be one of ${FAULT_KINDS.join(', ')}; got ${String(kind)}`);
      client?.send({ type: 'fault', kind });
    },
    state: () => {
      const s = store();
      const v = s.lastValues ? Array.from(s.lastValues) : null;
      const w = s.lastWeights ? Array.from(s.lastWeights) : null;
      return {
        step: s.step,
        status: s.status,
        backend: s.backend?.name ?? null,
        pack: s.pack?.name ?? null,
        values: v,
        weights: w,
        kdContribution: s.lastValues && s.lastWeights ? weightAt(s.lastWeights, 0, 'kd') * valueAt(s.lastValues, 0, 'kd') : null,
        valAccuracy: s.evals.length ? s.evals[s.evals.length - 1].overall : null,
        hiddenPause: s.hiddenPause,
        banner: s.banner ? `${s.banner.title}: ${s.banner.error.message}` : null,
        banners: s.banners.map((b) => ({ source: b.source, severity: b.severity, title: b.title, message: b.error.message })),
        presetId: s.presetId,
        config: s.config,
        losses: Array.from(s.series.column('total')),
        stepsPerSec: s.stepsPerSec,
        runs: s.runs.map((r) => ({ id: r.id, name: r.name, steps: r.metrics.step.length })),
        live: s.live ? { id: s.live.id, name: s.live.name } : null,
        saved: !s.live || s.savedVersion === s.version,
        theme: document.documentElement.dataset.theme ?? null,
        lanes: s.lanes.map((l) => ({
          id: l.id,
          name: l.name,
          step: l.step,
          losses: Array.from(l.series.column('total')),
          valAccuracy: l.evals.length ? l.evals[l.evals.length - 1].overall : null,
          config: l.config,
          runId: l.live?.id ?? null,
        })),
        selectedLane: s.selectedLane,
        raceId: s.raceId,
        backendChanged: s.backend?.changed ?? null,
        recovering: s.recovery !== null,
      };
    },
  };
  (window as unknown as { __lab: LabTestApi }).__lab = api;
}
