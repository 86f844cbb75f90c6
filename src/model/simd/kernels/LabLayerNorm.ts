// LabLayerNorm (asm/layernorm.ts layerNormForward): LayerNorm over the last axis writing y, x̂ and 1/σ per row in one
// pass over the rows, instead of ~9 tfjs kernels (issue 13).
import * as tf from '@tensorflow/tfjs-core';
import { LabLayerNorm, type LabLayerNormAttrs } from '../kernelNames';
import { ensureScratch, float32Input, type KernelArgs, labKernelsFor, offsetOf } from '../instance';

function labLayerNorm({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const s = labKernelsFor(backend, LabLayerNorm);
  const [x, g, b] = ['x', 'g', 'b'].map((name) => float32Input(inputs, name, LabLayerNorm));
  const d = x.shape[x.shape.length - 1];
  const R = tf.util.sizeFromShape(x.shape) / d;
  const y = s.backend.makeOutput(x.shape.slice(), 'float32');
  const xhat = s.backend.makeOutput(x.shape.slice(), 'float32');
  const rstd = s.backend.makeOutput([R], 'float32');
  const tmp = ensureScratch(s, d * 4 + 16);
  const at = (t: tf.TensorInfo) => offsetOf(s, t, LabLayerNorm);
  const { eps } = attrs as unknown as LabLayerNormAttrs;
  s.k.layerNormForward(at(x), at(g), at(b), at(y), at(xhat), at(rstd), R, d, eps, tmp);
  return [y, xhat, rstd];
}

export const labLayerNormConfig: tf.KernelConfig = {
  kernelName: LabLayerNorm,
  backendName: 'wasm',
  kernelFunc: labLayerNorm as unknown as tf.KernelFunc,
};
