// The training worker entry (three lines, as web-llm's): every message goes to the handler, which posts replies.
// Module worker: created by client.ts with `new Worker(new URL('./train.worker.ts', import.meta.url), {type:'module'})`.
import { LabHandler } from './handler';

const handler = new LabHandler((msg, transfer) =>
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(msg, transfer),
);
self.onmessage = (ev: MessageEvent) => handler.onmessage(ev);
