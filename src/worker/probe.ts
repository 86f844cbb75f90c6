// The backend probe behind 'auto' in the browser (issue 13): in a second, short-lived worker, time a few student
// steps on wasm and on each GPU backend present, while the lab already trains on wasm in its own worker.
import type { ProbeResult } from '../core/autoBackend';
import { type BackendName, backendInfo, initBackend, webglRenderer } from '../model/backend';
import { measureStepMs } from '../model/backendBench';

export type ProbeRequest = { type: 'probe'; candidates: BackendName[]; wasmPaths?: Record<string, string> };
export type ProbeReply = { type: 'probed'; result: ProbeResult } | { type: 'probeError'; message: string };

/** A GPU candidate's time budget: 3× wasm's whole measurement, within 2–20 s (a software adapter never gets near). */
export const PROBE_BUDGET = { factor: 3, minMs: 2000, maxMs: 20_000 } as const;
const SOFTWARE = /swiftshader|llvmpipe|software/i;

/** Measure wasm first (its time sets the others' budget), then each other candidate that initialises. */
export async function probeBackends(candidates: BackendName[], wasmPaths?: Record<string, string>): Promise<ProbeResult> {
  const measured: Record<string, number> = {};
  const skipped: string[] = [];
  let adapter: string | null = null;
  let budget: number = PROBE_BUDGET.maxMs;
  const order = ['wasm', ...candidates.filter((c) => c !== 'wasm')] as BackendName[];
  for (const c of order) {
    try {
      await initBackend(c, { wasmPaths });
    } catch {
      skipped.push(`${c}: not available`);
      continue;
    }
    const renderer = c === 'webgl' ? webglRenderer() : null;
    if (renderer && SOFTWARE.test(renderer)) {
      skipped.push(`webgl: software renderer (${renderer})`);
      continue;
    }
    if (c === 'webgpu') adapter = backendInfo().adapter;
    const t0 = performance.now();
    try {
      measured[c] = await measureStepMs(c === 'wasm' ? Infinity : budget);
    } catch (e) {
      skipped.push(`${c}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    if (c === 'wasm') budget = Math.min(PROBE_BUDGET.maxMs, Math.max(PROBE_BUDGET.minMs, PROBE_BUDGET.factor * (performance.now() - t0)));
  }
  return { measured, skipped, adapter };
}

/** The probe worker's message handler: one request, one reply. */
export async function onProbeMessage(req: ProbeRequest, post: (r: ProbeReply) => void): Promise<void> {
  try {
    post({ type: 'probed', result: await probeBackends(req.candidates, req.wasmPaths) });
  } catch (e) {
    post({ type: 'probeError', message: e instanceof Error ? e.message : String(e) });
  }
}
