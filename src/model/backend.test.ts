// Backend selection in Node: cpu and wasm initialise, gradients are registered, the wasm
// threaded build stays off, and a backend that cannot start fails with a message naming it.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { backendInfo, initBackend } from './backend';

describe('initBackend (Node)', () => {
  it('selects cpu and registers gradients', async () => {
    expect(await initBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.getGradient('Sum')).toBeDefined();
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor1d([1, 2]));
    expect(Array.from(g.dataSync())).toEqual([2, 4]);
  });

  it('selects wasm single-threaded', async () => {
    await initBackend('cpu');
    expect(await initBackend('wasm')).toBe('wasm');
    expect(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(false);
    expect(backendInfo()).toMatchObject({ name: 'wasm', isFallbackAdapter: null });
  });

  it('wasm one-hot trap: float32 one-hot must be built as int32 and cast', async () => {
    await initBackend('wasm');
    const ids = tf.tensor1d([1, 0], 'int32');
    expect(Array.from(tf.cast(tf.oneHot(ids, 3), 'float32').dataSync())).toEqual([0, 1, 0, 1, 0, 0]);
  });

  it('names the backend that cannot start', async () => {
    await expect(initBackend('webgpu')).rejects.toThrow(/webgpu/);
    await initBackend('cpu');
  });
});
