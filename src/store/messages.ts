// The worker's messages applied to the lab store (the only writer of worker state): each message type's effect on the
// lanes, their runs and the banners. index.ts routes `applyMessage` here.
import { lastRow, TERM_WIDTH, VALUE_WIDTH } from '../core/kd/terms';
import type { WorkerToUi } from '../worker/protocol';
import { newLive, patchLane, resetMetrics, selectedView, withBanners } from './laneOps';
import { recoveryMessage, rewindLane } from './recovery';
import type { LabState } from './state';

/** Applies one worker message to the store `s` (a snapshot) through `set`. */
export function applyWorkerMessage(msg: WorkerToUi, s: LabState, set: (patch: Partial<LabState>) => void): void {
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
      const lanes = s.lanes.map((l) => (l.id in r.steps ? rewindLane(l, r.steps[l.id]) : l)); // a pool's crash: its lanes only
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
      const name = s.lanes.length > 1 ? `${s.lanes.find((l) => l.id === msg.lane)?.name ?? `lane ${msg.lane}`}: ` : '';
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
    case 'workers':
      set({ workers: { count: msg.count, cap: msg.cap, note: msg.note } });
      return;
    case 'checkpoint':
    case 'deviceLost':
    case 'progress': // the pool's lockstep (it never forwards these)
      return; // the controller keeps checkpoints and restarts the worker
    default: {
      const never: never = msg;
      throw new Error(`store: unknown worker message ${JSON.stringify(never)}`);
    }
  }
}
