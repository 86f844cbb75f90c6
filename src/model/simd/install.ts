// Init of the lab's wasm SIMD kernels: create the module instance on the active wasm backend and register every kernel
// config once (registerAll.ts); then whether they are active, and their state, for the model, tests and benchmarks.
import * as tf from '@tensorflow/tfjs-core';
import {
  createLabKernels,
  type KernelVariant,
  type KernelVariantChoice,
  type LabKernels,
  labKernelsOf,
  resolveVariant,
  type WasmBackendLike,
  type WasmKernelsMode,
} from './instance';
import { registerAllLabKernels } from './registerAll';

/**
 * Load the lab's kernels on the active wasm backend (call after tf.setBackend('wasm')) and register all of them: the
 * overrides of BatchMatMul, Sum, Exp and Identity, and LabLinear, LayerNorm, GELU and Adam. `variant` picks the build:
 * 'auto' (the default) the relaxed-SIMD one (FMA) where the engine validates relaxed SIMD, else SIMD128; tests and
 * benchmarks force either ('relaxed' falls back to SIMD128 where the engine lacks it: read the instance's variant).
 * Returns the backend's instance, or null, leaving tfjs's kernels, when WebAssembly SIMD is missing or tfjs-wasm's
 * memory is not reachable. Idempotent; `mode` and `variant` may be changed by calling again.
 */
export async function installWasmKernels(
  mode: WasmKernelsMode = 'all',
  variant: KernelVariantChoice = 'auto',
): Promise<LabKernels | null> {
  if (tf.getBackend() !== 'wasm') return null;
  const be = tf.backend() as unknown as WasmBackendLike;
  const held = labKernelsOf(be);
  if (held != null && held.variant === resolveVariant(variant)) {
    held.mode = mode;
    return held;
  }
  const s = await createLabKernels(be, mode, variant);
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

/** What ran a step's kernels on wasm (DESIGN §6c run files' `kernels`): the lab's relaxed or SIMD128 build, or tfjs's. */
export type KernelsProvenance = 'lab-relaxed' | 'lab-simd' | 'tfjs';

const provenanceOf = (variant: KernelVariant): KernelsProvenance =>
  variant === 'relaxed' ? 'lab-relaxed' : 'lab-simd';

/** The active backend's instance's mode, build, provenance and how many products it ran, or null when it has none. */
export function wasmKernelsState(): {
  mode: WasmKernelsMode;
  variant: KernelVariant;
  kernels: KernelsProvenance;
  calls: number;
} | null {
  const s = tf.getBackend() === 'wasm' ? labKernelsOf(tf.backend()) : null;
  return s == null ? null : { mode: s.mode, variant: s.variant, kernels: provenanceOf(s.variant), calls: s.calls };
}

/** Whose kernels run the active backend's steps: 'lab-relaxed' / 'lab-simd' while the lab's are active, else 'tfjs'. */
export function wasmKernelsProvenance(): KernelsProvenance {
  const s = activeInstance();
  return s == null ? 'tfjs' : provenanceOf(s.variant);
}
