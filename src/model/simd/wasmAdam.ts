// Adam's update as two wasm kernels of the lab's own (asm/adam.ts): Σ g² over every gradient, and the whole
// update — moments, bias correction, the non-finite guard — in one pass writing each parameter's new tensor.
import * as tf from '@tensorflow/tfjs-core';
import { activeKernels, ensureScratch, type Installed, offsetOf as heapOffset, registerLabKernel } from './wasmKernels';

// Why (issue 13): over flat buffers Adam.apply was still ~25 kernels a step (two Concats, a SplitV, a Tile of the
// guard to [Σ size], three Selects, ~15 elementwise passes), ~10 % of the student's step on wasm, the Tile alone
// ~88 ns an element. These kernels do the same float32 operations in the same order on each element.

/** Adam's hyperparameters for one group's step, as Adam.apply rounds them (JS numbers; wasm takes them as f32). */
export interface AdamHyper {
  beta1: number; // β1 ∈ [0, 1)
  beta2: number; // β2 ∈ [0, 1)
  epsilon: number; // ε > 0
  lr: number; // learning rate > 0
  t: number; // the group's step count after this step, ≥ 1
}

const offsetOf = (s: Installed, t: tf.TensorInfo): number => heapOffset(s, t, 'LabAdam');

const need = (inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo => {
  const t = inputs[name];
  if (t == null) throw new Error(`LabAdam (wasm): input "${name}" is missing`);
  return t;
};

/** Write pointer/length tables (i32) into scratch; returns their addresses. Call after every allocation of the kernel. */
function tables(s: Installed, cols: number[][]): number[] {
  const n = cols[0].length;
  const base = ensureScratch(s, cols.length * n * 4 + 16);
  const heap = new Int32Array(s.backend.wasm.asm.memory.buffer, base, cols.length * n);
  cols.forEach((c, j) => heap.set(c, j * n));
  return cols.map((_, j) => base + j * n * 4);
}

function sumSquaresKernel({ inputs, attrs }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const s = activeKernels()!;
  const n = (attrs as { n: number }).n;
  const gs = Array.from({ length: n }, (_, i) => need(inputs, `g${i}`));
  const out = s.backend.makeOutput([], 'float32');
  const [ptrs, lens] = tables(s, [gs.map((g) => offsetOf(s, g)), gs.map((g) => tf.util.sizeFromShape(g.shape))]);
  const sum = s.k.sumSquares(ptrs, lens, n);
  new Float32Array(s.backend.wasm.asm.memory.buffer, offsetOf(s, out), 1)[0] = sum;
  return out;
}

function adamKernel({ inputs, attrs }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const s = activeKernels()!;
  const a = attrs as unknown as AdamHyper & { n: number; scaled: boolean };
  const n = a.n;
  const gs = Array.from({ length: n }, (_, i) => need(inputs, `g${i}`));
  const ps = Array.from({ length: n }, (_, i) => need(inputs, `p${i}`));
  const [m, v, ok] = [need(inputs, 'm'), need(inputs, 'v'), need(inputs, 'ok')];
  const outs = ps.map((p) => s.backend.makeOutput(p.shape.slice(), 'float32'));
  const mOut = s.backend.makeOutput(m.shape.slice(), 'float32');
  const vOut = s.backend.makeOutput(v.shape.slice(), 'float32');
  const [gP, pP, oP, lens] = tables(s, [gs.map((g) => offsetOf(s, g)), ps.map((p) => offsetOf(s, p)), outs.map((o) => offsetOf(s, o)), ps.map((p) => tf.util.sizeFromShape(p.shape))]);
  s.k.adamUpdate(gP, pP, oP, lens, n, offsetOf(s, m), offsetOf(s, v), offsetOf(s, mOut), offsetOf(s, vOut), offsetOf(s, ok), a.scaled ? offsetOf(s, need(inputs, 'scale')) : 0,
    a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, 1 - a.beta1 ** a.t, 1 - a.beta2 ** a.t, a.epsilon, a.lr);
  return [...outs, mOut, vOut];
}

/** True when the fused Adam kernels can run (the lab's wasm kernels are active); register them on first use. */
export function fusedAdamReady(): boolean {
  if (activeKernels() == null) return false;
  registerLabKernel('LabSumSquares', sumSquaresKernel);
  registerLabKernel('LabAdam', adamKernel as never);
  return true;
}

/** Σ g² over all of `gs` (float32, summed in order): a scalar. */
export function sumSquares(gs: tf.Tensor[]): tf.Scalar {
  const inputs: tf.NamedTensorMap = {};
  gs.forEach((g, i) => (inputs[`g${i}`] = g));
  return tf.engine().runKernel('LabSumSquares', inputs, { n: gs.length }) as tf.Scalar;
}

/**
 * One Adam step of parameters `ps` (gradients `gs`, same shapes) whose moments are the flat m, v [Σ size]; ok [1]
 * float32 (0 keeps everything as it was), scale a scalar multiplying each gradient first, or null. Returns the new
 * parameters and moments (new tensors; the caller assigns them).
 */
export function fusedAdam(gs: tf.Tensor[], ps: tf.Tensor[], m: tf.Tensor, v: tf.Tensor, ok: tf.Tensor, scale: tf.Scalar | null, h: AdamHyper): { params: tf.Tensor[]; m: tf.Tensor; v: tf.Tensor } {
  const inputs: tf.NamedTensorMap = { m, v, ok };
  gs.forEach((g, i) => (inputs[`g${i}`] = g));
  ps.forEach((p, i) => (inputs[`p${i}`] = p));
  if (scale) inputs.scale = scale;
  const out = tf.engine().runKernel('LabAdam', inputs, { ...h, n: ps.length, scaled: scale != null } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { params: out.slice(0, ps.length), m: out[ps.length], v: out[ps.length + 1] };
}
