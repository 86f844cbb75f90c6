// LabGelu (asm/gelu.ts geluForward): exact GELU y = ½x(1 + erf(x/√2)) with e = 1 + erf(x/√2) and φ(x) kept for the
// backward, one f32x4 pass instead of ~8 kernels (erf A&S 7.1.26, |error| ≤ 1.5e-7; exp a Cephes polynomial).
import * as tf from '@tensorflow/tfjs-core';
import { LabGelu } from '../kernelNames';
import { float32Input, type KernelArgs, labKernelsFor, offsetOf } from '../instance';

function labGelu({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const s = labKernelsFor(backend, LabGelu);
  const x = float32Input(inputs, 'x', LabGelu);
  const y = s.backend.makeOutput(x.shape.slice(), 'float32');
  const e = s.backend.makeOutput(x.shape.slice(), 'float32');
  const pdf = s.backend.makeOutput(x.shape.slice(), 'float32');
  const at = (t: tf.TensorInfo) => offsetOf(s, t, LabGelu);
  s.k.geluForward(at(x), at(y), at(e), at(pdf), tf.util.sizeFromShape(x.shape));
  return [y, e, pdf];
}

export const labGeluConfig: tf.KernelConfig = {
  kernelName: LabGelu,
  backendName: 'wasm',
  kernelFunc: labGelu as unknown as tf.KernelFunc,
};
