// The backend probe's worker entry: one 'probe' request in, one 'probed' reply out; the UI terminates it after.
// Module worker: created by src/ui/autoSwitch.ts with `new Worker(new URL('../worker/probe.worker.ts', import.meta.url), {type:'module'})`.
import { onProbeMessage, type ProbeRequest } from './probe';

self.onmessage = (ev: MessageEvent<ProbeRequest>) =>
  void onProbeMessage(ev.data, (r) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(r));
