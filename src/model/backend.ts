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
  /**
   * 'auto' on a software WebGPU adapter: milliseconds per training step on the active backend (a few warm steps).
   * Each candidate that initialises is measured and the fastest is kept (DESIGN §5).
   */
  measure?: () => Promise<number>;
}

export interface BackendInfo {
  name: string; // the active tfjs backend
  isFallbackAdapter: boolean | null; // webgpu only: true on a software adapter (SwiftShader); null elsewhere
  adapter: string | null; // the WebGPU adapter's vendor / architecture / description, when known
  measured: Record<string, number> | null; // 'auto' on a software adapter: ms per step of each candidate
}

let info: BackendInfo = { name: 'none', isFallbackAdapter: null, adapter: null, measured: null };
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

interface AdapterInfo {
  isFallbackAdapter?: boolean;
  vendor?: string;
  architecture?: string;
  description?: string;
}

/** The WebGPU adapter's fallback flag (`adapter.info.isFallbackAdapter`, older `adapter.isFallbackAdapter`) and name. */
async function webgpuAdapter(): Promise<{ fallback: boolean | null; name: string | null }> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
  if (!gpu) return { fallback: null, name: null };
  try {
    const adapter = (await gpu.requestAdapter()) as { isFallbackAdapter?: boolean; info?: AdapterInfo } | null;
    if (!adapter) return { fallback: null, name: null };
    const i = adapter.info ?? {};
    const name = [i.vendor, i.architecture, i.description].filter((x) => x).join(' / ') || null;
    const software = /swiftshader|llvmpipe|software/i.test(name ?? '');
    return { fallback: Boolean(i.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false) || software, name };
  } catch {
    return { fallback: null, name: null };
  }
}

/**
 * Select a tfjs backend and register gradients. Returns the active backend's name.
 * 'auto': Node → wasm (then cpu); browser → webgpu → webgl → wasm → cpu, the first that initialises. When that is
 * WebGPU on a software adapter (SwiftShader) and `opts.measure` is given, every candidate that initialises is
 * measured and the fastest is kept.
 */
export async function initBackend(name: BackendChoice, opts: BackendOptions = {}): Promise<string> {
  await ensureGradients();
  failures.length = 0;
  const order: BackendName[] =
    name !== 'auto' ? [name] : isNode() ? ['wasm', 'cpu'] : ['webgpu', 'webgl', 'wasm', 'cpu'];
  for (const candidate of order) {
    if (await trySet(candidate, opts)) {
      const ad = candidate === 'webgpu' ? await webgpuAdapter() : { fallback: null, name: null };
      info = { name: candidate, isFallbackAdapter: ad.fallback, adapter: ad.name, measured: null };
      if (name === 'auto' && candidate === 'webgpu' && ad.fallback && opts.measure) {
        const measured: Record<string, number> = {};
        for (const c of ['webgpu', 'webgl', 'wasm'] as BackendName[]) {
          if (c !== candidate && !(await trySet(c, opts))) continue;
          try {
            measured[c] = await opts.measure();
          } catch (e) {
            failures.push(`${c} (measure): ${e instanceof Error ? e.message : String(e)}`);
          }
        }
        const best = Object.entries(measured).sort((a, b) => a[1] - b[1])[0]?.[0] as BackendName | undefined;
        if (best && (await trySet(best, opts))) {
          info = { name: best, isFallbackAdapter: ad.fallback, adapter: ad.name, measured };
          return best;
        }
        await trySet(candidate, opts);
        info = { ...info, measured };
      }
      return candidate;
    }
  }
  throw new Error(`backend.ts initBackend: backend '${name}' could not be initialised (${failures.join('; ') || `tried ${order.join(', ')}`})`);
}

/** The backend chosen by the last initBackend call, with the WebGPU adapter's fallback flag. */
export function backendInfo(): BackendInfo {
  return { ...info };
}
