// LabLayerNormGrad (asm/layernorm.ts layerNormBackward): LayerNorm's dx, dg and db from the forward's x̂ and rstd in
// one pass over the rows, instead of ~12 tfjs kernels (issue 13).
import * as tf from '@tensorflow/tfjs-core';
import { LabLayerNormGrad } from '../kernelNames';
import { ensureScratch, float32Input, type KernelArgs, labKernelsFor, offsetOf } from '../instance';

function labLayerNormGrad({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const s = labKernelsFor(backend, LabLayerNormGrad);
  const [xhat, rstd, g, dy] = ['xhat', 'rstd', 'g', 'dy'].map((name) => float32Input(inputs, name, LabLayerNormGrad));
  const d = xhat.shape[xhat.shape.length - 1];
  const R = tf.util.sizeFromShape(xhat.shape) / d;
  const dx = s.backend.makeOutput(xhat.shape.slice(), 'float32');
  const dg = s.backend.makeOutput([d], 'float32');
  const db = s.backend.makeOutput([d], 'float32');
  const tmp = ensureScratch(s, d * 4 + 16);
  const at = (t: tf.TensorInfo) => offsetOf(s, t, LabLayerNormGrad);
  s.k.layerNormBackward(at(xhat), at(rstd), at(g), at(dy), at(dx), at(dg), at(db), R, d, tmp);
  return [dx, dg, db];
}

export const labLayerNormGradConfig: tf.KernelConfig = {
  kernelName: LabLayerNormGrad,
  backendName: 'wasm',
  kernelFunc: labLayerNormGrad as unknown as tf.KernelFunc,
};
