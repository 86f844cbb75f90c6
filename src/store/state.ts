// The shape of the lab's store: its slices' state and actions (the behaviour is in index.ts). Types only.
// Kept apart so a reader sees every field of the state, with its units, in one place.
import type { TrainConfig } from '../core/config/config';
import type { PackInfo, RunStatus, SerializedError, WorkerToUi } from '../worker/protocol';
import type { Banner, BannerInput, BannerSource } from './banners';
import type { LanePlan } from '../core/race/lanes';
import type { StoreLane } from './lanes';
import type { LabSettings } from './persist';
import type { Recovery } from './recovery';
import type { RunRecord } from './runs';

// An evaluation of a pack with ambiguous labels (DESIGN §4c) also says how often the student agrees with the pack's
// Bayes answers: two optional fields of the store's EvalRow (store/series.ts), absent when the pack has none.
declare module './series' {
  interface EvalRow {
    bayesOverall?: number; // percent of the val subset where the student's answer is the Bayes answer
    bayesPerFamily?: Float32Array; // [families] the same per family (NaN where the subset has none)
  }
}

export interface BackendState {
  name: string;
  isFallbackAdapter: boolean | null;
  adapter: string | null;
  note: string | null;
  changed: string | null; // why the lab moved to this backend mid-run (a lost WebGPU device, auto's switch), else null
  auto?: string | null; // what 'auto' measured in the browser and did with it (src/ui/autoSwitch.ts), kept across workers
}

/** The pool's training workers (src/worker/pool.ts): how many step lanes now, the most it would use, and why not more. */
export interface WorkersState {
  count: number; // workers running lanes now (1 ≤ count ≤ lanes)
  cap: number; // the most this lab uses: min(cores, MAX_LANES) on wasm/cpu, 1 on a GPU, or ?workers=
  note: string | null; // why fewer than the lanes (cores, a GPU backend, the link), else null
}

export interface RunSlice {
  backend: BackendState | null;
  workers: WorkersState | null;
  status: RunStatus;
  step: number;
  stepsPerSec: number; // latest delta
  stepsPerSecBySource: { cached: number | null; online: number | null }; // the cost of each teacher source
  hiddenPause: boolean; // paused because the tab is hidden
  banners: Banner[]; // every banner on screen, oldest first (store/banners.ts)
  banner: Banner | null; // the newest of them (what single-banner readers show)
  nextBannerId: number;
  /** Show a banner; one of the same source and title is replaced, not stacked. Returns its id. */
  pushBanner: (b: BannerInput) => number;
  /** Remove banner `id` (no id: the newest). */
  dismissBanner: (id?: number) => void;
  /** Remove every banner of one source (a pack that loads clears the pack errors). */
  clearBanners: (source: BannerSource) => void;
  setHiddenPause: (on: boolean) => void;
  /** An error banner of source 'lab' (pushBanner with source and severity filled in). */
  setBanner: (title: string, error: SerializedError) => void;
}

export interface ConfigSlice {
  presetId: string | null;
  raceId: string | null; // the race preset the lanes came from (null once the lanes are edited by hand)
  sampleIndex: number;
  heatK: number;
  setLocalConfig: (c: TrainConfig, presetId?: string | null) => void; // the selected lane's config (selectConfig)
  setSampleIndex: (i: number) => void;
  setHeatK: (k: number) => void;
}

export interface PackSlice {
  pack: PackInfo | null;
  packLoading: { name: string; loaded: number; total: number | null } | null;
  setPackLoading: (name: string) => void;
  setAutoNote: (note: string) => void; // 'auto' measured: the badge's details say what and what it did
}

export interface LanesSlice {
  lanes: StoreLane[]; // the race, in order (1–4)
  selectedLane: number; // id of the lane the knobs and the single views show
  compareLane: number | null; // id of a second lane shown beside it on the same sample
  nextLaneId: number;
  /** Lanes made here that the worker has not listed yet (kept when an earlier `lanes` message lacks them). */
  pendingLanes: number[];
  /** A new race of these lanes (fresh, step 0); the old lanes' runs are kept. Returns the lanes made. */
  setLocalLanes: (seeds: LanePlan[], raceId?: string | null) => StoreLane[];
  addLocalLane: (seed: LanePlan) => StoreLane;
  removeLocalLane: (id: number) => void;
  selectLane: (id: number) => void;
  setCompareLane: (id: number | null) => void;
}

/** The lanes' series are mutated in place (store/lanes.ts LaneRun.series): readers re-read them when this bumps. The
 *  selected lane's config, series, evaluations, sample … are read from its lane (store/selectors.ts), never copied. */
export interface MetricsSlice {
  version: number; // bumps on every metrics / eval message
}

export interface RunsSlice {
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
  /** The selected lane's live run as a record (null before its first step). */
  liveRecord: () => RunRecord | null;
  /** Every lane's live run as a record (those that logged a step). */
  liveRecords: () => RunRecord[];
  markSaved: (version: number) => void;
}

export interface RecoverySlice {
  recovery: Recovery | null; // a worker restart in progress (crash, device loss): the next packLoaded rewinds, not resets
  beginRecovery: (r: Recovery) => void;
}

export interface Actions {
  applyMessage: (msg: WorkerToUi) => void; // the only writer of worker state
}

export type LabState = RunSlice &
  ConfigSlice &
  PackSlice &
  LanesSlice &
  MetricsSlice &
  RunsSlice &
  RecoverySlice &
  Actions;
