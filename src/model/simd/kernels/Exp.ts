// Exp over tfjs's (asm/elementwise.ts expArray): a float32 exp as an f32x4 Cephes polynomial, where tfjs-wasm runs a
// scalar expf loop; other dtypes go to tfjs's kernel.
import * as tf from '@tensorflow/tfjs-core';
import { Exp } from '../kernelNames';
import { type KernelArgs, type LabKernels, type LabOverrideConfig, offsetOf } from '../instance';

function exp(s: LabKernels, args: KernelArgs): tf.TensorInfo | null {
  const x = args.inputs.x;
  if (x == null || x.dtype !== 'float32') return null;
  const out = s.backend.makeOutput(x.shape.slice(), 'float32');
  s.k.expArray(offsetOf(s, x, Exp), offsetOf(s, out, Exp), tf.util.sizeFromShape(x.shape));
  return out;
}

export const expConfig: LabOverrideConfig = { kernelName: Exp, backendName: 'wasm', kernelFunc: exp };
