// The lab's one zustand store, in slices (run, config, pack, lanes, metrics). Worker messages reach it only through
// applyMessage(msg) (messages.ts); metric series are mutated in place and announced by a version counter (no history copies).
// The race's lanes live in `lanes`, each with its config and run; single views read the selected one through
// store/selectors.ts (no copy of it is kept beside the lanes).
import { create, type StateCreator } from 'zustand';
import { pushedBanners } from './banners';
import { keepLiveRuns, selectedView, withBanners } from './laneOps';
import { DEFAULT_LANE, type StoreLane, makeLane } from './lanes';
import { applyWorkerMessage } from './messages';
import { DEFAULT_SETTINGS } from './persist';
import { snapshotRun } from './runs';
import { selectedLaneOf } from './selectors';
import type { RunSlice, ConfigSlice, PackSlice, LanesSlice, MetricsSlice, RunsSlice, LabState } from './state';

export type {
  BackendState,
  RunSlice,
  ConfigSlice,
  PackSlice,
  LanesSlice,
  MetricsSlice,
  RunsSlice,
  RecoverySlice,
  Actions,
  LabState,
} from './state';

const runSlice: StateCreator<LabState, [], [], RunSlice> = (set, get) => ({
  backend: null,
  workers: null,
  status: 'loading',
  step: 0,
  stepsPerSec: 0,
  stepsPerSecBySource: { cached: null, online: null },
  hiddenPause: false,
  banners: [],
  banner: null,
  nextBannerId: 1,
  pushBanner: (b) => {
    const id = get().nextBannerId;
    set((s) => ({ ...withBanners(pushedBanners(s.banners, b, id)), nextBannerId: id + 1 }));
    return id;
  },
  dismissBanner: (id) =>
    set((s) => withBanners(id === undefined ? s.banners.slice(0, -1) : s.banners.filter((b) => b.id !== id))),
  clearBanners: (source) => set((s) => withBanners(s.banners.filter((b) => b.source !== source))),
  setHiddenPause: (on) => set({ hiddenPause: on }),
  setBanner: (title, error) => void get().pushBanner({ source: 'lab', severity: 'error', title, error }),
});

const configSlice: StateCreator<LabState, [], [], ConfigSlice> = (set) => ({
  presetId: null,
  raceId: null,
  sampleIndex: 0,
  heatK: 8,
  setLocalConfig: (config, presetId) =>
    set((s) => ({
      presetId: presetId === undefined ? s.presetId : presetId,
      lanes: s.lanes.map((l) => (l.id === s.selectedLane ? { ...l, config } : l)),
    })),
  setSampleIndex: (sampleIndex) => set({ sampleIndex }),
  setHeatK: (heatK) => set({ heatK }),
});

const packSlice: StateCreator<LabState, [], [], PackSlice> = (set) => ({
  pack: null,
  packLoading: null,
  setPackLoading: (name) => set({ packLoading: { name, loaded: 0, total: null } }),
  setAutoNote: (note) => set((s) => ({ backend: s.backend ? { ...s.backend, auto: note } : s.backend })),
});

const lane0 = makeLane(0, DEFAULT_LANE, []);

const lanesSlice: StateCreator<LabState, [], [], LanesSlice> = (set, get) => ({
  lanes: [lane0],
  selectedLane: 0,
  compareLane: null,
  nextLaneId: 1,
  pendingLanes: [],
  setLocalLanes: (seeds, raceId = null) => {
    const s = get();
    const kept = keepLiveRuns(s);
    const made: StoreLane[] = [];
    seeds.forEach((seed, i) => made.push(makeLane(s.nextLaneId + i, seed, made)));
    set({
      ...kept,
      lanes: made,
      nextLaneId: s.nextLaneId + seeds.length,
      pendingLanes: made.map((l) => l.id),
      compareLane: null,
      raceId,
      version: s.version + 1,
      ...selectedView(made, made[0].id),
    });
    return made;
  },
  addLocalLane: (seed) => {
    const s = get();
    const lane = makeLane(s.nextLaneId, seed, s.lanes);
    set({
      lanes: [...s.lanes, lane],
      nextLaneId: s.nextLaneId + 1,
      pendingLanes: [...s.pendingLanes, lane.id],
      raceId: null,
      version: s.version + 1,
    });
    return lane;
  },
  removeLocalLane: (id) => {
    const s = get();
    const gone = s.lanes.find((l) => l.id === id);
    if (!gone || s.lanes.length === 1) return;
    const lanes = s.lanes.filter((l) => l.id !== id);
    const rec =
      gone.live && gone.series.n > 0
        ? snapshotRun(gone.live, gone.series, gone.evals, gone.alignRows, gone.config)
        : null;
    set({
      lanes,
      raceId: null,
      compareLane: s.compareLane === id ? null : s.compareLane,
      runs: rec ? [...s.runs.filter((r) => r.id !== rec.id), rec] : s.runs,
      version: s.version + 1,
      ...selectedView(lanes, s.selectedLane === id ? lanes[0].id : s.selectedLane),
    });
  },
  selectLane: (id) =>
    set((s) => ({ ...selectedView(s.lanes, id), compareLane: s.compareLane === id ? null : s.compareLane })),
  setCompareLane: (compareLane) => set({ compareLane }),
});

const metricsSlice: StateCreator<LabState, [], [], MetricsSlice> = () => ({ version: 0 });

const runsSlice: StateCreator<LabState, [], [], RunsSlice> = (set, get) => ({
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
      return {
        settings: {
          ...s.settings,
          overlay: on ? s.settings.overlay.filter((x) => x !== id) : [...s.settings.overlay, id],
        },
      };
    }),
  liveRecord: () => {
    const l = selectedLaneOf(get());
    return l.live && l.series.n > 0 ? snapshotRun(l.live, l.series, l.evals, l.alignRows, l.config) : null;
  },
  liveRecords: () =>
    get()
      .lanes.filter((l) => l.live && l.series.n > 0)
      .map((l) => snapshotRun(l.live!, l.series, l.evals, l.alignRows, l.config)),
  markSaved: (savedVersion) => set({ savedVersion }),
});

export const useLab = create<LabState>()((set, get, api) => ({
  ...runSlice(set, get, api),
  ...configSlice(set, get, api),
  ...packSlice(set, get, api),
  ...lanesSlice(set, get, api),
  ...metricsSlice(set, get, api),
  ...runsSlice(set, get, api),
  recovery: null,
  beginRecovery: (recovery) => set({ recovery, status: 'loading' }),
  applyMessage: (msg) => applyWorkerMessage(msg, get(), set),
}));
