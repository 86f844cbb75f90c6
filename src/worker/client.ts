// The main-thread side of the worker boundary: owns the module worker, registers its one listener and sends typed
// commands (with transfer lists). UI code talks to training only through this.
import { transferablesOf, type UiToWorker, type WorkerToUi } from './protocol';

export class TrainClient {
  private readonly worker: Worker;

  constructor(onMessage: (msg: WorkerToUi) => void, onCrash: (message: string) => void) {
    this.worker = new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (ev: MessageEvent<WorkerToUi>) => onMessage(ev.data);
    this.worker.onerror = (ev: ErrorEvent) => {
      ev.preventDefault(); // handled: the lab restarts the worker
      onCrash(ev.message || 'the training worker failed to start');
    };
  }

  send(msg: UiToWorker): void {
    this.worker.postMessage(msg, transferablesOf(msg));
  }

  /** Kill the worker now (a crash or a lost device: a new one takes over from the checkpoints). */
  terminate(): void {
    this.worker.onmessage = null;
    this.worker.onerror = null;
    this.worker.terminate();
  }
}
