// Identity over tfjs's (tf.clone, the tensors a custom gradient saves): the same data under one more reference, as
// Reshape does, instead of tfjs-wasm's copy; tensors are immutable and no kernel writes into an input.
import type * as tf from '@tensorflow/tfjs-core';
import { Identity } from '../kernelNames';
import type { KernelArgs, LabKernels, LabOverrideConfig } from '../instance';

function identity(s: LabKernels, args: KernelArgs): tf.TensorInfo | null {
  const x = args.inputs.x;
  if (x == null || x.dtype === 'string') return null;
  s.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
}

export const identityConfig: LabOverrideConfig = { kernelName: Identity, backendName: 'wasm', kernelFunc: identity };
