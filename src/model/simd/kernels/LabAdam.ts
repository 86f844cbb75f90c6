// LabAdam (asm/adam.ts adamUpdate): Adam's whole update — moments, bias correction, the non-finite guard — in one pass
// writing each parameter's new tensor: the same float32 operations in the same order as Adam.apply's tfjs formulation.
import * as tf from '@tensorflow/tfjs-core';
import { LabAdam, type LabAdamAttrs } from '../kernelNames';
import { i32Tables, type KernelArgs, labKernelsFor, offsetOf, requiredInput } from '../instance';

// Why (issue 13): over flat buffers Adam.apply was still ~25 kernels a step (two Concats, a SplitV, a Tile of the
// guard to [Σ size], three Selects, ~15 elementwise passes), ~10 % of the student's step on wasm.

function labAdam({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const s = labKernelsFor(backend, LabAdam);
  const a = attrs as unknown as LabAdamAttrs;
  const n = a.n;
  const need = (name: string) => requiredInput(inputs, name, LabAdam);
  const at = (t: tf.TensorInfo) => offsetOf(s, t, LabAdam);
  const gs = Array.from({ length: n }, (_, i) => need(`g${i}`));
  const ps = Array.from({ length: n }, (_, i) => need(`p${i}`));
  const [m, v, ok] = [need('m'), need('v'), need('ok')];
  const outs = ps.map((p) => s.backend.makeOutput(p.shape.slice(), 'float32'));
  const mOut = s.backend.makeOutput(m.shape.slice(), 'float32');
  const vOut = s.backend.makeOutput(v.shape.slice(), 'float32');
  const sizes = ps.map((p) => tf.util.sizeFromShape(p.shape));
  const [gP, pP, oP, lens] = i32Tables(s, [gs.map(at), ps.map(at), outs.map(at), sizes]);
  const scale = a.scaled ? at(need('scale')) : 0;
  const [bc1, bc2] = [1 - a.beta1 ** a.t, 1 - a.beta2 ** a.t];
  s.k.adamUpdate(
    gP,
    pP,
    oP,
    lens,
    n,
    at(m),
    at(v),
    at(mOut),
    at(vOut),
    at(ok),
    scale,
    a.beta1,
    1 - a.beta1,
    a.beta2,
    1 - a.beta2,
    bc1,
    bc2,
    a.epsilon,
    a.lr,
  );
  return [...outs, mOut, vOut];
}

export const labAdamConfig: tf.KernelConfig = {
  kernelName: LabAdam,
  backendName: 'wasm',
  kernelFunc: labAdam as unknown as tf.KernelFunc,
};
