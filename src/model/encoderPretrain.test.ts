// Stage-0 encoder pretraining: per-patch labels are read from the scene, and the loss falls on a small batch of
// real shapes scenes (the encoder's own weights change; the throwaway heads leave no tensors behind).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/base/rng';
import { generateDataset, getTaskSpec } from '../core/scenes/index';
import { patchHeadClasses, patchLabels } from '../core/scenes/patchLabels';
import { initBackend } from './backend';
import { encodeAll, initEncoder } from './encoder';
import { pretrainEncoder, rescaleEncoderOutput } from './encoderPretrain';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('patchLabels', () => {
  it('labels each object cell and leaves empty cells at 0', () => {
    const spec = getTaskSpec('shapes');
    const ds = generateDataset({
      task: 'shapes',
      seed: 3,
      sizes: { trainLabeled: 5, trainUnlabeled: 0, val: 0, test: 0 },
    });
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
    const ds = generateDataset({
      task: 'shapes',
      seed: 4,
      sizes: { trainLabeled: 8, trainUnlabeled: 0, val: 0, test: 0 },
    });
    const cfg = { height: 24, width: 24, channels: 3, patch: 8, dV: 8, layers: 1, heads: 2 };
    const enc = initEncoder(cfg, new Rng(1));
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    await pretrainEncoder(cfg, enc, ds.images, patchLabels(ds.scenes, spec), patchHeadClasses(spec), {
      steps: 30,
      batch: 8,
      lr: 2e-2,
      seed: 1,
      onStep: (_s, l) => losses.push(l),
    });
    expect(losses[losses.length - 1]).toBeLessThan(0.5 * losses[0]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('rescaleEncoderOutput', () => {
  it('scales every feature by one factor so the mean patch norm is the target', async () => {
    const ds = generateDataset({
      task: 'shapes',
      seed: 5,
      sizes: { trainLabeled: 6, trainUnlabeled: 0, val: 0, test: 0 },
    });
    const cfg = { height: 24, width: 24, channels: 3, patch: 8, dV: 8, layers: 1, heads: 2 };
    const enc = initEncoder(cfg, new Rng(2));
    tf.tidy(() => enc['encoder.lnf.b'].assign(tf.fill([8], 0.3))); // a non-zero bias must scale too
    const f0 = encodeAll(cfg, enc, ds.images);
    const x0 = f0.dataSync().slice();
    f0.dispose();
    const before = tf.memory().numTensors;
    const s = await rescaleEncoderOutput(cfg, enc, ds.images, 0.25);
    expect(tf.memory().numTensors).toBe(before);
    const f1 = encodeAll(cfg, enc, ds.images); // [6, 9, 8]
    const x1 = f1.dataSync();
    f1.dispose();
    let norms = 0;
    for (let r = 0; r < x1.length / 8; r++) norms += Math.hypot(...x1.slice(r * 8, r * 8 + 8));
    expect(norms / (x1.length / 8)).toBeCloseTo(0.25, 4);
    for (let i = 0; i < x1.length; i++) expect(x1[i]).toBeCloseTo(s * x0[i], 5);
    await expect(rescaleEncoderOutput(cfg, enc, ds.images, 0)).rejects.toThrow(/target norm/);
  });
});
