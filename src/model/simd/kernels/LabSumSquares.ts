// LabSumSquares (asm/adam.ts sumSquares): Σ g² over every gradient of a step (inputs g0 … g(n−1)), summed in float32
// in order, as one scalar: the global-norm clip's input in one kernel.
import * as tf from '@tensorflow/tfjs-core';
import { LabSumSquares, type LabSumSquaresAttrs } from '../kernelNames';
import { i32Tables, type KernelArgs, labKernelsFor, offsetOf, requiredInput } from '../instance';

function labSumSquares({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const s = labKernelsFor(backend, LabSumSquares);
  const { n } = attrs as unknown as LabSumSquaresAttrs;
  const at = (t: tf.TensorInfo) => offsetOf(s, t, LabSumSquares);
  const gs = Array.from({ length: n }, (_, i) => requiredInput(inputs, `g${i}`, LabSumSquares));
  const out = s.backend.makeOutput([], 'float32');
  const [ptrs, lens] = i32Tables(s, [gs.map(at), gs.map((g) => tf.util.sizeFromShape(g.shape))]);
  const sum = s.k.sumSquares(ptrs, lens, n);
  new Float32Array(s.backend.wasm.asm.memory.buffer, at(out), 1)[0] = sum;
  return out;
}

export const labSumSquaresConfig: tf.KernelConfig = {
  kernelName: LabSumSquares,
  backendName: 'wasm',
  kernelFunc: labSumSquares as unknown as tf.KernelFunc,
};
