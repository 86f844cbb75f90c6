// Finite-difference check of every loss term's gradient through a tiny mini-LLaVA (cpu, float32, central
// differences on the largest-gradient coordinates of each parameter group; loose relative tolerance).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeepPartial, TrainConfig } from '../core/config/config';
import { Rng } from '../core/base/rng';
import { initBackend } from './backend';
import { initEncoder } from './encoder';
import { disposeParams, type Params } from './params';
import { Trainer } from './train/trainer';
import { syntheticData, TINY_ENC, tinyConfig, tinyModel } from './testing/tiny';

const m = tinyModel();
const data = syntheticData(TINY_ENC, m, { N: 8, labeled: 6, targets: 'both', hiddenDim: 24, topK: 4 });
const batch = [0, 1, 2, 3, 6, 7];
const EPS = 1e-3;
const ZERO = { ce: 0, seq: 0, kd: 0, hidden: 0, affinity: 0, attention: 0 };

let enc: Params;
beforeAll(async () => {
  await initBackend('cpu');
  enc = initEncoder(TINY_ENC, new Rng(1));
});
afterAll(() => disposeParams(enc));

async function check(patch: DeepPartial<TrainConfig>, opts: { trainEncoder?: boolean } = {}) {
  const own = opts.trainEncoder ? initEncoder(TINY_ENC, new Rng(4)) : enc;
  const tr = new Trainer({
    model: m,
    encoder: { config: TINY_ENC, params: own },
    config: tinyConfig(patch),
    data,
    trainEncoder: opts.trainEncoder,
  });
  const grads = await tr.gradients(batch);
  const vars: Params = { ...tr.params, ...(tr.phi ?? {}), ...(opts.trainEncoder ? own : {}) };
  // per parameter group (encoder, projector, lm, phi): the largest-gradient coordinate of its two largest params
  const best = Object.entries(grads)
    .map(([name, g]) => {
      let j = 0;
      for (let i = 1; i < g.length; i++) if (Math.abs(g[i]) > Math.abs(g[j])) j = i;
      return { name, j, g: g[j] };
    })
    .filter((p) => p.g !== 0)
    .sort((a, b) => Math.abs(b.g) - Math.abs(a.g));
  const picks = ['encoder.', 'projector.', 'lm.', 'phi.'].flatMap((root) =>
    best.filter((p) => p.name.startsWith(root)).slice(0, 2),
  );
  expect(picks.some((p) => p.name.startsWith('projector.'))).toBe(true);
  if (opts.trainEncoder) expect(picks.some((p) => p.name.startsWith('encoder.'))).toBe(true);
  for (const { name, j, g } of picks) {
    const v = vars[name];
    const base = (v.dataSync() as Float32Array).slice();
    const at = async (delta: number) => {
      const x = base.slice();
      x[j] += delta;
      setTo(v, x);
      return (await tr.evalTerms(batch)).total;
    };
    const hi = await at(EPS);
    const fd = (hi - (await at(-EPS))) / (2 * EPS);
    const noise = (8 * Math.abs(hi) * 2 ** -23) / (2 * EPS); // a few float32 ulps of the total, through the difference
    setTo(v, base);
    expect(Math.abs(fd - g), `${name}[${j}]: fd ${fd} vs analytic ${g}`).toBeLessThan(
      5e-2 * Math.max(Math.abs(g), Math.abs(fd)) + noise + 1e-6,
    );
  }
  tr.dispose();
  if (opts.trainEncoder) disposeParams(own);
}

function setTo(v: tf.Variable, x: Float32Array): void {
  tf.tidy(() => v.assign(tf.tensor(x, v.shape, 'float32')));
}

describe('finite-difference gradients through the model (cpu)', () => {
  it('ce', () => check({ weights: { ...ZERO, ce: 1 } }));
  it('ce with the encoder training (teacher build)', () =>
    check({ weights: { ...ZERO, ce: 1 } }, { trainEncoder: true }));
  it('seqCE (second forward on differing teacher answers)', () => check({ weights: { ...ZERO, seq: 1 } }));
  it('kd fkl dense', () => check({ weights: { ...ZERO, kd: 1 } }));
  it('kd jsd, T = 2, T², normLogits', () =>
    check({ weights: { ...ZERO, kd: 1 }, kd: { divergence: 'jsd', T: 2, t2: true, normLogits: true } }));
  it('kd srkl top-K renorm', () =>
    check({ weights: { ...ZERO, kd: 1 }, kd: { divergence: 'srkl', topKMode: 'renorm', topK: 3 } }));
  it('kd rkl top-K tail', () =>
    check({ weights: { ...ZERO, kd: 1 }, kd: { divergence: 'rkl', topKMode: 'tail', topK: 4 } }));
  it('kd mse', () => check({ weights: { ...ZERO, kd: 1 }, kd: { divergence: 'mse' } }));
  it('hidden mse', () => check({ weights: { ...ZERO, hidden: 1 } }));
  it('hidden cosine', () => check({ weights: { ...ZERO, hidden: 1 }, hiddenMode: 'cosine' }));
  it('affinity', () => check({ weights: { ...ZERO, affinity: 1 } }));
  it('attention', () => check({ weights: { ...ZERO, attention: 1 } }));
  it('all terms weighted', () =>
    check({ weights: { ce: 1, seq: 0.5, kd: 2, hidden: 0.3, affinity: 1, attention: 3 } }));
});
