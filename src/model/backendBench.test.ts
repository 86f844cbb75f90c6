// The step-time measurement that 'auto' runs in the backend probe: a finite time on wasm with nothing left
// allocated, and the note the lab shows of the backend in use.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { measuredNote, measureStepMs } from './backendBench';

describe('measureStepMs (Node wasm)', () => {
  it('times student steps and frees what it built', async () => {
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    const ms = await measureStepMs();
    expect(ms).toBeGreaterThan(0);
    expect(Number.isFinite(ms)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('describes the backend in use for the badge', () => {
    expect(measuredNote({ name: 'wasm', isFallbackAdapter: null, adapter: null, kernels: 'lab SIMD (matmul)' })).toBe(
      'kernels: lab SIMD (matmul)',
    );
    expect(measuredNote({ name: 'cpu', isFallbackAdapter: null, adapter: null, kernels: null })).toBeNull();
  });
});
