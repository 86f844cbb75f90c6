// Keeps the lab's run alive across a dead worker or a lost GPU (DESIGN §6b): holds each lane's latest checkpoint
// and the pack's source for the restart, and tells a backend switch when the checkpoints it waits for have arrived.
import type { TrainerCheckpoint } from '../model/train/checkpoint';
import type { LaneSpec, PackSource } from '../worker/protocol';
import type { BannerInput } from '../store/banners';
import type { StoreLane } from '../store/lanes';

/**
 * The banner of a worker that died of its step (out of memory, a wasm trap): what failed, where, and what to change
 * (the lab restarts it paused: resuming would only fail again). `source` 'worker': the recovery keeps it.
 */
export function stepFailedBanner(
  message: string,
  step: number,
  lanes: readonly StoreLane[],
  backend: string,
): BannerInput {
  const batch = lanes.map((l) => l.config.optim.batchSize);
  return {
    source: 'worker',
    severity: 'error',
    title: 'Training stopped: a step ran out of memory or trapped in the backend',
    error: {
      name: 'StepFailed',
      message: `${message} (step ${step}, ${lanes.length} lane(s), batch ${batch.join('/')}, on ${backend}). The race is paused at its last checkpoint on a new worker: lower the batch size, race fewer lanes or load a smaller pack, then press Train.`,
    },
  };
}

/** At most this many restarts in RESTART_WINDOW_MS; past it the lab stops restarting and says so. */
export const MAX_RESTARTS = 3;
export const RESTART_WINDOW_MS = 60_000;

/** Where the pack came from: a URL is fetched again (browser cache), a file is read again from its File. */
export type PackOrigin = { kind: 'url'; name: string; url: string } | { kind: 'file'; file: File };

export class RunKeeper {
  private checkpoints = new Map<number, TrainerCheckpoint>(); // lane id → its latest checkpoint
  private restarts: number[] = []; // times (ms) of recent restarts
  private waiters = new Set<{ need: ReadonlyMap<number, number>; done: (ok: boolean) => void }>();
  pack: PackOrigin | null = null;

  /** A lane's newer checkpoint replaces the one kept; a whenCheckpointed() it completes resolves. */
  keep(lane: number, c: TrainerCheckpoint): void {
    const old = this.checkpoints.get(lane);
    if (!old || c.step >= old.step) this.checkpoints.set(lane, c);
    for (const w of [...this.waiters]) if (this.covers(w.need)) w.done(true);
  }

  /**
   * Resolves true once every lane of `need` (lane id → step) has a checkpoint at or past that step (at once if it
   * has), false after `ms` without them (the caller goes on with what it has).
   */
  whenCheckpointed(need: ReadonlyMap<number, number>, ms: number): Promise<boolean> {
    if (this.covers(need)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = {
        need,
        done: (ok: boolean) => {
          clearTimeout(timer);
          this.waiters.delete(w);
          resolve(ok);
        },
      };
      const timer = setTimeout(() => w.done(false), ms);
      this.waiters.add(w);
    });
  }

  private covers(need: ReadonlyMap<number, number>): boolean {
    return [...need].every(([lane, step]) => this.stepOf(lane) >= step);
  }

  /** Fresh students (a new race, a reset, a new pack): nothing to resume. */
  forgetAll(): void {
    this.checkpoints.clear();
  }

  forget(lane: number): void {
    this.checkpoints.delete(lane);
  }

  /** The step a lane's checkpoint continues from (0: none, the lane starts again). */
  stepOf(lane: number): number {
    return this.checkpoints.get(lane)?.step ?? 0;
  }

  /** The lanes as a new worker builds them: each from its checkpoint where one is kept. */
  specs(lanes: readonly LaneSpec[]): LaneSpec[] {
    return lanes.map((l) => {
      const c = this.checkpoints.get(l.id);
      return c ? { id: l.id, config: l.config, checkpoint: c } : { id: l.id, config: l.config };
    });
  }

  /** Whether another restart is allowed now (false: it keeps crashing; stop and tell the person). */
  mayRestart(now: number): boolean {
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    if (this.restarts.length >= MAX_RESTARTS) return false;
    this.restarts.push(now);
    return true;
  }

  /** What the new worker loads. */
  async source(): Promise<PackSource | null> {
    const p = this.pack;
    if (!p) return null;
    if (p.kind === 'url') return { kind: 'url', url: p.url, name: p.name };
    return { kind: 'bytes', bytes: await p.file.arrayBuffer(), name: p.file.name };
  }
}
