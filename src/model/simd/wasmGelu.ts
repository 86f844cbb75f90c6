// Exact GELU as two wasm kernels of the lab's own (asm/gelu.ts): forward y = ½x(1 + erf(x/√2)) with e = 1 + erf(x/√2)
// kept for the backward, and the gradient dy·(½e + x·φ(x)), each one f32x4 pass instead of ~8 elementwise kernels.
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
  s.k.geluForward(offsetOf(s, x, 'LabGelu'), offsetOf(s, y, 'LabGelu'), offsetOf(s, e, 'LabGelu'), tf.util.sizeFromShape(x.shape));
  return [y, e];
}

function backwardKernel({ inputs }: Args): tf.TensorInfo {
  const s = activeKernels()!;
  const [x, e, dy] = [input(inputs, 'x'), input(inputs, 'e'), input(inputs, 'dy')];
  const dx = s.backend.makeOutput(x.shape.slice(), 'float32');
  s.k.geluBackward(offsetOf(s, x, 'LabGeluGrad'), offsetOf(s, e, 'LabGeluGrad'), offsetOf(s, dy, 'LabGeluGrad'), offsetOf(s, dx, 'LabGeluGrad'), tf.util.sizeFromShape(x.shape));
  return dx;
}

/** True when the fused GELU kernels can run (the lab's wasm kernels are active); registers them on first use. */
export function fusedGeluReady(): boolean {
  if (activeKernels() == null) return false;
  registerLabKernel('LabGelu', forwardKernel as never);
  registerLabKernel('LabGeluGrad', backwardKernel as never);
  return true;
}

/** [y, e]: y = ½x·e, e = 1 + erf(x/√2), both x's shape (float32). */
export function geluFused(x: tf.Tensor): [tf.Tensor, tf.Tensor] {
  return tf.engine().runKernel('LabGelu', { x }, {}) as unknown as [tf.Tensor, tf.Tensor];
}

/** dx = dy·(½e + x·φ(x)) for e from geluFused. */
export function geluGradFused(x: tf.Tensor, e: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel('LabGeluGrad', { x, e, dy }, {}) as tf.Tensor;
}
