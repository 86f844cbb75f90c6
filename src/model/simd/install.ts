// Init of the lab's wasm SIMD kernels: create the module instance on the active wasm backend and register every kernel
// config once (registerAll.ts); then whether they are active, and their state, for the model, tests and benchmarks.
import * as tf from '@tensorflow/tfjs-core';
import {
  createLabKernels,
  type LabKernels,
  labKernelsOf,
  type WasmBackendLike,
  type WasmKernelsMode,
} from './instance';
import { registerAllLabKernels } from './registerAll';

/**
 * Load the lab's kernels on the active wasm backend (call after tf.setBackend('wasm')) and register all of them: the
 * overrides of BatchMatMul, Sum, Exp and Identity, and LabLinear, LayerNorm, GELU and Adam. Returns the backend's
 * instance, or null, leaving tfjs's kernels, when WebAssembly SIMD is missing or tfjs-wasm's memory is not reachable.
 * Idempotent; `mode` may be changed by calling again.
 */
export async function installWasmKernels(mode: WasmKernelsMode = 'all'): Promise<LabKernels | null> {
  if (tf.getBackend() !== 'wasm') return null;
  const be = tf.backend() as unknown as WasmBackendLike;
  const held = labKernelsOf(be);
  if (held != null) {
    held.mode = mode;
    return held;
  }
  const s = await createLabKernels(be, mode);
  if (s != null) registerAllLabKernels();
  return s;
}

/** The active backend's instance when its mode is 'all', else null. */
function activeInstance(): LabKernels | null {
  if (tf.getBackend() !== 'wasm') return null;
  const s = labKernelsOf(tf.backend());
  return s != null && s.mode === 'all' ? s : null;
}

/** True when the lab's kernels run on the active backend: every BatchMatMul (transposes are free) and the fused ones. */
export function wasmKernelsActive(): boolean {
  return activeInstance() != null;
}

/** The active backend's instance's mode and how many products it ran, or null when it has none. */
export function wasmKernelsState(): { mode: WasmKernelsMode; calls: number } | null {
  const s = tf.getBackend() === 'wasm' ? labKernelsOf(tf.backend()) : null;
  return s == null ? null : { mode: s.mode, calls: s.calls };
}
