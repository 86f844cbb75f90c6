// The typed in-page API the e2e specs read through page.evaluate (installed as window.__lab, only under ?e2e).
// Types only, so the Playwright side can import it without the app's Vite imports.
import type { TrainConfig } from '../core/config/config';
import type { FaultKind } from '../worker/protocol';

export interface LabTestApi {
  /**
   * DESIGN §6b: 'nan' (every lane's next step goes non-finite), 'worker-crash', 'device-lost' (no-op off WebGPU);
   * `lane`: with several workers, 'worker-crash' kills that lane's worker only (default: the first worker).
   */
  fault: (kind: FaultKind, lane?: number) => void;
  state: () => {
    step: number;
    status: string;
    backend: string | null;
    pack: string | null;
    values: number[] | null; // latest step: total ce seq kd hidden affinity attention gradNorm
    weights: number[] | null; // latest step: ce seq kd hidden affinity attention
    kdContribution: number | null; // weights.kd × kd of the latest step
    valAccuracy: number | null;
    hiddenPause: boolean;
    banner: string | null; // the newest banner: `title: message`
    banners: { source: string; severity: string; title: string; message: string }[]; // every banner, oldest first
    presetId: string | null;
    config: TrainConfig;
    losses: number[]; // every total so far
    stepsPerSec: number; // latest metrics delta
    runs: { id: string; name: string; steps: number }[]; // kept runs (not the live one)
    live: { id: string; name: string } | null;
    saved: boolean; // the live run's latest curves are in IndexedDB
    theme: string | null; // 'light' | 'dark'
    lanes: {
      id: number;
      name: string;
      step: number;
      losses: number[];
      valAccuracy: number | null;
      config: TrainConfig;
      runId: string | null;
    }[];
    selectedLane: number; // id
    raceId: string | null;
    backendChanged: string | null; // why the backend changed mid-run (a lost device), else null
    recovering: boolean;
    workers: { count: number; cap: number; note: string | null } | null; // the pool's workers (the badge) // a worker restart is under way
  };
}
