// The step-time measurement that 'auto' runs on a software adapter: a finite time on wasm with nothing left
// allocated, and the note the lab shows of what was measured.
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

  it('describes what auto measured', () => {
    expect(measuredNote({ name: 'wasm', isFallbackAdapter: true, adapter: null, measured: { wasm: 74.6, webgpu: Infinity } })).toBe('measured ms/step: wasm 75, webgpu over budget');
    expect(measuredNote({ name: 'cpu', isFallbackAdapter: null, adapter: null, measured: null })).toBeNull();
    expect(measuredNote({ name: 'wasm', isFallbackAdapter: null, adapter: null, measured: null, skipped: ['webgl: software renderer (SwiftShader)'] })).toBe(
      'skipped webgl: software renderer (SwiftShader)',
    );
  });
});
