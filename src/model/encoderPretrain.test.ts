// Stage-0 encoder pretraining: per-patch labels are read from the scene, and the loss falls on a small batch of
// real shapes scenes (the encoder's own weights change; the throwaway heads leave no tensors behind).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/rng';
import { generateDataset, getTaskSpec } from '../core/scenes';
import { patchHeadClasses, patchLabels } from '../core/scenes/patchLabels';
import { initBackend } from './backend';
import { initEncoder } from './encoder';
import { pretrainEncoder } from './encoderPretrain';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('patchLabels', () => {
  it('labels each object cell and leaves empty cells at 0', () => {
    const spec = getTaskSpec('shapes');
    const ds = generateDataset({ task: 'shapes', seed: 3, sizes: { trainLabeled: 5, trainUnlabeled: 0, val: 0, test: 0 } });
    const lab = patchLabels(ds.scenes, spec);
    const P = spec.grid * spec.grid;
    ds.scenes.forEach((s, n) => {
      const filled = new Set(s.objects.map((o) => o.row * spec.grid + o.col));
      for (let p = 0; p < P; p++) {
        const colour = lab[(n * P + p) * 4];
        expect(colour > 0).toBe(filled.has(p));
      }
    });
  });
});

describe('pretrainEncoder', () => {
  it('lowers the per-patch loss and frees its heads', async () => {
    const spec = getTaskSpec('shapes');
    const ds = generateDataset({ task: 'shapes', seed: 4, sizes: { trainLabeled: 8, trainUnlabeled: 0, val: 0, test: 0 } });
    const cfg = { height: 24, width: 24, channels: 3, patch: 8, dV: 8, layers: 1, heads: 2 };
    const enc = initEncoder(cfg, new Rng(1));
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    await pretrainEncoder(cfg, enc, ds.images, patchLabels(ds.scenes, spec), patchHeadClasses(spec), {
      steps: 30, batch: 8, lr: 2e-2, seed: 1, onStep: (_s, l) => losses.push(l),
    });
    expect(losses[losses.length - 1]).toBeLessThan(0.5 * losses[0]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
