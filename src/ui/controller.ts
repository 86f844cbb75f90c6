// Wires the training worker to the store and gives the UI its commands (play, pause, step, reset, live config,
// presets, packs, weights export). Reads ?backend= ?preset= ?pack= ?seed= ?cfg= ?e2e; pauses while the tab is hidden.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { configFromPatchJson, DEFAULT_CONFIG, type DeepPartial, mergeConfig, type TrainConfig } from '../core/config';
import type { BackendChoice } from '../model/backend';
import { useLab } from '../store';
import { presetById } from '../store/presets';
import { TrainClient } from '../worker/client';
import { PROTOCOL_VERSION, serializeError, type WorkerToUi } from '../worker/protocol';
import { download, startPersistence, startTheme, startUrlSync } from './runsController';
import type { LabTestApi } from './testApi';

export const SHIPPED_PACKS = [
  { id: 'shapes', label: 'Shapes (default)', url: `${import.meta.env.BASE_URL}packs/shapes.safetensors.gz` },
  { id: 'digits', label: 'Digits (MNIST)', url: `${import.meta.env.BASE_URL}packs/digits.safetensors.gz` },
];

const params = new URLSearchParams(typeof location === 'undefined' ? '' : location.search);
const BACKENDS = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];
const intParam = (k: string) => (params.get(k) !== null && Number.isInteger(Number(params.get(k))) ? Number(params.get(k)) : undefined);

export const urlOptions = {
  backend: (BACKENDS.includes(params.get('backend') ?? '') ? params.get('backend') : 'auto') as BackendChoice,
  preset: params.get('preset'),
  pack: params.get('pack') ?? 'shapes',
  e2e: params.has('e2e'),
  seed: intParam('seed'),
  batch: intParam('batch'),
  evalEvery: intParam('evalEvery'),
  evalSamples: intParam('evalSamples'),
  cfg: params.get('cfg'),
};

/** The shipped pack id of a loaded pack's file name (null for a pack the person brought). */
export const packIdOf = (name: string) => SHIPPED_PACKS.find((p) => `${p.id}.safetensors.gz` === name)?.id ?? null;
let weightsRequest = 0;

let client: TrainClient | null = null;
const store = () => useLab.getState();

/** Config of a preset: the preset's patch over the current optimiser and seed, other knobs back to defaults. */
export function presetConfig(id: string, base: TrainConfig): TrainConfig | null {
  const p = presetById(id);
  if (!p) return null;
  const reset = { ...DEFAULT_CONFIG, seed: base.seed, optim: base.optim, stage1Steps: base.stage1Steps };
  return mergeConfig(reset, p.patch);
}

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

/** Start the worker once: init with the URL's backend and preset, then fetch the chosen shipped pack. */
export function startLab(): void {
  if (client) return;
  client = new TrainClient(
    onWorkerMessage,
    (message) => store().setBanner('The training worker crashed', { name: 'WorkerError', message }),
  );
  let config = mergeConfig(DEFAULT_CONFIG, {
    seed: urlOptions.seed ?? DEFAULT_CONFIG.seed,
    optim: { batchSize: urlOptions.batch ?? DEFAULT_CONFIG.optim.batchSize },
  });
  if (urlOptions.preset) config = presetConfig(urlOptions.preset, config) ?? config;
  if (urlOptions.cfg) {
    try {
      config = configFromPatchJson(config, urlOptions.cfg);
    } catch (e) {
      store().setBanner("The link's settings were refused; the lab starts from the defaults", serializeError(e));
    }
  }
  store().setLocalConfig(config, presetById(urlOptions.preset) ? urlOptions.preset : null);
  client.send({
    type: 'init',
    version: PROTOCOL_VERSION,
    backend: urlOptions.backend,
    wasmPaths: {
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
    },
    config,
    evalEvery: urlOptions.evalEvery,
    evalSamples: urlOptions.evalSamples,
  });
  const shipped = SHIPPED_PACKS.find((p) => p.id === urlOptions.pack) ?? SHIPPED_PACKS[0];
  lab.loadPackUrl(`${shipped.id}.safetensors.gz`, shipped.url);
  startTheme();
  void startPersistence();
  startUrlSync(packIdOf);
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('keydown', onKey);
  if (urlOptions.e2e) installTestApi();
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
        kdContribution: v && w ? w[2] * v[3] : null,
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
