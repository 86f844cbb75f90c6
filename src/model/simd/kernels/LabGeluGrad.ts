// LabGeluGrad (asm/gelu.ts geluBackward): GELU's gradient dx = dy·(½e + x·φ(x)) from LabGelu's e and φ, one f32x4
// pass instead of ~8 kernels; within float32 rounding of tfjs's Erf/Exp formulation.
import * as tf from '@tensorflow/tfjs-core';
import { LabGeluGrad } from '../kernelNames';
import { float32Input, type KernelArgs, labKernelsFor, offsetOf } from '../instance';

function labGeluGrad({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const s = labKernelsFor(backend, LabGeluGrad);
  const [x, e, pdf, dy] = ['x', 'e', 'pdf', 'dy'].map((name) => float32Input(inputs, name, LabGeluGrad));
  const dx = s.backend.makeOutput(x.shape.slice(), 'float32');
  const at = (t: tf.TensorInfo) => offsetOf(s, t, LabGeluGrad);
  s.k.geluBackward(at(x), at(e), at(pdf), at(dy), at(dx), tf.util.sizeFromShape(x.shape));
  return dx;
}

export const labGeluGradConfig: tf.KernelConfig = {
  kernelName: LabGeluGrad,
  backendName: 'wasm',
  kernelFunc: labGeluGrad as unknown as tf.KernelFunc,
};
