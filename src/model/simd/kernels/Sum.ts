// Sum over tfjs's (asm/elementwise.ts colSum): a float32 sum over leading axes — a bias gradient, an unbroadcast — as
// column sums, without tfjs's transpose; other axes go to tfjs's kernel.
import * as tf from '@tensorflow/tfjs-core';
import { Sum, type SumAttrs } from '../kernelNames';
import { type KernelArgs, type LabKernels, type LabOverrideConfig, offsetOf } from '../instance';

function sum(s: LabKernels, args: KernelArgs): tf.TensorInfo | null {
  const x = args.inputs.x;
  if (x == null || x.dtype !== 'float32' || x.shape.length < 2) return null;
  const { axis, keepDims } = (args.attrs ?? {}) as unknown as SumAttrs;
  const axes = [...tf.util.parseAxisParam(axis, x.shape)].sort((p, q) => p - q);
  const r = axes.length;
  if (r === 0 || r >= x.shape.length || axes.some((ax, i) => ax !== i)) return null;
  const R = tf.util.sizeFromShape(x.shape.slice(0, r));
  const C = tf.util.sizeFromShape(x.shape.slice(r));
  const shape = keepDims ? [...axes.map(() => 1), ...x.shape.slice(r)] : x.shape.slice(r);
  const out = s.backend.makeOutput(shape, 'float32');
  s.k.colSum(offsetOf(s, x, Sum), offsetOf(s, out, Sum), R, C);
  return out;
}

export const sumConfig: LabOverrideConfig = { kernelName: Sum, backendName: 'wasm', kernelFunc: sum };
