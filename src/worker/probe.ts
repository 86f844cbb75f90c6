// The backend probe behind 'auto' in the browser (issue 13): in a second, short-lived worker, time a few student
// steps on wasm and on each GPU backend present, while the lab already trains on wasm in its own worker.
import type { ProbeResult } from '../core/config/autoBackend';
import { type BackendName, measureBackends } from '../model/backend';
import { measureStepMs } from '../model/backendBench';

export type ProbeRequest = { type: 'probe'; candidates: BackendName[]; wasmPaths?: Record<string, string> };
export type ProbeReply = { type: 'probed'; result: ProbeResult } | { type: 'probeError'; message: string };

/** Measure wasm first (its time sets the others' budget), then each other candidate that initialises. */
export async function probeBackends(
  candidates: BackendName[],
  wasmPaths?: Record<string, string>,
): Promise<ProbeResult> {
  const order = [
    'wasm',
    ...candidates.filter((c) => c !== 'wasm' && c !== 'webgpu'),
    ...candidates.filter((c) => c === 'webgpu'),
  ] as BackendName[];
  return measureBackends(order, { wasmPaths, measure: measureStepMs });
}

/** The probe worker's message handler: one request, one reply. */
export async function onProbeMessage(req: ProbeRequest, post: (r: ProbeReply) => void): Promise<void> {
  try {
    post({ type: 'probed', result: await probeBackends(req.candidates, req.wasmPaths) });
  } catch (e) {
    post({ type: 'probeError', message: e instanceof Error ? e.message : String(e) });
  }
}
