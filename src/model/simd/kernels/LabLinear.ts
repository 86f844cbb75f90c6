// LabLinear (asm/matmul.ts + asm/elementwise.ts biasResidual): y = res + (x·W + b) in one kernel, in tfjs's order,
// for x [R, n], W [n, m], b [m] and res [R, m] optional.
import * as tf from '@tensorflow/tfjs-core';
import { LabLinear, type LabLinearInputs } from '../kernelNames';
import { ensureScratch, type KernelArgs, labKernelsFor, offsetOf } from '../instance';

function labLinear({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const s = labKernelsFor(backend, LabLinear);
  const { x, w, bias, res } = inputs as LabLinearInputs;
  if (x == null || w == null || x.shape.length !== 2 || w.shape.length !== 2 || x.shape[1] !== w.shape[0]) {
    throw new Error(`${LabLinear} (wasm): expected x [R, n] and W [n, m]`);
  }
  const [R, n] = x.shape;
  const m = w.shape[1];
  const out = s.backend.makeOutput([R, m], 'float32');
  const scratch = ensureScratch(s, s.k.scratchBytes(R, m, n));
  const at = (t: tf.TensorInfo) => offsetOf(s, t, LabLinear);
  s.k.matmul(at(x), at(w), at(out), 1, 0, 0, R, m, n, 0, 0, scratch);
  if (bias != null || res != null) s.k.biasResidual(at(out), bias ? at(bias) : 0, res ? at(res) : 0, R, m);
  return out;
}

export const labLinearConfig: tf.KernelConfig = {
  kernelName: LabLinear,
  backendName: 'wasm',
  kernelFunc: labLinear as unknown as tf.KernelFunc,
};
