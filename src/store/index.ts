// The lab's one zustand store, in slices (run, config, pack, metrics). Worker messages reach it only through
// applyMessage(msg); metric series are mutated in place and announced by a version counter (no history copies).
import { lastRow, TERM_WIDTH, VALUE_WIDTH } from '../core/terms';
import { create, type StateCreator } from 'zustand';
import { DEFAULT_CONFIG, type TrainConfig } from '../core/config';
import type { PackInfo, RunStatus, SampleView, SerializedError, WorkerToUi } from '../worker/protocol';
import { DEFAULT_SETTINGS, type LabSettings } from './persist';
import { type AlignmentRow, type LiveRunMeta, type RunRecord, snapshotRun } from './runs';
import { type EvalRow, StepSeries } from './series';

export interface BackendState {
  name: string;
  isFallbackAdapter: boolean | null;
  adapter: string | null;
  note: string | null;
}

export interface RunSlice {
  backend: BackendState | null;
  status: RunStatus;
  step: number;
  stepsPerSec: number; // latest delta
  stepsPerSecBySource: { cached: number | null; online: number | null }; // the cost of each teacher source
  hiddenPause: boolean; // paused because the tab is hidden
  banner: { title: string; error: SerializedError } | null; // the error banner (pack, config, worker)
  dismissBanner: () => void;
  setHiddenPause: (on: boolean) => void;
  setBanner: (title: string, error: SerializedError) => void;
}

export interface ConfigSlice {
  config: TrainConfig; // what the UI shows and the worker applies at the next step
  presetId: string | null;
  sampleIndex: number;
  heatK: number;
  setLocalConfig: (c: TrainConfig, presetId?: string | null) => void;
  setSampleIndex: (i: number) => void;
  setHeatK: (k: number) => void;
}

export interface PackSlice {
  pack: PackInfo | null;
  packLoading: { name: string; loaded: number; total: number | null } | null;
  setPackLoading: (name: string) => void;
}

export interface MetricsSlice {
  series: StepSeries; // mutated in place; read after `version` changes
  evals: EvalRow[]; // val evaluations (small: one per N steps)
  version: number; // bumps on every metrics / eval message
  sample: SampleView | null;
  lastValues: Float32Array | null; // [VALUE_WIDTH] the latest step's values (core/terms VALUE_NAMES)
  lastWeights: Float32Array | null; // [TERM_WIDTH] the latest step's weights (core/terms TERM_NAMES)
}

export interface RunsSlice {
  live: LiveRunMeta | null; // the run being trained (created at its first logged step)
  alignRows: AlignmentRow[]; // the live run's alignment over training, one row per evaluation
  runs: RunRecord[]; // kept runs (finished, imported, and the live run's last saved snapshot after a reload)
  selectedRunId: string | null; // the run the export buttons act on (null: the live run)
  settings: LabSettings;
  runCounter: number; // names "Run N"
  savedVersion: number; // metrics version of the live run's last saved snapshot
  dark: boolean; // the theme in force (settings.theme resolved against the system preference)
  setDark: (dark: boolean) => void;
  hydrate: (runs: RunRecord[], settings: LabSettings) => void;
  setSettings: (patch: Partial<LabSettings>) => void;
  addRun: (r: RunRecord) => void;
  removeRun: (id: string) => void;
  selectRun: (id: string | null) => void;
  toggleOverlay: (id: string) => void;
  /** The live run as a record (null before its first step). */
  liveRecord: () => RunRecord | null;
  markSaved: (version: number) => void;
}

export interface Actions {
  applyMessage: (msg: WorkerToUi) => void; // the only writer of worker state
}

export type LabState = RunSlice & ConfigSlice & PackSlice & MetricsSlice & RunsSlice & Actions;

const runSlice: StateCreator<LabState, [], [], RunSlice> = (set) => ({
  backend: null,
  status: 'loading',
  step: 0,
  stepsPerSec: 0,
  stepsPerSecBySource: { cached: null, online: null },
  hiddenPause: false,
  banner: null,
  dismissBanner: () => set({ banner: null }),
  setHiddenPause: (on) => set({ hiddenPause: on }),
  setBanner: (title, error) => set({ banner: { title, error } }),
});

const configSlice: StateCreator<LabState, [], [], ConfigSlice> = (set) => ({
  config: DEFAULT_CONFIG,
  presetId: null,
  sampleIndex: 0,
  heatK: 8,
  setLocalConfig: (config, presetId) => set((s) => ({ config, presetId: presetId === undefined ? s.presetId : presetId })),
  setSampleIndex: (sampleIndex) => set({ sampleIndex }),
  setHeatK: (heatK) => set({ heatK }),
});

const packSlice: StateCreator<LabState, [], [], PackSlice> = (set) => ({
  pack: null,
  packLoading: null,
  setPackLoading: (name) => set({ packLoading: { name, loaded: 0, total: null } }),
});

const metricsSlice: StateCreator<LabState, [], [], MetricsSlice> = () => ({
  series: new StepSeries(),
  evals: [],
  version: 0,
  sample: null,
  lastValues: null,
  lastWeights: null,
});

