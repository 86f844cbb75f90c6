// Backend selection for tfjs in Node (cpu, wasm) and in the worker (webgpu, webgl, wasm, cpu), plus the one-time
// registration of tfjs gradients, which tfjs-core ships only as an ESM side-effect module (DESIGN §5 traps).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { SOFTWARE_RENDERER } from '../core/config/autoBackend';
import type { BackendName } from '../core/config/backends';
import { registerLeanGradients } from './gradients';
import { installWasmKernels, wasmKernelsProvenance } from './simd';

export type { BackendChoice, BackendName } from '../core/config/backends';

export interface BackendOptions {
  /** Where the worker serves the tfjs wasm binaries (setWasmPaths); unused in Node, which reads them from disk. */
  wasmPaths?: string | Record<string, string>;
  /** wasm threads; only honoured by the threaded build, which this project disables (minified-build trap). */
  threads?: number;
}

/**
 * 'auto' measuring budget of a GPU candidate, milliseconds: 5× wasm's whole measurement, within 4–30 s. A software
 * adapter that cannot finish warm-up + 2 steps in that is not going to beat wasm; uncapped, SwiftShader's took
 * minutes here.
 */
export const MEASURE_BUDGET = { factor: 5, minMs: 4000, maxMs: 30_000 } as const;

export interface BackendInfo {
  name: string; // the active tfjs backend
  isFallbackAdapter: boolean | null; // webgpu only: true on a software adapter (SwiftShader); null elsewhere
  adapter: string | null; // the WebGPU adapter's vendor / architecture / description, when known
  kernels?: string | null; // wasm: whether the lab's SIMD kernels run the step (src/model/simd); null elsewhere
}

let info: BackendInfo = { name: 'none', isFallbackAdapter: null, adapter: null };
let gradientsReady: Promise<void> | null = null;
let lastOpts: BackendOptions = {};
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
    if (tf.getGradient('Sum') != null) return registerLeanGradients();
    if (isNode()) {
      const spec = '@tensorflow/tfjs';
      await import(/* @vite-ignore */ spec);
    } else {
      await import('@tensorflow/tfjs-core/dist/register_all_gradients');
    }
    if (tf.getGradient('Sum') == null) throw new Error('ensureGradients: tfjs gradients did not register');
    registerLeanGradients();
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
    // wasm: every BatchMatMul through the lab's SIMD kernel (tfjs's own where the engine lacks SIMD128).
    if (name === 'wasm' && tf.getBackend() === 'wasm') await installWasmKernels();
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

interface GlLike {
  RENDERER: number;
  getExtension(name: string): { UNMASKED_RENDERER_WEBGL: number } | null;
  getParameter(p: number): unknown;
}

/** The active webgl backend's renderer string (unmasked when the browser allows), or null. */
function webglRenderer(): string | null {
  try {
    const gl = (tf.backend() as unknown as { gpgpu?: { gl?: GlLike } }).gpgpu?.gl;
    if (!gl) return null;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch {
    return null;
  }
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
    const software = SOFTWARE_RENDERER.test(name ?? '');
    return { fallback: Boolean(i.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false) || software, name };
  } catch {
    return { fallback: null, name: null };
  }
}

/**
 * ms per training step (`opts.measure`: a few warm steps on the active backend, Infinity past `budgetMs`) of each of
 * `candidates` that initialises, wasm first: its time sets the others' budget (MEASURE_BUDGET); webgpu best last, so
 * its abandoned work (if over budget) does not hold up the GPU process while the next initialises. A software webgl
 * renderer is not measured. Leaves the last candidate active. 'auto' in the browser's backend probe (worker/probe.ts).
 */
