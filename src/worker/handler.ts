// The worker side of the lab: routes each UiToWorker message (one exhaustive switch) onto the command queue, where the
// lab session (labSession.ts) runs it; a pack's bytes are read first, outside the queue (packFetch.ts).
import { CommandQueue } from './commandQueue';
import { LabSession } from './labSession';
import { readPack } from './packFetch';
import {
  isFatalMessage,
  type PackSource,
  serializeError,
  transferablesOf,
  type UiToWorker,
  type WorkerToUi,
} from './protocol';
import type { RunLoopOptions } from './runLoopTypes';

export type Post = (msg: WorkerToUi, transfer: Transferable[]) => void;

export interface HandlerOptions extends RunLoopOptions {
  /** Fetch for `loadPack` URLs (default: the global fetch). */
  fetch?: typeof fetch;
}

export class LabHandler {
  private readonly lab: LabSession;
  private readonly queue: CommandQueue;

  constructor(
    private readonly post: Post,
    private readonly opts: HandlerOptions = {},
  ) {
    this.lab = new LabSession((msg) => this.send(msg), opts);
    this.queue = new CommandQueue(
      (e) => this.failed(e),
      () => this.lab.turn(),
    );
  }

  /** Entry point for `self.onmessage`. */
  onmessage(ev: { data: UiToWorker }): void {
    const msg = ev.data;
    if (msg.type === 'loadPack')
      void this.read(msg.source); // the lab keeps training while a pack downloads
    else void this.queue.push(() => this.handle(msg));
  }

  /** Resolves when every message received so far has been handled, evaluations settled in the background included (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private send(msg: WorkerToUi): void {
    this.post(msg, transferablesOf(msg));
  }

  private handle(msg: Exclude<UiToWorker, { type: 'loadPack' }>): Promise<void> | void {
    const lab = this.lab;
    switch (msg.type) {
      case 'init':
        return lab.init(msg);
      case 'setConfig':
        return lab.setConfig(msg.lane, msg.patch);
      case 'setLanes':
      case 'reset':
        return lab.newRace(msg.lanes);
      case 'addLane':
        return lab.addLane(msg.lane);
      case 'removeLane':
        return lab.removeLane(msg.lane);
      case 'selectLane':
        return lab.select(msg.lane, msg.compare ?? null);
      case 'play':
        return lab.play();
      case 'pause':
        return lab.pause(msg.reason);
      case 'step':
        return lab.step();
      case 'setSample':
        return lab.setSample(msg.index);
      case 'setHeatmapK':
        return lab.setHeatK(msg.k);
      case 'exportWeights':
        return lab.exportWeights(msg.requestId, msg.lane);
      case 'fault':
        return lab.fault(msg.kind);
      case 'stop':
        return lab.stop();
      case 'allow':
        return lab.allow(msg.tick);
      case 'sharePack':
        return lab.sharePack(msg.port);
      case 'loadShared':
        return lab.loadShared(msg.port, msg.name);
      default: {
        const never: never = msg;
        throw new Error(`protocol: unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  /** Read the pack's bytes (outside the queue), then load it on the queue; an unreadable pack is a packError. */
  private async read(src: PackSource): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = await readPack(src, this.opts.fetch ?? fetch, (loaded, total) =>
        this.send({ type: 'packProgress', name: src.name, loaded, total }),
      );
    } catch (e) {
      this.send({ type: 'packError', name: src.name, error: serializeError(e) });
      return;
    }
    await this.queue.push(() => this.lab.load(bytes, src.name));
  }

  /**
   * An error in a command or a step: reported, and a running race pauses. An error the worker cannot recover from (out
   * of memory, a trapped wasm module) is rethrown outside the queue, so the UI sees a crashed worker and resumes the
   * run on a new one from its checkpoints.
   */
  private failed(e: unknown): void {
    this.send({ type: 'error', error: serializeError(e) });
    this.lab.halt('error');
    if (isFatal(e)) {
      setTimeout(() => {
        throw e;
      }, 0);
    }
  }
}

/** Errors that leave the worker's memory or wasm module unusable: out of memory, a wasm trap. */
export function isFatal(e: unknown): boolean {
  if (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError) return true;
  return isFatalMessage(e instanceof Error ? `${e.name} ${e.message}` : String(e));
}
