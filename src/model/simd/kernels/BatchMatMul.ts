// BatchMatMul over tfjs's (asm/matmul.ts): both operands packed, any transpose, into 4×8 panels with f32x4 sums, where
// tfjs-wasm 4.22 sends only unbatched, untransposed products to XNNPACK and runs the rest in a scalar loop.
import * as tf from '@tensorflow/tfjs-core';
import { BatchMatMul, type BatchMatMulAttrs, type BatchMatMulInputs } from '../kernelNames';
import { ensureScratch, type KernelArgs, type LabKernels, type LabOverrideConfig } from '../instance';

// Why (DESIGN §5, issue 13): the attention's [B, H, L, ·] products and their gradients ran at ≈ 1.3–2.7 GFLOP/s, half
// of the student's step. Each output is one float32 sum over k in order: deterministic, and within float32 rounding
// of tfjs's (which orders the sum differently).

const prod = (xs: number[]): number => xs.reduce((p, x) => p * x, 1);
const sameDims = (a: number[], b: number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** The product when it can take it (float32, whole-operand batch broadcasting), else null (tfjs's kernel runs). */
function batchMatMul(s: LabKernels, args: KernelArgs): tf.TensorInfo | null {
  const { a, b } = args.inputs as BatchMatMulInputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = (args.attrs ?? {}) as unknown as BatchMatMulAttrs;
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
  const outer = sameDims(outerA, outerB)
    ? outerA
    : batchA === 1 && outerA.length <= outerB.length
      ? outerB
      : batchB === 1 && outerB.length <= outerA.length
        ? outerA
        : null;
  if (outer == null || Ka !== Kb || M === 0 || N === 0 || Ka === 0) return null;
  const batch = Math.max(batchA, batchB);
  const be = s.backend;
  const aInfo = be.dataIdMap.get(a.dataId);
  const bInfo = be.dataIdMap.get(b.dataId);
  if (aInfo == null || bInfo == null) return null;
  const scratch = ensureScratch(s, s.k.scratchBytes(M, N, Ka));
  const out = be.makeOutput([...outer, M, N], 'float32');
  const oInfo = be.dataIdMap.get(out.dataId)!;
  const [aStride, bStride] = [batchA === 1 ? 0 : M * Ka, batchB === 1 ? 0 : Ka * N];
  const [ta, tb] = [transposeA ? 1 : 0, transposeB ? 1 : 0];
  s.k.matmul(
    aInfo.memoryOffset,
    bInfo.memoryOffset,
    oInfo.memoryOffset,
    batch,
    aStride,
    bStride,
    M,
    N,
    Ka,
    ta,
    tb,
    scratch,
  );
  s.calls++;
  return out;
}

export const batchMatMulConfig: LabOverrideConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul,
};
