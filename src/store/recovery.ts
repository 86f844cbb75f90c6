// Crash and device-loss resume as the store sees it (DESIGN §6b): while the lab restarts the worker, each lane is
// rewound to its latest checkpoint — curves and evaluations after it are dropped and re-sent — and the run is kept.
import type { StoreLane } from './lanes';

/** A restart in progress: why, the race step it was at, and each lane's checkpoint step (0: none yet). */
export interface Recovery {
  reason: string; // "the training worker crashed: …", "the WebGPU device was lost: …"
  atStep: number; // the race step when it happened
  steps: Record<number, number>; // lane id → the step its checkpoint continues from
  resume: boolean; // the race was running: play again once restored
  backendChange: string | null; // the backend badge's reason when the restart moves to another backend
}

/** The lane as of its checkpoint at `step`: rows and evaluations after it dropped (its series is truncated in place). */
export function rewindLane(l: StoreLane, step: number): StoreLane {
  l.series.truncate(step);
  return {
    ...l,
    step,
    evals: l.evals.filter((e) => e.step <= step),
    alignRows: l.alignRows.filter((r) => r.step <= step),
    lastValues: null,
    lastWeights: null,
  };
}

/** What the banner says once every lane is back: the steps lost per lane, at most the checkpoint interval. */
export function recoveryMessage(r: Recovery, all: readonly StoreLane[]): string {
  const lanes = all.filter((l) => l.id in r.steps); // a pool's crash: that worker's lanes only
  if (lanes.length < all.length) {
    const names = lanes.map((l) => l.name).join(', ');
    const from = lanes.map((l) => r.steps[l.id]).join(', ');
    return `${r.reason}. The lab started a new worker for ${names}, resumed from its checkpoint at step ${from}; the other lanes trained on (curves and runs kept).`;
  }
  const lost = lanes.map((l) => Math.max(0, r.atStep - (r.steps[l.id] ?? 0)));
  const most = Math.max(0, ...lost);
  const from = lanes.map((l) => r.steps[l.id] ?? 0);
  const same = from.every((x) => x === from[0]);
  const where = same ? `step ${from[0]}` : `steps ${from.join(', ')}`;
  return `${r.reason}. The lab restarted it and resumed ${lanes.length > 1 ? `all ${lanes.length} lanes` : 'the run'} from the checkpoint at ${where} (race step ${r.atStep}; at most ${most} step${most === 1 ? '' : 's'} lost; curves and runs kept).`;
}
