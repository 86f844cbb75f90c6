// The store's lane operations as pure functions of the state (what index.ts's actions and messages.ts compose): the
// selected lane among new lanes, one lane patched, every lane's live run kept among the runs, a reset, a new live run.
import { type Banner, newestBanner } from './banners';
import type { StoreLane } from './lanes';
import type { LiveRunMeta } from './runs';
import type { LabState } from './state';

/** The banner fields for a new list: the list and its newest. */
export const withBanners = (banners: Banner[]) => ({ banners, banner: newestBanner(banners) });

/** The selected lane's id among `lanes`: `id` while it is one of them, else the first lane's. */
export function selectedView(lanes: StoreLane[], id: number): Partial<LabState> {
  const l = lanes.find((x) => x.id === id) ?? lanes[0];
  return l ? { selectedLane: l.id } : {};
}

/** Replace lane `id` by `patch` applied to it. */
export function patchLane(
  s: LabState,
  id: number,
  patch: (l: StoreLane) => Partial<StoreLane>,
): Pick<LabState, 'lanes'> {
  return { lanes: s.lanes.map((l) => (l.id === id ? { ...l, ...patch(l) } : l)) };
}

/** Every lane's live run (if it logged a step) goes among the kept runs. */
export function keepLiveRuns(s: LabState): Partial<LabState> {
  const recs = s.liveRecords();
  const ids = new Set(recs.map((r) => r.id));
  return { runs: recs.length ? [...s.runs.filter((r) => !ids.has(r.id)), ...recs] : s.runs };
}

/** Keep every lane's live run among the runs, then clear the lanes' series (a new pack, a reset). */
export function resetMetrics(s: LabState): Partial<LabState> {
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
export function newLive(s: LabState, lane: StoreLane): { live: LiveRunMeta; runCounter: number } {
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
