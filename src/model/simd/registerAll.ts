// Every kernel config of the lab's, listed once and registered once at init (installWasmKernels), as tfjs-backend-wasm
// does in register_all_kernels: the overrides wrapped over tfjs's own wasm kernels, then the lab's own kernels.
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, labKernelsOf, type LabOverrideConfig } from './instance';
import { batchMatMulConfig } from './kernels/BatchMatMul';
import { expConfig } from './kernels/Exp';
import { identityConfig } from './kernels/Identity';
import { labAdamConfig } from './kernels/LabAdam';
import { labGeluConfig } from './kernels/LabGelu';
import { labGeluGradConfig } from './kernels/LabGeluGrad';
import { labLayerNormConfig } from './kernels/LabLayerNorm';
import { labLayerNormGradConfig } from './kernels/LabLayerNormGrad';
import { labLinearConfig } from './kernels/LabLinear';
import { labSumSquaresConfig } from './kernels/LabSumSquares';
import { sumConfig } from './kernels/Sum';

/** Kernels of the lab's over tfjs's: they run where the instance's mode is 'all' and they apply, tfjs's otherwise. */
export const overrideConfigs: readonly LabOverrideConfig[] = [batchMatMulConfig, sumConfig, expConfig, identityConfig];

/** Kernels of the lab's own (names tfjs does not have), called only while the lab's kernels are active. */
export const labKernelConfigs: readonly tf.KernelConfig[] = [
  labLinearConfig,
  labGeluConfig,
  labGeluGradConfig,
  labLayerNormConfig,
  labLayerNormGradConfig,
  labSumSquaresConfig,
  labAdamConfig,
];

/** A registered override: tfjs's kernel it wraps is kept on it (and marks it as the lab's). */
type WrappedConfig = tf.KernelConfig & { readonly stock: tf.KernelConfig };

/** `config` over tfjs's `stock`: the lab's result when the backend's instance is active and it applies, else tfjs's. */
function wrap(config: LabOverrideConfig, stock: tf.KernelConfig): WrappedConfig {
  const kernelFunc = (args: KernelArgs) => {
    const s = labKernelsOf(args.backend);
    const mine = s != null && s.mode !== 'off' ? config.kernelFunc(s, args) : null;
    return mine ?? (stock.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo);
  };
  // tfjs's setupFunc stays: a re-initialised wasm backend sets tfjs's kernel up again for the fallback.
  const { kernelName, backendName } = config;
  return {
    kernelName,
    backendName,
    setupFunc: stock.setupFunc,
    disposeFunc: stock.disposeFunc,
    kernelFunc: kernelFunc as unknown as tf.KernelFunc,
    stock,
  };
}

/**
 * Register every config of the lists on wasm (call once the wasm backend is imported). Each registration happens
 * once per process, whoever calls: an override already wrapped, or a lab kernel already there, is left as it is.
 */
export function registerAllLabKernels(): void {
  for (const config of overrideConfigs) {
    const stock = tf.getKernel(config.kernelName, config.backendName);
    if (stock == null || 'stock' in stock) continue; // not loaded, or already the lab's
    tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(wrap(config, stock));
  }
  for (const config of labKernelConfigs) {
    if (tf.getKernel(config.kernelName, config.backendName) == null) tf.registerKernel(config);
  }
}
