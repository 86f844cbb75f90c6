// The lab's WebAssembly SIMD kernels on the tfjs wasm backend (asm/*.ts, one config per kernel in kernels/): what the
// model, backend init, tests and benchmarks use — install at init, whether active, the ops of the lab's own kernels.
export type { KernelVariant, KernelVariantChoice, LabKernels, WasmKernelsMode } from './instance';
export { relaxedSimdSupported } from './instance';
export {
  installWasmKernels,
  type KernelsProvenance,
  wasmKernelsActive,
  wasmKernelsProvenance,
  wasmKernelsState,
} from './install';
export {
  type AdamHyper,
  fusedAdam,
  geluFused,
  geluGradFused,
  layerNormFused,
  layerNormGradFused,
  linearFused,
  sumSquares,
} from './ops';
