// Backend selection for tfjs in Node (cpu, wasm) and in the worker (webgpu, webgl, wasm, cpu), plus the one-time
// registration of tfjs gradients, which tfjs-core ships only as an ESM side-effect module (DESIGN §5 traps).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

export type BackendName = 'cpu' | 'wasm' | 'webgl' | 'webgpu';
export type BackendChoice = BackendName | 'auto';

export interface BackendOptions {
  /** Where the worker serves the tfjs wasm binaries (setWasmPaths); unused in Node, which reads them from disk. */
  wasmPaths?: string | Record<string, string>;
  /** wasm threads; only honoured by the threaded build, which this project disables (minified-build trap). */
  threads?: number;
}

export interface BackendInfo {
  name: string; // the active tfjs backend
  isFallbackAdapter: boolean | null; // webgpu only: true on a software adapter (SwiftShader); null elsewhere
}

let info: BackendInfo = { name: 'none', isFallbackAdapter: null };
let gradientsReady: Promise<void> | null = null;
const failures: string[] = [];

const isNode = (): boolean => {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
};

/**
 * Register every tfjs gradient once. tfjs-core's `register_all_gradients` is ESM-only with directory imports that
 * Node cannot load, so in Node the umbrella `@tensorflow/tfjs` CommonJS bundle (which registers the same gradients
 * on the same global registry) is loaded instead; bundlers take the ESM module.
 */
export function ensureGradients(): Promise<void> {
  if (gradientsReady) return gradientsReady;
  gradientsReady = (async () => {
    if (tf.getGradient('Sum') != null) return;
    if (isNode()) {
      const spec = '@tensorflow/tfjs';
      await import(/* @vite-ignore */ spec);
    } else {
      await import('@tensorflow/tfjs-core/dist/register_all_gradients');
    }
    if (tf.getGradient('Sum') == null) throw new Error('backend.ts: tfjs gradients did not register');
  })();
  return gradientsReady;
}

async function trySet(name: BackendName, opts: BackendOptions): Promise<boolean> {
  try {
    if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm'); // registers the WASM_* flags
      // Threaded wasm breaks in a minified build (DESIGN §5): always the single-threaded SIMD build.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      if (opts.wasmPaths !== undefined) wasm.setWasmPaths(opts.wasmPaths as Parameters<typeof wasm.setWasmPaths>[0]);
      if (opts.threads !== undefined) wasm.setThreadsCount(opts.threads);
    } else if (name === 'webgl') {
      await import('@tensorflow/tfjs-backend-webgl');
    } else if (name === 'webgpu') {
      await import('@tensorflow/tfjs-backend-webgpu');
    }
    const ok = await tf.setBackend(name);
    if (!ok) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch (e) {
    failures.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    return false;
  }
}

async function webgpuFallback(): Promise<boolean | null> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
  if (!gpu) return null;
  try {
    const adapter = (await gpu.requestAdapter()) as { isFallbackAdapter?: boolean; info?: { isFallbackAdapter?: boolean } } | null;
    if (!adapter) return null;
    return Boolean(adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false);
  } catch {
    return null;
  }
}

/**
 * Select a tfjs backend and register gradients. Returns the active backend's name.
 * 'auto': Node → wasm (then cpu); browser → webgpu → webgl → wasm → cpu, the first that initialises.
 * TODO(lab issue): on a software WebGPU adapter, measure a few steps on each candidate and keep the fastest.
 */
export async function initBackend(name: BackendChoice, opts: BackendOptions = {}): Promise<string> {
  await ensureGradients();
  failures.length = 0;
  const order: BackendName[] =
    name !== 'auto' ? [name] : isNode() ? ['wasm', 'cpu'] : ['webgpu', 'webgl', 'wasm', 'cpu'];
  for (const candidate of order) {
    if (await trySet(candidate, opts)) {
      info = { name: candidate, isFallbackAdapter: candidate === 'webgpu' ? await webgpuFallback() : null };
      return candidate;
    }
  }
  throw new Error(`backend.ts initBackend: backend '${name}' could not be initialised (${failures.join('; ') || `tried ${order.join(', ')}`})`);
}

/** The backend chosen by the last initBackend call, with the WebGPU adapter's fallback flag. */
export function backendInfo(): BackendInfo {
  return { ...info };
}
