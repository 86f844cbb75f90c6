// The lab's WebAssembly SIMD kernels on the tfjs wasm backend (asm/*.ts), run on tfjs-wasm's own memory: loading them,
// BatchMatMul, Sum and Exp registered over tfjs's, and LabLinear; LayerNorm, GELU and Adam live in wasm*.ts beside it.
import * as tf from '@tensorflow/tfjs-core';
import { KERNELS_WASM_BASE64 } from './kernelsWasm';

// Why (DESIGN §5, issue 13): tfjs-wasm 4.22 hands a BatchMatMul to XNNPACK only when the batch is 1 and neither
// operand is transposed; the attention's [B, H, L, ·] products and their gradients run in a scalar blocked loop at
// ≈ 1.3–2.7 GFLOP/s, half of the student's step. This kernel packs both operands (any transpose) into 4×8 panels
// and accumulates in f32x4 registers. Each output is one float32 sum over k in order: deterministic, and within
// float32 rounding of tfjs's (which orders the sum differently).

export interface KernelExports {
  matmul(a: number, b: number, out: number, batch: number, aStride: number, bStride: number, M: number, N: number, K: number, transA: number, transB: number, scratch: number): void;
  scratchBytes(M: number, N: number, K: number): number;
  biasResidual(out: number, bias: number, res: number, M: number, N: number): void;
  colSum(x: number, out: number, R: number, C: number): void;
  expArray(x: number, y: number, n: number): void;
  sumSquares(ptrs: number, lens: number, n: number): number;
  layerNormForward(x: number, g: number, b: number, y: number, xhat: number, rstd: number, R: number, d: number, eps: number, tmp: number): void;
  layerNormBackward(xhat: number, rstd: number, g: number, dy: number, dx: number, dg: number, db: number, R: number, d: number, tmp: number): void;
  geluForward(x: number, y: number, e: number, pdf: number, n: number): void;
  geluBackward(x: number, e: number, pdf: number, dy: number, dx: number, n: number): void;
  adamUpdate(gPtrs: number, pPtrs: number, outPtrs: number, lens: number, n: number, m: number, v: number, mOut: number, vOut: number, okPtr: number, scalePtr: number, b1: number, omb1: number, b2: number, omb2: number, bc1: number, bc2: number, eps: number, lr: number): void;
}

