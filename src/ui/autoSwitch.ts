// 'auto' in the browser without delaying the first step (issue 13): the lab starts on wasm at once; this finds which
// GPU backends are present, measures them in a probe worker, and says whether the run should move to a faster one.
import { pickFaster, type ProbeResult, probeNote, SOFTWARE_RENDERER } from '../core/config/autoBackend';
import type { BackendName } from '../model/backend';
import type { ProbeReply } from '../worker/probe';

/** GPU backends worth measuring here: webgpu with an adapter; webgl unless its renderer is software (named in skipped). */
async function gpuCandidates(): Promise<{ candidates: BackendName[]; skipped: string[] }> {
  const candidates: BackendName[] = [];
  const skipped: string[] = [];
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  try {
    if (gpu && (await gpu.requestAdapter())) candidates.push('webgpu');
    else skipped.push('webgpu: no adapter');
  } catch {
    skipped.push('webgpu: no adapter');
  }
  try {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
    if (!gl) skipped.push('webgl: no WebGL2 context');
    else {
      const ext = gl.getExtension('WEBGL_debug_renderer_info');
      const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
      gl.getExtension('WEBGL_lose_context')?.loseContext();
      if (SOFTWARE_RENDERER.test(renderer)) skipped.push(`webgl: software renderer (${renderer})`);
      else candidates.push('webgl');
    }
  } catch {
    skipped.push('webgl: no WebGL2 context');
  }
  return { candidates, skipped };
}

/** Measure in a probe worker (terminated after its one reply). */
function probe(candidates: BackendName[], wasmPaths: Record<string, string>): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('../worker/probe.worker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (ev: MessageEvent<ProbeReply>) => {
      w.terminate();
      if (ev.data.type === 'probed') resolve(ev.data.result);
      else reject(new Error(ev.data.message));
    };
    w.onerror = (ev) => {
      w.terminate();
      reject(new Error(ev.message || 'the backend probe failed to start'));
    };
    w.postMessage({ type: 'probe', candidates: ['wasm', ...candidates], wasmPaths });
  });
}

/**
 * What auto should do, the lab training on `current` meanwhile: the backend to move to (or null) and the badge note.
 * Without any GPU backend present nothing is measured (wasm is all there is).
 */
export async function autoDecision(
  current: string,
  wasmPaths: Record<string, string>,
): Promise<{ pick: string | null; note: string }> {
  const { candidates, skipped } = await gpuCandidates();
  if (candidates.length === 0)
    return {
      pick: null,
      note: [`auto: ${current}, the only backend to measure`, ...skipped.map((k) => `skipped ${k}`)].join('\n'),
    };
  const r = await probe(candidates, wasmPaths);
  const result = { ...r, skipped: [...skipped, ...r.skipped] };
  const pick = pickFaster(result.measured, current);
  return { pick, note: probeNote(result, current, pick) };
}
