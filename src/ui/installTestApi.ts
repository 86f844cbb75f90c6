// Installs window.__lab (the typed API of testApi.ts) for the e2e specs: the lab under `?e2e` only. Reads the store and
// injects faults through the lab's controller; returns the removal.
import { selectedLaneOf } from '../store/selectors';
import { valueAt, weightAt } from '../core/kd/terms';
import { useLab } from '../store';
import type { FaultKind } from '../worker/protocol';
import type { LabTestApi } from './testApi';

/** What the test API needs of the controller. */
export interface FaultInjector {
  injectFault(kind: FaultKind, lane?: number): void;
}

export function installTestApi(lab: FaultInjector): () => void {
  const api: LabTestApi = {
    fault: (kind, lane) => lab.injectFault(kind, lane),
    state: () => {
      const s = useLab.getState();
      const lane = selectedLaneOf(s); // the selected lane: what the single views show
      return {
        step: s.step,
        status: s.status,
        backend: s.backend?.name ?? null,
        pack: s.pack?.name ?? null,
        values: lane.lastValues ? Array.from(lane.lastValues) : null,
        weights: lane.lastWeights ? Array.from(lane.lastWeights) : null,
        kdContribution:
          lane.lastValues && lane.lastWeights
            ? weightAt(lane.lastWeights, 0, 'kd') * valueAt(lane.lastValues, 0, 'kd')
            : null,
        valAccuracy: lane.evals.at(-1)?.overall ?? null,
        hiddenPause: s.hiddenPause,
        banner: s.banner ? `${s.banner.title}: ${s.banner.error.message}` : null,
        banners: s.banners.map((b) => ({
          source: b.source,
          severity: b.severity,
          title: b.title,
          message: b.error.message,
        })),
        presetId: s.presetId,
        config: lane.config,
        losses: Array.from(lane.series.column('total')),
        stepsPerSec: s.stepsPerSec,
        runs: s.runs.map((r) => ({ id: r.id, name: r.name, steps: r.metrics.step.length })),
        live: lane.live ? { id: lane.live.id, name: lane.live.name } : null,
        saved: !lane.live || s.savedVersion === s.version,
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
        workers: s.workers,
      };
    },
  };
  const w = window as unknown as { __lab?: LabTestApi };
  w.__lab = api;
  return () => {
    if (w.__lab === api) delete w.__lab;
  };
}
