// One instance of the lab's kernel module per tfjs wasm backend: the compiled exports on tfjs-wasm's own memory, the
// scratch region and the mode, created at init and held beside the backend (as tfjs-wasm holds its module on it).
import * as tf from '@tensorflow/tfjs-core';
import type { KernelExports } from './kernelExports';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernelsWasm';

/** The parts of tfjs-wasm's BackendWasm the lab's kernels use (not in its public typings). */
export interface WasmBackendLike {
  wasm: { asm: { memory: WebAssembly.Memory }; _malloc(bytes: number): number; _free(ptr: number): void };
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  incRef(dataId: object): void;
}

/** 'off': tfjs's kernels only; 'all': the lab's wherever they apply (tests and benchmarks compare the two). */
export type WasmKernelsMode = 'off' | 'all';

/**
 * Which build of the module runs: 'relaxed' (relaxed SIMD: the matmul's sums with f32x4.relaxed_madd, one FMA where
 * the engine and CPU have it) or 'simd' (SIMD128: multiply, then add). The same kernels and exports; the two agree
 * within float32 rounding (a fused multiply-add rounds once), each deterministic on its own.
 */
export type KernelVariant = 'relaxed' | 'simd';
/** 'auto': relaxed where the engine validates relaxed SIMD (current Chromium; Node 20 behind its flag), else simd. */
export type KernelVariantChoice = KernelVariant | 'auto';

/** The lab's kernel module instantiated on one wasm backend's memory. */
export interface LabKernels {
  readonly backend: WasmBackendLike;
  readonly k: KernelExports;
  scratch: number; // tfjs-wasm heap pointer (bytes), 0 when none yet
  scratchBytes: number;
  mode: WasmKernelsMode;
  readonly variant: KernelVariant;
  calls: number; // products BatchMatMul ran (tests read it to see that the path was taken)
}

/** What a kernelFunc receives (tfjs's KernelFunc arguments, the backend untyped). */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

// Each backend's instance, held by the backend object (a re-created backend gets a fresh one at its init).
const instances = new WeakMap<object, LabKernels>();

const bytesOf = (b64: string): Uint8Array<ArrayBuffer> => {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
};

// The smallest relaxed-SIMD module: (func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0)
// (v128.const 0))). An engine that validates it runs the relaxed build (the probe wasm-feature-detect also uses).
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)]; // v128.const 0
const PROBE_BODY = [0x00, ...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 0x02, 0x0b]; // no locals … madd, end
const RELAXED_PROBE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // magic, version 1
  ...[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b], // types: () → v128
  ...[0x03, 0x02, 0x01, 0x00], // one function of type 0
  ...[0x0a, PROBE_BODY.length + 2, 0x01, PROBE_BODY.length, ...PROBE_BODY], // its code
]);

/** Whether this engine validates relaxed SIMD (asked each time: Node's V8 flag may be set at run time). */
export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(RELAXED_PROBE);
}

/** The build `choice` resolves to in this engine: the relaxed one only where relaxed SIMD validates. */
export function resolveVariant(choice: KernelVariantChoice): KernelVariant {
  return choice !== 'simd' && relaxedSimdSupported() ? 'relaxed' : 'simd';
}

/**
 * Instantiate the module (the build `choice` resolves to) on `be`'s memory and hold it for `be`, in place of any
 * instance held before; null when WebAssembly SIMD is missing or tfjs-wasm's memory is not reachable (e.g. the
 * threaded build's shared memory).
 */
export async function createLabKernels(
  be: WasmBackendLike,
  mode: WasmKernelsMode,
  choice: KernelVariantChoice = 'auto',
): Promise<LabKernels | null> {
  const memory = be.wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory) || typeof be.wasm._malloc !== 'function') return null;
  if (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) return null;
  const variant = resolveVariant(choice);
  const bytes = bytesOf(variant === 'relaxed' ? KERNELS_RELAXED_WASM_BASE64 : KERNELS_WASM_BASE64);
  if (!WebAssembly.validate(bytes)) return null; // no SIMD128 in this engine
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes), { env: { memory } });
  const held = instances.get(be);
  if (held != null && held.scratch !== 0) be.wasm._free(held.scratch);
  const s: LabKernels = {
    backend: be,
    k: instance.exports as unknown as KernelExports,
    scratch: 0,
    scratchBytes: 0,
    mode,
    variant,
    calls: 0,
  };
  instances.set(be, s);
  return s;
}

/** The instance held for `backend` (a tfjs backend object), whatever its mode, or null. */
export function labKernelsOf(backend: unknown): LabKernels | null {
  return (typeof backend === 'object' && backend != null && instances.get(backend)) || null;
}

/** The instance a lab kernel runs on: `backend`'s, or an error naming the kernel. */
export function labKernelsFor(backend: unknown, kernel: string): LabKernels {
  const s = labKernelsOf(backend);
  if (s == null) throw new Error(`${kernel} (wasm): the lab's kernels are not installed on this backend`);
  return s;
}

/** A scratch region of at least `bytes` on tfjs-wasm's heap (one, grown as needed; valid until the next call). */
export function ensureScratch(s: LabKernels, bytes: number): number {
  if (bytes <= s.scratchBytes) return s.scratch;
  if (s.scratch !== 0) s.backend.wasm._free(s.scratch);
  const want = Math.max(bytes, 2 * s.scratchBytes);
  s.scratch = s.backend.wasm._malloc(want);
  if (s.scratch === 0)
    throw new Error(`lab SIMD kernels: could not allocate ${want} bytes of scratch on the wasm heap`);
  s.scratchBytes = want;
  return s.scratch;
}

/** The wasm heap byte offset of a tensor on the instance's backend. */
export function offsetOf(s: LabKernels, t: tf.TensorInfo, kernel: string): number {
  const info = s.backend.dataIdMap.get(t.dataId);
  if (info == null) throw new Error(`${kernel} (wasm): an input tensor is not on the wasm backend`);
  return info.memoryOffset;
}

/** A float32 input of a lab kernel, or an error naming the kernel and the input. */
export function float32Input(inputs: tf.NamedTensorInfoMap, name: string, kernel: string): tf.TensorInfo {
  const t = inputs[name];
  if (t == null || t.dtype !== 'float32') throw new Error(`${kernel} (wasm): input "${name}" missing or not float32`);
  return t;
}

/** An input of a lab kernel (any dtype), or an error naming the kernel and the input. */
export function requiredInput(inputs: tf.NamedTensorInfoMap, name: string, kernel: string): tf.TensorInfo {
  const t = inputs[name];
  if (t == null) throw new Error(`${kernel} (wasm): input "${name}" is missing`);
  return t;
}

/** Write i32 tables (pointers, lengths) into scratch; their addresses. Call after every allocation of the kernel. */
export function i32Tables(s: LabKernels, cols: number[][]): number[] {
  const n = cols[0].length;
  const base = ensureScratch(s, cols.length * n * 4 + 16);
  const heap = new Int32Array(s.backend.wasm.asm.memory.buffer, base, cols.length * n);
  cols.forEach((c, j) => heap.set(c, j * n));
  return cols.map((_, j) => base + j * n * 4);
}

/**
 * A kernel of the lab's over one of tfjs's: like tfjs's KernelConfig, but kernelFunc takes the instance and returns
 * null where it does not apply; registerAll wraps it over tfjs's kernel, which runs then (and whenever mode is 'off').
 */
export interface LabOverrideConfig {
  kernelName: string;
  backendName: 'wasm';
  kernelFunc(s: LabKernels, args: KernelArgs): tf.TensorInfo | null;
}