const runsSlice: StateCreator<LabState, [], [], RunsSlice> = (set, get) => ({
  live: null,
  alignRows: [],
  runs: [],
  selectedRunId: null,
  settings: DEFAULT_SETTINGS,
  runCounter: 0,
  savedVersion: -1,
  dark: false,
  setDark: (dark) => set({ dark }),
  hydrate: (runs, settings) =>
    set((s) => {
      const known = new Set(s.runs.map((r) => r.id));
      const merged = [...runs.filter((r) => !known.has(r.id)), ...s.runs];
      const maxN = Math.max(0, ...merged.map((r) => Number(/^Run (\d+)$/.exec(r.name)?.[1] ?? 0)));
      return { runs: merged, settings, runCounter: Math.max(s.runCounter, maxN) };
    }),
  setSettings: (patch) => set((s) => ({ settings: { ...s.settings, ...patch } })),
  addRun: (r) => set((s) => ({ runs: [...s.runs.filter((x) => x.id !== r.id), r] })),
  removeRun: (id) =>
    set((s) => ({
      runs: s.runs.filter((r) => r.id !== id),
      selectedRunId: s.selectedRunId === id ? null : s.selectedRunId,
      settings: { ...s.settings, overlay: s.settings.overlay.filter((x) => x !== id) },
    })),
  selectRun: (selectedRunId) => set({ selectedRunId }),
  toggleOverlay: (id) =>
    set((s) => {
      const on = s.settings.overlay.includes(id);
      return { settings: { ...s.settings, overlay: on ? s.settings.overlay.filter((x) => x !== id) : [...s.settings.overlay, id] } };
    }),
  liveRecord: () => {
    const s = get();
    return s.live && s.series.n > 0 ? snapshotRun(s.live, s.series, s.evals, s.alignRows, s.config) : null;
  },
  markSaved: (savedVersion) => set({ savedVersion }),
});

/** Keep the live run (if it logged a step) among the runs, then clear the live series. */
function resetMetrics(s: LabState): Partial<LabState> {
  const rec = s.liveRecord();
  s.series.clear();
  return {
    evals: [],
    alignRows: [],
    live: null,
    runs: rec ? [...s.runs.filter((r) => r.id !== rec.id), rec] : s.runs,
    version: s.version + 1,
    lastValues: null,
    lastWeights: null,
    step: 0,
  };
}

/** A new live run at its first logged step: the config in force, the pack and backend. */
function newLive(s: LabState): Partial<LabState> {
  const n = s.runCounter + 1;
  const created = new Date();
  const live: LiveRunMeta = {
    id: `run-${created.getTime().toString(36)}-${n}`,
    name: `Run ${n}`,
    createdAt: created.toISOString(),
    pack: s.pack?.name ?? 'unknown',
    backend: s.backend?.name ?? null,
    config: s.config,
    families: s.pack?.families ?? [],
    alignSamples: s.pack?.alignSamples ?? 0,
    A: s.pack?.A ?? 0,
  };
  return { live, runCounter: n, selectedRunId: null };
}

export const useLab = create<LabState>()((set, get, api) => ({
  ...runSlice(set, get, api),
  ...configSlice(set, get, api),
  ...packSlice(set, get, api),
  ...metricsSlice(set, get, api),
  ...runsSlice(set, get, api),
  applyMessage: (msg) => {
    const s = get();
    switch (msg.type) {
      case 'ready':
        set({ backend: { name: msg.backend, isFallbackAdapter: msg.isFallbackAdapter, adapter: msg.adapter, note: msg.note } });
        return;
      case 'packProgress':
        set({ packLoading: { name: msg.name, loaded: msg.loaded, total: msg.total } });
        return;
      case 'packLoaded':
        set({ pack: msg.info, packLoading: null, sample: null, sampleIndex: 0, ...resetMetrics(s) });
        return;
      case 'packError':
        set({ packLoading: null, banner: { title: `Could not load ${msg.name}; the lab keeps ${s.pack ? s.pack.name : 'no pack'}`, error: msg.error } });
        return;
      case 'status': {
        const patch: Partial<LabState> = { status: msg.status, step: msg.step };
        if (msg.status === 'idle' && msg.step === 0 && (s.series.n > 0 || s.live)) Object.assign(patch, resetMetrics(s), { step: 0 });
        set(patch);
        return;
      }
      case 'configApplied':
        set({ config: msg.config });
        return;
      case 'configError':
        set({ banner: { title: 'That setting was refused; the previous one stays', error: msg.error } });
        return;
      case 'metrics': {
        const start = s.live ? {} : newLive(s);
        s.series.append(msg.fromStep, msg.count, msg.values, msg.weights, msg.lr);
        set({
          ...start,
          version: s.version + 1,
          step: msg.fromStep + msg.count,
          stepsPerSec: msg.stepsPerSec,
          stepsPerSecBySource: { ...s.stepsPerSecBySource, [msg.source]: msg.stepsPerSec },
          lastValues: lastRow(msg.values.subarray(0, msg.count * VALUE_WIDTH), VALUE_WIDTH),
          lastWeights: lastRow(msg.weights.subarray(0, msg.count * TERM_WIDTH), TERM_WIDTH),
        });
        return;
      }
      case 'eval':
        set({
          evals: [...s.evals, { step: msg.step, overall: msg.overall, perFamily: msg.perFamily, valLoss: msg.valLoss }],
          alignRows: [...s.alignRows, { step: msg.step, values: Array.from(msg.alignment) }],
          version: s.version + 1,
        });
        return;
      case 'weights':
        return; // a download: the controller handles it
      case 'sample':
        set({ sample: msg.view });
        return;
      case 'error':
        set({ banner: { title: 'The training worker reported an error', error: msg.error } });
        return;
      default: {
        const never: never = msg;
        throw new Error(`store: unknown worker message ${JSON.stringify(never)}`);
      }
    }
  },
}));
