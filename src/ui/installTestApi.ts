// Installs window.__lab (the typed API of testApi.ts) for the e2e specs: the lab under `?e2e` only. Reads the store and
// injects faults through the lab's controller; returns the removal.
import { valueAt, weightAt } from '../core/kd/terms';
import { useLab } from '../store';
import type { FaultKind } from '../worker/protocol';
import type { LabTestApi } from './testApi';

/** What the test API needs of the controller. */
export interface FaultInjector {
  injectFault(kind: FaultKind): void;
}

export function installTestApi(lab: FaultInjector): () => void {
  const api: LabTestApi = {
    fault: (kind) => lab.injectFault(kind),
    state: () => {
      const s = useLab.getState();
      return {
        step: s.step,
        status: s.status,
        backend: s.backend?.name ?? null,
        pack: s.pack?.name ?? null,
        values: s.lastValues ? Array.from(s.lastValues) : null,
        weights: s.lastWeights ? Array.from(s.lastWeights) : null,
        kdContribution:
          s.lastValues && s.lastWeights ? weightAt(s.lastWeights, 0, 'kd') * valueAt(s.lastValues, 0, 'kd') : null,
        valAccuracy: s.evals.length ? s.evals[s.evals.length - 1].overall : null,
        hiddenPause: s.hiddenPause,
        banner: s.banner ? `${s.banner.title}: ${s.banner.error.message}` : null,
        banners: s.banners.map((b) => ({
          source: b.source,
          severity: b.severity,
          title: b.title,
          message: b.error.message,
        })),
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
  const w = window as unknown as { __lab?: LabTestApi };
  w.__lab = api;
  return () => {
    if (w.__lab === api) delete w.__lab;
  };
}
