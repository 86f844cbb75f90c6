// Keeps the lab's run alive across a dead worker or a lost GPU (DESIGN §6b): holds each lane's latest checkpoint
// and the pack's source, and restarts the worker from them — on the same backend after a crash, the next after a loss.
import type { BackendName } from '../model/backend';
import type { TrainerCheckpoint } from '../model/train/checkpoint';
import type { LaneSpec, PackSource } from '../worker/protocol';

/** The backends in the order the lab falls back through when a device is lost. */
export const FALLBACK_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** The backend after `name` in FALLBACK_ORDER (wasm when the name is unknown; cpu stays cpu). */
export function nextBackend(name: string): BackendName {
  const i = FALLBACK_ORDER.indexOf(name as BackendName);
  if (i < 0) return 'wasm';
  return FALLBACK_ORDER[Math.min(i + 1, FALLBACK_ORDER.length - 1)];
}

/** At most this many restarts in RESTART_WINDOW_MS; past it the lab stops restarting and says so. */
export const MAX_RESTARTS = 3;
export const RESTART_WINDOW_MS = 60_000;

/** Where the pack came from: a URL is fetched again (browser cache), a file is read again from its File. */
export type PackOrigin = { kind: 'url'; name: string; url: string } | { kind: 'file'; file: File };

export class RunKeeper {
  private checkpoints = new Map<number, TrainerCheckpoint>(); // lane id → its latest checkpoint
  private restarts: number[] = []; // times (ms) of recent restarts
  pack: PackOrigin | null = null;

  /** A lane's newer checkpoint replaces the one kept. */
  keep(lane: number, c: TrainerCheckpoint): void {
    const old = this.checkpoints.get(lane);
    if (!old || c.step >= old.step) this.checkpoints.set(lane, c);
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
