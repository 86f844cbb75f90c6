// The worker's one concurrency mechanism: every command (a message's work, a pack load) runs here one at a time, in
// arrival order; when none waits, the session's background turn (a race step, an evaluation chunk) runs after a yield.
import { makeYield } from './yieldNow';

/** Background work: `step` goes on while the race runs; `settle` ends by itself (what idle() waits for). */
export interface Turn {
  kind: 'step' | 'settle';
  run: () => Promise<void> | void;
}

interface Command {
  fn: () => Promise<void> | void;
  done: () => void;
}

export class CommandQueue {
  private readonly waiting: Command[] = [];
  private pumping = false; // the pump runs (a command, a turn, or the yield before a turn)
  private busy = false; // a command or a turn is executing
  private idlers: (() => void)[] = [];
  private readonly yielder = makeYield();

  /**
   * @param onError every error a command or a turn throws (the queue goes on with the next)
   * @param background the next background turn, or null when there is none (read after every command and turn)
   */
  constructor(
    private readonly onError: (e: unknown) => void,
    private readonly background: () => Turn | null = () => null,
  ) {}

  /** Run `fn` after every command queued before it (and the turn in progress); resolves when it has run. */
  push(fn: () => Promise<void> | void): Promise<void> {
    return new Promise((done) => {
      this.waiting.push({ fn, done });
      if (!this.pumping) {
        this.pumping = true;
        void Promise.resolve().then(() => this.pump());
      }
    });
  }

  /** Resolves when no command waits or runs and no settling turn is due (a running race's steps do not count). */
  idle(): Promise<void> {
    if (this.quiet()) return Promise.resolve();
    return new Promise((r) => this.idlers.push(r));
  }

  private quiet(): boolean {
    return !this.busy && this.waiting.length === 0 && this.background()?.kind !== 'settle';
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const cmd = this.waiting.shift();
        if (cmd) {
          await this.exec(cmd.fn);
          cmd.done();
          continue;
        }
        this.wakeIdlers();
        if (!this.background()) break;
        await this.yielder.next(); // messages that arrived meanwhile run first
        if (this.waiting.length) continue;
        const turn = this.background(); // again: nothing ran, but a device loss may have come in
        if (turn) await this.exec(turn.run);
      }
    } finally {
      this.pumping = false;
      this.wakeIdlers();
    }
  }

  private async exec(fn: () => Promise<void> | void): Promise<void> {
    this.busy = true;
    try {
      await fn();
    } catch (e) {
      this.onError(e);
    } finally {
      this.busy = false;
    }
  }

  private wakeIdlers(): void {
    if (!this.idlers.length || !this.quiet()) return;
    const wake = this.idlers;
    this.idlers = [];
    wake.forEach((r) => r());
  }
}
