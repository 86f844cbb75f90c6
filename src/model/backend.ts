// Backend selection for tfjs in Node (cpu, wasm) and in the worker (webgpu, webgl, wasm, cpu), plus the one-time
// registration of tfjs gradients, which tfjs-core ships only as an ESM side-effect module (DESIGN §5 traps).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { SOFTWARE_RENDERER } from '../core/autoBackend';
import { registerLeanGradients } from './gradients';
import { installWasmKernels, wasmKernelsActive } from './simd';

export type BackendName = 'cpu' | 'wasm' | 'webgl' | 'webgpu';
export type BackendChoice = BackendName | 'auto';

export interface BackendOptions {
  /** Where the worker serves the tfjs wasm binaries (setWasmPaths); unused in Node, which reads them from disk. */
  wasmPaths?: string | Record<string, string>;
  /** wasm threads; only honoured by the threaded build, which this project disables (minified-build trap). */
  threads?: number;
  /**
   * 'auto' on a software WebGPU adapter: milliseconds per training step on the active backend (a few warm steps),
   * or Infinity when they would take longer than `budgetMs` (milliseconds, the whole measurement). Each candidate
   * that initialises is measured, wasm first, and the fastest is kept (DESIGN §5).
   */
  measure?: (budgetMs: number) => Promise<number>;
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
  measured: Record<string, number> | null; // 'auto' on a GPU: ms per step of each candidate
  skipped?: string[]; // 'auto': candidates passed over without measuring, and why (a software webgl renderer)
  kernels?: string | null; // wasm: whether the lab's SIMD kernels run the step (src/model/simd); null elsewhere
}

let info: BackendInfo = { name: 'none', isFallbackAdapter: null, adapter: null, measured: null };
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
 * ms per training step (`opts.measure`) of each of `candidates` that initialises, wasm first: its time sets the
 * others' budget (MEASURE_BUDGET); webgpu best last, so its abandoned work (if over budget) does not hold up the GPU
 * process while the next initialises. A software webgl renderer is not measured. Leaves the last candidate active.
 * Shared by 'auto' here and by the browser's backend probe (src/worker/probe.ts).
 */
export async function measureBackends(candidates: BackendName[], opts: BackendOptions): Promise<{ measured: Record<string, number>; skipped: string[] }> {
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
      if (c === 'wasm') budget = Math.min(MEASURE_BUDGET.maxMs, Math.max(MEASURE_BUDGET.minMs, MEASURE_BUDGET.factor * (performance.now() - t0)));
    } catch (e) {
      skipped.push(`${c} (measure): ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { measured, skipped };
}

/**
 * Select a tfjs backend and register gradients. Returns the active backend's name.
 * 'auto': Node → wasm (then cpu); browser → webgpu → webgl → wasm → cpu, the first that initialises, skipping a
 * software webgl renderer. When that is a GPU (WebGPU on any adapter, or hardware webgl) and `opts.measure` is
 * given, every candidate that initialises is measured (wasm first) and the fastest is kept; the figures go in info.
 */
export async function initBackend(name: BackendChoice, opts: BackendOptions = {}): Promise<string> {
  await ensureGradients();
  failures.length = 0;
  lastOpts = opts;
  const skipped: string[] = [];
  const order: BackendName[] =
    name !== 'auto' ? [name] : isNode() ? ['wasm', 'cpu'] : ['webgpu', 'webgl', 'wasm', 'cpu'];
  for (const candidate of order) {
    if (await trySet(candidate, opts)) {
      // 'auto' never settles on a software webgl renderer (SwiftShader trains ~10× slower than wasm here): skip it.
      const renderer = candidate === 'webgl' ? webglRenderer() : null;
      if (name === 'auto' && renderer && SOFTWARE_RENDERER.test(renderer)) {
        skipped.push(`webgl: software renderer (${renderer})`);
        continue;
      }
      const ad = candidate === 'webgpu' ? await webgpuAdapter() : { fallback: null, name: null };
      info = { name: candidate, isFallbackAdapter: ad.fallback, adapter: ad.name, measured: null, skipped };
      // A GPU is not faster than wasm on a model this small just by being there: 'auto' measures whenever it lands on
      // one (a software adapter, or a hardware GPU), and keeps the fastest.
      if (name === 'auto' && (candidate === 'webgpu' || candidate === 'webgl') && opts.measure) {
        const { measured, skipped: notMeasured } = await measureBackends(['wasm', 'webgl', 'webgpu'], opts);
        for (const m of notMeasured) if (!m.endsWith(': not available')) failures.push(m.startsWith('webgl: software') ? `${m}, not measured` : m);
        const best = Object.entries(measured).sort((a, b) => a[1] - b[1])[0]?.[0] as BackendName | undefined;
        if (best && (await trySet(best, opts))) {
          info = { name: best, isFallbackAdapter: ad.fallback, adapter: ad.name, measured, skipped };
          return best;
        }
        await trySet(candidate, opts);
        info = { ...info, measured };
      }
      return candidate;
    }
  }
  throw new Error(`initBackend: backend '${name}' could not be initialised (${failures.join('; ') || `tried ${order.join(', ')}`})`);
}

/**
 * Run `fn` with the first of `candidates` that initialises as the active tfjs backend (set up with the options of
 * the last initBackend call), then switch back. `fn` must leave nothing on that backend that outlives it (return
 * host data). For work a software GPU would take minutes over, e.g. the frozen-encoder feature cache.
 */
export async function withBackend<T>(candidates: BackendName[], fn: (name: BackendName) => T | Promise<T>): Promise<T> {
  const prev = tf.getBackend();
  try {
    for (const c of candidates) if (await trySet(c, lastOpts)) return await fn(c);
    throw new Error(`withBackend: none of ${candidates.join(', ')} could be initialised (${failures.join('; ')})`);
  } finally {
    if (tf.getBackend() !== prev && !(await tf.setBackend(prev))) throw new Error(`withBackend: could not switch back to '${prev}'`);
  }
}

/** The backend chosen by the last initBackend call, with the WebGPU adapter's fallback flag. */
export function backendInfo(): BackendInfo {
  const kernels = tf.getBackend() === 'wasm' ? (wasmKernelsActive() ? 'lab SIMD (matmul, LayerNorm, GELU, Adam)' : 'tfjs only (no WebAssembly SIMD)') : null;
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
