// LayerNorm as two wasm kernels of the lab's own (asm/layernorm.ts): the forward writes y, x̂ and 1/σ per row, the
// backward dx, dg and db, one pass over the rows each instead of ~9 and ~12 tfjs kernels (issue 13).
import * as tf from '@tensorflow/tfjs-core';
import { activeKernels, ensureScratch, offsetOf, registerLabKernel } from './wasmKernels';

type Args = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap };
const input = (inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo => {
  const t = inputs[name];
  if (t == null || t.dtype !== 'float32') throw new Error(`LabLayerNorm (wasm): input "${name}" missing or not float32`);
  return t;
};

function forwardKernel({ inputs, attrs }: Args): tf.TensorInfo[] {
  const s = activeKernels()!;
  const [x, g, b] = [input(inputs, 'x'), input(inputs, 'g'), input(inputs, 'b')];
  const d = x.shape[x.shape.length - 1];
  const R = tf.util.sizeFromShape(x.shape) / d;
  const y = s.backend.makeOutput(x.shape.slice(), 'float32');
  const xhat = s.backend.makeOutput(x.shape.slice(), 'float32');
  const rstd = s.backend.makeOutput([R], 'float32');
  const tmp = ensureScratch(s, d * 4 + 16);
  const at = (t: tf.TensorInfo) => offsetOf(s, t, 'LabLayerNorm');
  s.k.layerNormForward(at(x), at(g), at(b), at(y), at(xhat), at(rstd), R, d, (attrs as { eps: number }).eps, tmp);
  return [y, xhat, rstd];
}

function backwardKernel({ inputs }: Args): tf.TensorInfo[] {
  const s = activeKernels()!;
  const [xhat, rstd, g, dy] = [input(inputs, 'xhat'), input(inputs, 'rstd'), input(inputs, 'g'), input(inputs, 'dy')];
  const d = xhat.shape[xhat.shape.length - 1];
  const R = tf.util.sizeFromShape(xhat.shape) / d;
  const dx = s.backend.makeOutput(xhat.shape.slice(), 'float32');
  const dg = s.backend.makeOutput([d], 'float32');
  const db = s.backend.makeOutput([d], 'float32');
  const tmp = ensureScratch(s, d * 4 + 16);
  const at = (t: tf.TensorInfo) => offsetOf(s, t, 'LabLayerNormGrad');
  s.k.layerNormBackward(at(xhat), at(rstd), at(g), at(dy), at(dx), at(dg), at(db), R, d, tmp);
  return [dx, dg, db];
}

/** True when the fused LayerNorm kernels can run (the lab's wasm kernels are active); registers them on first use. */
export function fusedLayerNormReady(): boolean {
  if (activeKernels() == null) return false;
  registerLabKernel('LabLayerNorm', forwardKernel as never);
  registerLabKernel('LabLayerNormGrad', backwardKernel as never);
  return true;
}

/** [y, x̂, rstd] of LayerNorm over x's last axis: y, x̂ x's shape; rstd [rows] = 1/√(σ² + eps). g, b [d]. */
export function layerNormFused(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.engine().runKernel('LabLayerNorm', { x, g, b }, { eps }) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}

/** [dx, dg, db] for the upstream gradient dy (x's shape), from the forward's x̂ and rstd. */
export function layerNormGradFused(xhat: tf.Tensor, rstd: tf.Tensor, g: tf.Tensor, dy: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.engine().runKernel('LabLayerNormGrad', { xhat, rstd, g, dy }, {}) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}