export async function measureBackends(
  candidates: BackendName[],
  opts: BackendOptions & { measure?: (budgetMs: number) => Promise<number> },
): Promise<{ measured: Record<string, number>; skipped: string[] }> {
  await ensureGradients();
  const measured: Record<string, number> = {};
  const skipped: string[] = [];
  let budget: number = MEASURE_BUDGET.maxMs;
  for (const c of candidates) {
    if (!(await trySet(c, opts))) {
      skipped.push(`${c}: not available`);
      continue;
    }
    const renderer = c === 'webgl' ? webglRenderer() : null;
    if (renderer && SOFTWARE_RENDERER.test(renderer)) {
      skipped.push(`webgl: software renderer (${renderer})`);
      continue;
    }
    if (!opts.measure) continue;
    try {
      const t0 = performance.now();
      measured[c] = await opts.measure(budget);
      if (c === 'wasm')
        budget = Math.min(
          MEASURE_BUDGET.maxMs,
          Math.max(MEASURE_BUDGET.minMs, MEASURE_BUDGET.factor * (performance.now() - t0)),
        );
    } catch (e) {
      skipped.push(`${c} (measure): ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { measured, skipped };
}

/**
 * Select the tfjs backend `name` and register gradients; returns its name, or throws naming it and why. 'auto' is
 * not a backend: the lab starts on wasm and measures the others beside it (ui/autoSwitch.ts, worker/probe.ts).
 */
export async function initBackend(name: BackendName, opts: BackendOptions = {}): Promise<string> {
  await ensureGradients();
  failures.length = 0;
  lastOpts = opts;
  if (!(await trySet(name, opts)))
    throw new Error(
      `initBackend: backend '${name}' could not be initialised (${failures.join('; ') || `tried ${name}`})`,
    );
  const ad = name === 'webgpu' ? await webgpuAdapter() : { fallback: null, name: null };
  info = { name, isFallbackAdapter: ad.fallback, adapter: ad.name };
  return name;
}

/**
 * Run `fn` with the first of `candidates` that initialises as the active tfjs backend (set up with the options of
 * the last initBackend call), then switch back. `fn` must leave nothing on that backend that outlives it (return
 * host data). For work a software GPU would take minutes over, e.g. the frozen-encoder feature cache.
 */
export async function withBackend<T>(candidates: BackendName[], fn: (name: BackendName) => T | Promise<T>): Promise<T> {
  const prev = tf.getBackend();
  const run = async (): Promise<T> => {
    for (const c of candidates) if (await trySet(c, lastOpts)) return await fn(c);
    throw new Error(`withBackend: none of ${candidates.join(', ')} could be initialised (${failures.join('; ')})`);
  };
  const out = await run().then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  // switch back whatever happened; failing to is the error that matters most (every later step would run elsewhere)
  if (tf.getBackend() !== prev && !(await tf.setBackend(prev)))
    throw new Error(`withBackend: could not switch back to '${prev}'`);
  if ('error' in out) throw out.error;
  return out.value;
}

/** The backend chosen by the last initBackend call, with the WebGPU adapter's fallback flag. */
export function backendInfo(): BackendInfo {
  const lab = wasmKernelsProvenance();
  const kernels =
    tf.getBackend() === 'wasm'
      ? lab === 'lab-relaxed'
        ? 'lab SIMD, relaxed (FMA) (matmul, LayerNorm, GELU, Adam)'
        : lab === 'lab-simd'
          ? 'lab SIMD128 (matmul, LayerNorm, GELU, Adam)'
          : 'tfjs only (no WebAssembly SIMD)'
      : null;
  return { ...info, kernels };
}

/** The active webgpu backend's GPUDevice (null on other backends). */
function webgpuDevice(): { lost: Promise<{ reason?: string; message?: string }>; destroy(): void } | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as { device?: ReturnType<typeof webgpuDevice> }).device ?? null;
}

/** The active webgl backend's context (null on other backends). */
function webglContext(): (GlLike & { canvas: EventTarget; isContextLost(): boolean }) | null {
  if (tf.getBackend() !== 'webgl') return null;
  return (tf.backend() as unknown as { gpgpu?: { gl?: ReturnType<typeof webglContext> } }).gpgpu?.gl ?? null;
}

/**
 * Call `onLost` once if the active backend's GPU is lost: `GPUDevice.lost` on webgpu (a driver reset, another tab's
 * crash, `destroy()`), `webglcontextlost` on webgl; nothing on wasm and cpu. DESIGN §6b: the run goes on elsewhere.
 */
export function watchDeviceLoss(onLost: (reason: string) => void): void {
  const dev = webgpuDevice();
  if (dev) {
    void dev.lost.then((info) => onLost([info.reason, info.message].filter((x) => x).join(': ') || 'unknown'));
    return;
  }
  const gl = webglContext();
  gl?.canvas.addEventListener('webglcontextlost', () => onLost('the WebGL context was lost'), { once: true });
}

/** Lose the active GPU (the `device-lost` fault): destroy the WebGPU device, or lose the WebGL context; false on wasm/cpu. */
export function loseDevice(): boolean {
  const dev = webgpuDevice();
  if (dev) {
    dev.destroy();
    return true;
  }
  const ext = webglContext()?.getExtension('WEBGL_lose_context') as { loseContext?: () => void } | null | undefined;
  if (!ext?.loseContext) return false;
  ext.loseContext();
  return true;
}
