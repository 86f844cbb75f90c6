// Wires the training worker to the store and gives the UI its commands (play, pause, step, reset, live config,
// presets, packs, weights export). Starts from the link's parameters (core/urlState); pauses while the tab is hidden.
import { valueAt, weightAt } from '../core/terms';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { type DeepPartial, mergeConfig, type TrainConfig } from '../core/config';
import { parseUrlState, urlMessagesBanner, type UrlCatalog } from '../core/urlState';
import type { BackendChoice } from '../model/backend';
import { useLab } from '../store';
import { configOfUrl, presetConfig, PRESETS } from '../store/presets';
import { TrainClient } from '../worker/client';
import { PROTOCOL_VERSION, serializeError, type WorkerToUi } from '../worker/protocol';
import { download, startPersistence, startTheme, startUrlSync } from './runsController';
import type { LabTestApi } from './testApi';

export const SHIPPED_PACKS = [
  { id: 'shapes', label: 'Shapes (default)', url: `${import.meta.env.BASE_URL}packs/shapes.safetensors.gz` },
  { id: 'digits', label: 'Digits (MNIST)', url: `${import.meta.env.BASE_URL}packs/digits.safetensors.gz` },
];

/** What the link's `?pack=` and `?preset=` accept. */
export const URL_CATALOG: UrlCatalog = { packs: SHIPPED_PACKS.map((p) => p.id), presets: PRESETS.map((p) => p.id) };

/** The shipped pack id of a loaded pack's file name (null for a pack the person brought). */
export const packIdOf = (name: string) => SHIPPED_PACKS.find((p) => `${p.id}.safetensors.gz` === name)?.id ?? null;
let weightsRequest = 0;

let client: TrainClient | null = null;
const store = () => useLab.getState();

export const lab = {
  play: () => client?.send({ type: 'play' }),
  pause: () => client?.send({ type: 'pause', reason: 'user' }),
  toggle: () => (store().status === 'running' ? lab.pause() : lab.play()),
  step: () => client?.send({ type: 'step' }),
  reset: () => client?.send({ type: 'reset', config: store().config }),
  /** Live change: shown at once, validated by the worker and applied at its next step. */
  setConfig: (patch: DeepPartial<TrainConfig>) => {
    store().setLocalConfig(mergeConfig(store().config, patch), null);
    client?.send({ type: 'setConfig', patch });
  },
  applyPreset: (id: string) => {
    const c = presetConfig(id, store().config);
    if (!c) return;
    store().setLocalConfig(c, id);
    client?.send({ type: 'setConfig', patch: c });
  },
  loadPackUrl: (name: string, url: string) => {
    store().setPackLoading(name);
    client?.send({ type: 'loadPack', source: { kind: 'url', url, name } });
  },
  loadPackFile: async (file: File) => {
    store().setPackLoading(file.name);
    const bytes = await file.arrayBuffer();
    client?.send({ type: 'loadPack', source: { kind: 'bytes', bytes, name: file.name } });
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
  exportWeights: () => client?.send({ type: 'exportWeights', requestId: ++weightsRequest }),
};

function onWorkerMessage(msg: WorkerToUi) {
  if (msg.type === 'weights') {
    download(msg.name, msg.bytes, 'application/octet-stream');
    return;
  }
  store().applyMessage(msg);
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
  client = new TrainClient(
    onWorkerMessage,
    (message) => store().setBanner('The training worker crashed', { name: 'WorkerError', message }),
  );
  const { config, presetId, error } = configOfUrl(url.state);
  const ignored = urlMessagesBanner(url.messages);
  if (ignored) store().setBanner(ignored.title, ignored.error);
  if (error) store().setBanner("The link's settings were refused; the lab starts from the defaults", serializeError(error));
  store().setLocalConfig(config, presetId);
  const backend: BackendChoice = url.state.backend;
  client.send({
    type: 'init',
    version: PROTOCOL_VERSION,
    backend,
    wasmPaths: {
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
    },
    config,
    evalEvery: url.state.evalEvery ?? undefined,
    evalSamples: url.state.evalSamples ?? undefined,
  });
  const shipped = SHIPPED_PACKS.find((p) => p.id === url.state.pack) ?? SHIPPED_PACKS[0];
  lab.loadPackUrl(`${shipped.id}.safetensors.gz`, shipped.url);
  startTheme();
  void startPersistence();
  startUrlSync(packIdOf, url.state);
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('keydown', onKey);
  if (url.state.e2e) installTestApi();
}

function installTestApi() {
  const api: LabTestApi = {
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
        presetId: s.presetId,
        config: s.config,
        losses: Array.from(s.series.column('total')),
        stepsPerSec: s.stepsPerSec,
        runs: s.runs.map((r) => ({ id: r.id, name: r.name, steps: r.metrics.step.length })),
        live: s.live ? { id: s.live.id, name: s.live.name } : null,
        saved: !s.live || s.savedVersion === s.version,
        theme: document.documentElement.dataset.theme ?? null,
      };
    },
  };
  (window as unknown as { __lab: LabTestApi }).__lab = api;
}