/** The parts of tfjs-wasm's BackendWasm this kernel uses (not in its public typings). */
export interface WasmBackendLike {
  wasm: { asm: { memory: WebAssembly.Memory }; _malloc(bytes: number): number; _free(ptr: number): void };
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** 'off': tfjs's kernels only; 'all': the lab's wherever they apply (tests and benchmarks compare the two). */
export type WasmKernelsMode = 'off' | 'all';

export interface Installed {
  backend: WasmBackendLike;
  k: KernelExports;
  scratch: number; // tfjs-wasm heap pointer (bytes), 0 when none yet
  scratchBytes: number;
  mode: WasmKernelsMode;
  calls: number; // products this kernel ran (tests read it to see that the path was taken)
}

let installed: Installed | null = null;

const bytesOf = (b64: string): Uint8Array<ArrayBuffer> => {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
};

const prod = (xs: number[]): number => xs.reduce((p, x) => p * x, 1);
const sameDims = (a: number[], b: number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** A scratch region of at least `bytes` on tfjs-wasm's heap (one, grown as needed; valid until the next call). */
export function ensureScratch(s: Installed, bytes: number): number {
  if (bytes <= s.scratchBytes) return s.scratch;
  if (s.scratch !== 0) s.backend.wasm._free(s.scratch);
  const want = Math.max(bytes, 2 * s.scratchBytes);
  s.scratch = s.backend.wasm._malloc(want);
  if (s.scratch === 0) throw new Error(`BatchMatMul (lab SIMD kernel): could not allocate ${want} bytes of scratch on the wasm heap`);
  s.scratchBytes = want;
  return s.scratch;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
/** A kernel of the lab's over tfjs's: its result, or null to let tfjs's own kernel run. */
type Override = (s: Installed, args: KernelArgs) => tf.TensorInfo | null;

/** BatchMatMul: the product when it can take it (float32, whole-operand batch broadcasting). */
function batchMatMul(s: Installed, args: KernelArgs): tf.TensorInfo | null {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = (args.attrs ?? {}) as unknown as { transposeA: boolean; transposeB: boolean };
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const Ka = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const Kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = prod(outerA);
  const batchB = prod(outerB);
  // Only whole-operand broadcasting (equal outer dims, or one operand with a single matrix); the rest is tfjs's.
  const outer = sameDims(outerA, outerB) ? outerA : batchA === 1 && outerA.length <= outerB.length ? outerB : batchB === 1 && outerB.length <= outerA.length ? outerA : null;
  if (outer == null || Ka !== Kb || M === 0 || N === 0 || Ka === 0) return null;
  const batch = Math.max(batchA, batchB);
  const be = s.backend;
  const aInfo = be.dataIdMap.get(a.dataId);
  const bInfo = be.dataIdMap.get(b.dataId);
  if (aInfo == null || bInfo == null) return null;
  const scratch = ensureScratch(s, s.k.scratchBytes(M, N, Ka));
  const out = be.makeOutput([...outer, M, N], 'float32');
  const oInfo = be.dataIdMap.get(out.dataId)!;
  s.k.matmul(aInfo.memoryOffset, bInfo.memoryOffset, oInfo.memoryOffset, batch, batchA === 1 ? 0 : M * Ka, batchB === 1 ? 0 : Ka * N, M, N, Ka, transposeA ? 1 : 0, transposeB ? 1 : 0, scratch);
  s.calls++;
  return out;
}

/** Sum over leading axes of a float32 tensor (a bias gradient, an unbroadcast): column sums, no transpose. */
function sum(s: Installed, args: KernelArgs): tf.TensorInfo | null {
  const x = args.inputs.x;
  if (x == null || x.dtype !== 'float32' || x.shape.length < 2) return null;
  const { axis, keepDims } = (args.attrs ?? {}) as unknown as { axis: number | number[]; keepDims: boolean };
  const axes = [...tf.util.parseAxisParam(axis, x.shape)].sort((p, q) => p - q);
  const r = axes.length;
  if (r === 0 || r >= x.shape.length || axes.some((ax, i) => ax !== i)) return null;
  const R = tf.util.sizeFromShape(x.shape.slice(0, r));
  const C = tf.util.sizeFromShape(x.shape.slice(r));
  const out = s.backend.makeOutput(keepDims ? [...axes.map(() => 1), ...x.shape.slice(r)] : x.shape.slice(r), 'float32');
  s.k.colSum(offsetOf(s, x, 'Sum'), offsetOf(s, out, 'Sum'), R, C);
  return out;
}

/** Exp of a float32 tensor (f32x4 Cephes polynomial; tfjs's is a scalar expf loop). */
function exp(s: Installed, args: KernelArgs): tf.TensorInfo | null {
  const x = args.inputs.x;
  if (x == null || x.dtype !== 'float32') return null;
  const out = s.backend.makeOutput(x.shape.slice(), 'float32');
  s.k.expArray(offsetOf(s, x, 'Exp'), offsetOf(s, out, 'Exp'), tf.util.sizeFromShape(x.shape));
  return out;
}

/** LabLinear: y = res + (x·W + b) for x [R, n], W [n, m], b [m] and res [R, m] optional: one kernel, tfjs's order. */
function linearKernel(args: KernelArgs): tf.TensorInfo {
  const s = activeKernels()!;
  const { x, w, bias, res } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  if (x == null || w == null || x.shape.length !== 2 || w.shape.length !== 2 || x.shape[1] !== w.shape[0]) throw new Error('LabLinear (wasm): expected x [R, n] and W [n, m]');
  const [R, n] = x.shape;
  const m = w.shape[1];
  const out = s.backend.makeOutput([R, m], 'float32');
  const scratch = ensureScratch(s, s.k.scratchBytes(R, m, n));
  const at = (t: tf.TensorInfo) => offsetOf(s, t, 'LabLinear');
  s.k.matmul(at(x), at(w), at(out), 1, 0, 0, R, m, n, 0, 0, scratch);
  if (bias != null || res != null) s.k.biasResidual(at(out), bias ? at(bias) : 0, res ? at(res) : 0, R, m);
  return out;
}

/** y = res + (x·W + b) in one lab kernel (wasm, kernels active; call wasmKernelsActive() first). x [R, n], W [n, m]. */
export function linearFused(x: tf.Tensor, w: tf.Tensor, bias?: tf.Tensor, res?: tf.Tensor): tf.Tensor {
  registerLabKernel('LabLinear', linearKernel);
  const inputs: tf.NamedTensorMap = { x, w };
  if (bias) inputs.bias = bias;
  if (res) inputs.res = res;
  return tf.engine().runKernel('LabLinear', inputs, {}) as tf.Tensor;
}

/**
 * Identity (tf.clone, the tensors a custom gradient saves): the same data under one more reference, as Reshape does,
 * instead of tfjs-wasm's copy; tensors are immutable and no kernel writes into an input, so nothing can tell.
 */
function identity(s: Installed, args: KernelArgs): tf.TensorInfo | null {
  const x = args.inputs.x;
  if (x == null || x.dtype === 'string') return null;
  (s.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
}

const OVERRIDES: Record<string, Override> = { BatchMatMul: batchMatMul, Sum: sum, Exp: exp, Identity: identity };
const stocks = new Map<string, tf.KernelConfig>(); // tfjs's own wasm kernels that OVERRIDES replaced

/** Register each OVERRIDES kernel over tfjs's once: the lab's when active and applicable, else tfjs's. */
function registerOverrides(): void {
  for (const [name, impl] of Object.entries(OVERRIDES)) {
    if (stocks.has(name)) continue;
    const stock = tf.getKernel(name, 'wasm');
    if (stock == null) continue;
    stocks.set(name, stock);
    tf.unregisterKernel(name, 'wasm');
    const kernelFunc = (args: KernelArgs) => {
      const s = installed;
      const mine = s != null && s.mode !== 'off' && args.backend === s.backend ? impl(s, args) : null;
      return mine ?? (stock.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo);
    };
    // tfjs's setupFunc stays: a re-initialised wasm backend sets tfjs's kernel up again for the fallback.
    tf.registerKernel({ kernelName: name, backendName: 'wasm', setupFunc: stock.setupFunc, disposeFunc: stock.disposeFunc, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
}

/**
 * Load the lab's kernels on the active wasm backend and register BatchMatMul, Sum and Exp over tfjs's (call after
 * tf.setBackend('wasm')); the fused LayerNorm, GELU and Adam kernels register on first use. Returns false, leaving
 * tfjs's kernels, when WebAssembly SIMD is missing or tfjs-wasm's memory is not reachable (e.g. the
 * threaded build's shared memory). Idempotent; `mode` may be changed by calling again.
 */
export async function installWasmKernels(mode: WasmKernelsMode = 'all'): Promise<boolean> {
  if (tf.getBackend() !== 'wasm') return false;
  const be = tf.backend() as unknown as WasmBackendLike;
  if (installed != null && installed.backend === be) {
    installed.mode = mode;
    return true;
  }
  const memory = be.wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory) || typeof be.wasm._malloc !== 'function') return false;
  if (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) return false;
  const bytes = bytesOf(KERNELS_WASM_BASE64);
  if (!WebAssembly.validate(bytes)) return false; // no SIMD128 in this engine
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes), { env: { memory } });
  installed = { backend: be, k: instance.exports as unknown as KernelExports, scratch: 0, scratchBytes: 0, mode, calls: 0 };
  registerOverrides();
  return true;
}

/** The installed kernels when the active backend is the wasm backend they were installed on, else null. */
export function activeKernels(): Installed | null {
  return installed != null && installed.mode !== 'off' && tf.getBackend() === 'wasm' && (tf.backend() as unknown) === installed.backend ? installed : null;
}

/** The wasm heap byte offset of a tensor on the installed backend. */
export function offsetOf(s: Installed, t: tf.TensorInfo, kernel: string): number {
  const info = s.backend.dataIdMap.get(t.dataId);
  if (info == null) throw new Error(`${kernel} (wasm): an input tensor is not on the wasm backend`);
  return info.memoryOffset;
}

/** Register a kernel of the lab's own (a name tfjs does not have) on wasm, once. */
export function registerLabKernel(kernelName: string, kernelFunc: (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => tf.TensorInfo | tf.TensorInfo[]): void {
  if (tf.getKernel(kernelName, 'wasm') == null) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}

/** The installed kernel's mode and how many products it ran, or null when it is not installed. */
export function wasmKernelsState(): { mode: WasmKernelsMode; calls: number } | null {
  return installed == null ? null : { mode: installed.mode, calls: installed.calls };
}

/** True when the active backend's BatchMatMul is this kernel for every product (transposed operands cost nothing). */
export function wasmKernelsActive(): boolean {
  return installed != null && installed.mode === 'all' && tf.getBackend() === 'wasm' && (tf.backend() as unknown) === installed.backend;
}
