// The lab's one zustand store, in slices (run, config, pack, lanes, metrics). Worker messages reach it only through
// applyMessage(msg); metric series are mutated in place and announced by a version counter (no history copies).
// The race's lanes live in `lanes`, each with its config and run; single views read the selected one through
// store/selectors.ts (no copy of it is kept beside the lanes).
import { lastRow, TERM_WIDTH, VALUE_WIDTH } from '../core/kd/terms';
import { create, type StateCreator } from 'zustand';
import { type Banner, newestBanner, pushedBanners } from './banners';
import { DEFAULT_LANE, type LaneState, makeLane } from './lanes';
import { DEFAULT_SETTINGS } from './persist';
import { recoveryMessage, rewindLane } from './recovery';
import { type LiveRunMeta, snapshotRun } from './runs';
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

/** The banner fields for a new list: the list and its newest. */
const withBanners = (banners: Banner[]) => ({ banners, banner: newestBanner(banners) });

const runSlice: StateCreator<LabState, [], [], RunSlice> = (set, get) => ({
  backend: null,
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

/** The selected lane's id among `lanes`: `id` while it is one of them, else the first lane's. */
function selectedView(lanes: LaneState[], id: number): Partial<LabState> {
  const l = lanes.find((x) => x.id === id) ?? lanes[0];
  return l ? { selectedLane: l.id } : {};
}

/** Replace lane `id` by `patch` applied to it. */
function patchLane(s: LabState, id: number, patch: (l: LaneState) => Partial<LaneState>): Pick<LabState, 'lanes'> {
  return { lanes: s.lanes.map((l) => (l.id === id ? { ...l, ...patch(l) } : l)) };
}

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
    const made: LaneState[] = [];
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

/** Every lane's live run (if it logged a step) goes among the kept runs. */
function keepLiveRuns(s: LabState): Partial<LabState> {
  const recs = s.liveRecords();
  const ids = new Set(recs.map((r) => r.id));
  return { runs: recs.length ? [...s.runs.filter((r) => !ids.has(r.id)), ...recs] : s.runs };
}

/** Keep every lane's live run among the runs, then clear the lanes' series (a new pack, a reset). */
function resetMetrics(s: LabState): Partial<LabState> {
  const kept = keepLiveRuns(s);
  s.lanes.forEach((l) => l.series.clear());
  const lanes = s.lanes.map((l) => ({
    ...l,
    step: 0,
    evals: [],
    alignRows: [],
    live: null,
    lastValues: null,
    lastWeights: null,
    sample: null,
  }));
  return {
    ...kept,
    lanes,
    ...selectedView(lanes, s.selectedLane),
    version: s.version + 1,
    step: 0,
  };
}

/** A lane's new live run at its first logged step: the lane's config, the pack and backend. */
function newLive(s: LabState, lane: LaneState): { live: LiveRunMeta; runCounter: number } {
  const n = s.runCounter + 1;
  const created = new Date();
  const live: LiveRunMeta = {
    id: `run-${created.getTime().toString(36)}-${n}`,
    name: s.lanes.length > 1 ? `Run ${n} · ${lane.name}` : `Run ${n}`,
    createdAt: created.toISOString(),
    pack: s.pack?.name ?? 'unknown',
    backend: s.backend?.name ?? null,
    config: lane.config,
    families: s.pack?.families ?? [],
    alignSamples: s.pack?.alignSamples ?? 0,
    A: s.pack?.A ?? 0,
  };
  return { live, runCounter: n };
}

export const useLab = create<LabState>()((set, get, api) => ({
  ...runSlice(set, get, api),
  ...configSlice(set, get, api),
  ...packSlice(set, get, api),
  ...lanesSlice(set, get, api),
  ...metricsSlice(set, get, api),
  ...runsSlice(set, get, api),
  recovery: null,
  beginRecovery: (recovery) => set({ recovery, status: 'loading' }),
  applyMessage: (msg) => {
    const s = get();
    switch (msg.type) {
      case 'ready':
        set({
          backend: {
            name: msg.backend,
            isFallbackAdapter: msg.isFallbackAdapter,
            adapter: msg.adapter,
            note: msg.note,
            changed: s.recovery?.backendChange ?? (s.backend?.name === msg.backend ? s.backend.changed : null),
            auto: s.backend?.auto ?? null,
          },
        });
        return;
      case 'packProgress':
        set({ packLoading: { name: msg.name, loaded: msg.loaded, total: msg.total } });
        return;
      case 'packLoaded': {
        const r = s.recovery;
        if (!r) {
          set({
            pack: msg.info,
            packLoading: null,
            sampleIndex: 0,
            ...resetMetrics(s),
            ...withBanners(s.banners.filter((b) => b.source !== 'pack')),
          });
          return;
        }
        // A restarted worker: every lane continues from its checkpoint; its run, curves and evaluations up to it stay.
        const lanes = s.lanes.map((l) => rewindLane(l, r.steps[l.id] ?? 0));
        set({
          pack: msg.info,
          packLoading: null,
          recovery: null,
          lanes,
          ...selectedView(lanes, s.selectedLane),
          version: s.version + 1,
          step: Math.max(0, ...lanes.map((l) => l.step)),
        });
        s.clearBanners('run'); // a non-finite pause or a divergence warning of the run before the restart
        s.pushBanner({
          source: 'worker',
          severity: 'info',
          title: 'The run was resumed',
          error: { name: 'Resumed', message: recoveryMessage(r, lanes) },
        });
        return;
      }
      case 'packError':
        if (s.recovery) {
          // A restarted worker could not load the pack again: it has none, so say so and let the person choose one.
          set({ packLoading: null, recovery: null, pack: null, status: 'idle' });
          s.pushBanner({
            source: 'pack',
            severity: 'error',
            title: `Could not load ${msg.name} again on the new worker; choose a pack to go on`,
            error: msg.error,
          });
          return;
        }
        set({ packLoading: null });
        s.pushBanner({
          source: 'pack',
          severity: 'error',
          title: `Could not load ${msg.name}; the lab keeps ${s.pack ? s.pack.name : 'no pack'}`,
          error: msg.error,
        });
        return;
      case 'status': {
        const patch: Partial<LabState> = { status: msg.status, step: msg.step };
        if (msg.status === 'idle' && msg.step === 0 && s.lanes.some((l) => l.series.n > 0 || l.live))
          Object.assign(patch, resetMetrics(s), { step: 0 });
        set(patch);
        return;
      }
      case 'lanes': {
        // The worker's race: take its configs and steps; drop lanes it does not have unless they were made here and
        // it has not seen them yet (a lane added while the pack loads: the worker lists it once it handles the add).
        const byId = new Map(msg.lanes.map((l) => [l.id, l]));
        const pending = s.pendingLanes.filter((id) => !byId.has(id));
        const lanes = s.lanes
          .filter((l) => byId.has(l.id) || pending.includes(l.id))
          .map((l) => (byId.has(l.id) ? { ...l, config: byId.get(l.id)!.config, step: byId.get(l.id)!.step } : l));
        if (!lanes.length) return;
        set({
          lanes,
          pendingLanes: pending,
          ...selectedView(lanes, s.selectedLane),
          compareLane: lanes.some((l) => l.id === s.compareLane) ? s.compareLane : null,
        });
        return;
      }
      case 'configApplied':
        set(patchLane(s, msg.lane, () => ({ config: msg.config })));
        return;
      case 'configError':
        if (msg.lane === null) set({ pendingLanes: [] }); // a refused race or addition: the next `lanes` message is the truth
        s.pushBanner({
          source: 'config',
          severity: 'error',
          title:
            msg.lane === null
              ? 'That race was refused; the lanes stay as they were'
              : 'That setting was refused; the previous one stays',
          error: msg.error,
        });
        return;
      case 'metrics': {
        const lane = s.lanes.find((l) => l.id === msg.lane);
        if (!lane) return; // a lane removed while its last delta was on the way
        const start = lane.live ? null : newLive(s, lane);
        lane.series.append(msg.fromStep, msg.count, msg.values, msg.weights, msg.lr);
        const patch = patchLane(s, msg.lane, () => ({
          step: msg.fromStep + msg.count,
          ...(start ? { live: start.live } : {}),
          lastValues: lastRow(msg.values.subarray(0, msg.count * VALUE_WIDTH), VALUE_WIDTH),
          lastWeights: lastRow(msg.weights.subarray(0, msg.count * TERM_WIDTH), TERM_WIDTH),
        }));
        set({
          ...patch,
          ...(start ? { runCounter: start.runCounter, selectedRunId: null } : {}),
          version: s.version + 1,
          step: Math.max(...patch.lanes!.map((l) => l.step)),
          stepsPerSec: msg.stepsPerSec,
          stepsPerSecBySource: { ...s.stepsPerSecBySource, [msg.source]: msg.stepsPerSec },
        });
        return;
      }
      case 'eval':
        set({
          ...patchLane(s, msg.lane, (l) => ({
            evals: [
              ...l.evals,
              {
                step: msg.step,
                overall: msg.overall,
                perFamily: msg.perFamily,
                valLoss: msg.valLoss,
                ...(msg.bayesPerFamily ? { bayesOverall: msg.bayesOverall, bayesPerFamily: msg.bayesPerFamily } : {}),
              },
            ],
            alignRows: [...l.alignRows, { step: msg.step, values: Array.from(msg.alignment) }],
          })),
          version: s.version + 1,
        });
        return;
      case 'weights':
        return; // a download: the controller handles it
      case 'sample':
        set(patchLane(s, msg.view.lane, () => ({ sample: msg.view })));
        return;
      case 'error':
        s.pushBanner({
          source: 'worker',
          severity: 'error',
          title: 'The training worker reported an error',
          error: msg.error,
        });
        return;
      case 'nonFinite': {
        const name =
          s.lanes.length > 1 ? `${s.lanes.find((l) => l.id === msg.lane)?.name ?? `lane ${msg.lane}`}: ` : '';
        const values = msg.bad.map((b) => `${b.name} = ${b.value}`).join(', ');
        s.pushBanner({
          source: 'run',
          severity: 'error',
          title: 'Training paused: a step went non-finite',
          error: {
            name: 'NonFinite',
            message: `${name}${msg.message}. Values: ${values}. Lower the learning rate, raise T or turn on clipping, then press play.`,
          },
        });
        return;
      }
      case 'warning': {
        const name =
          msg.lane !== null && s.lanes.length > 1
            ? `${s.lanes.find((l) => l.id === msg.lane)?.name ?? `lane ${msg.lane}`}: `
            : '';
        s.pushBanner({
          source: 'run',
          severity: msg.knob ? 'warning' : 'info',
          title: msg.knob ? 'The run looks like it is diverging' : 'Note',
          error: { name: 'Warning', message: `${name}${msg.message}` },
        });
        return;
      }
      case 'checkpoint':
      case 'deviceLost':
        return; // the controller keeps checkpoints and restarts the worker
      default: {
        const never: never = msg;
        throw new Error(`store: unknown worker message ${JSON.stringify(never)}`);
      }
    }
  },
}));
