// Worker messages on their way to the store, batched (issue 32 item 5): metrics deltas and sample views wait up to
// `ms` and are applied in one task, so the page renders once per batch rather than once per lane and delta.
import type { WorkerToUi } from '../worker/protocol';

/** Milliseconds a metrics delta or sample view may wait for others (the worker reports every ~100 ms per lane). */
export const BATCH_MS = 100;
const BATCHED: ReadonlySet<WorkerToUi['type']> = new Set(['metrics', 'sample']);

export class MessageBatch {
  private queue: WorkerToUi[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** `ms` 0: every message applied at once (tests with stub workers). */
  constructor(
    private readonly apply: (msg: WorkerToUi) => void,
    private readonly ms = BATCH_MS,
  ) {}

  /** Batched kinds wait; any other message first applies what waits, so the store sees them in arrival order. */
  push(msg: WorkerToUi): void {
    if (this.ms <= 0 || !BATCHED.has(msg.type)) {
      this.flush();
      this.apply(msg);
      return;
    }
    this.queue.push(msg);
    this.timer ??= setTimeout(() => this.flush(), this.ms);
  }

  /** Apply everything waiting now (in order), in this one task. */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const q = this.queue;
    this.queue = [];
    q.forEach((m) => this.apply(m));
  }
}
