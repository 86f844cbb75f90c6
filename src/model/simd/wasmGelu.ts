// Exact GELU as two wasm kernels of the lab's own (asm/gelu.ts): forward y = ½x(1 + erf(x/√2)) with e = 1 + erf(x/√2)
// and φ(x) kept for the backward, and the gradient dy·(½e + x·φ(x)), one f32x4 pass each instead of ~8 kernels each.
import * as tf from '@tensorflow/tfjs-core';
import { activeKernels, offsetOf, registerLabKernel } from './wasmKernels';

// erf is Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7) and exp a Cephes polynomial, both in f32x4: within float32
// rounding of tfjs's Erf and Exp kernels, which the forward and backward used to dispatch (issue 13).

type Args = { inputs: tf.NamedTensorInfoMap };
const input = (inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo => {
  const t = inputs[name];
  if (t == null || t.dtype !== 'float32') throw new Error(`LabGelu (wasm): input "${name}" missing or not float32`);
  return t;
};

function forwardKernel({ inputs }: Args): tf.TensorInfo[] {
  const s = activeKernels()!;
  const x = input(inputs, 'x');
  const y = s.backend.makeOutput(x.shape.slice(), 'float32');
  const e = s.backend.makeOutput(x.shape.slice(), 'float32');
  const pdf = s.backend.makeOutput(x.shape.slice(), 'float32');
  const at = (t: tf.TensorInfo) => offsetOf(s, t, 'LabGelu');
  s.k.geluForward(at(x), at(y), at(e), at(pdf), tf.util.sizeFromShape(x.shape));
  return [y, e, pdf];
}

function backwardKernel({ inputs }: Args): tf.TensorInfo {
  const s = activeKernels()!;
  const [x, e, pdf, dy] = [input(inputs, 'x'), input(inputs, 'e'), input(inputs, 'pdf'), input(inputs, 'dy')];
  const dx = s.backend.makeOutput(x.shape.slice(), 'float32');
  const at = (t: tf.TensorInfo) => offsetOf(s, t, 'LabGeluGrad');
  s.k.geluBackward(at(x), at(e), at(pdf), at(dy), at(dx), tf.util.sizeFromShape(x.shape));
  return dx;
}

/** True when the fused GELU kernels can run (the lab's wasm kernels are active); registers them on first use. */
export function fusedGeluReady(): boolean {
  if (activeKernels() == null) return false;
  registerLabKernel('LabGelu', forwardKernel as never);
  registerLabKernel('LabGeluGrad', backwardKernel as never);
  return true;
}

/** [y, e, φ]: y = ½x·e, e = 1 + erf(x/√2), φ = exp(−x²/2)/√(2π), each x's shape (float32). */
export function geluFused(x: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.engine().runKernel('LabGelu', { x }, {}) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}

/** dx = dy·(½e + x·φ) for e and φ from geluFused. */
export function geluGradFused(x: tf.Tensor, e: tf.Tensor, pdf: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel('LabGeluGrad', { x, e, pdf, dy }, {}) as tf.Tensor;
}
