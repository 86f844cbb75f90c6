// The lab's views of the KD term agree with the trainer's: the heatmap's per-row divergences (one sample, a grid of
// samples) and the val KD average to Trainer.evalTerms' KD on the same batch — dense, top-K, tail, online teacher.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeepPartial, TrainConfig } from '../core/config/config';
import { Rng } from '../core/base/rng';
import { initBackend } from './backend';
import { initEncoder } from './encoder';
import { alignmentOf, divergenceGrid, valTerms } from './inspect';
import { initLlava } from './llava';
import { disposeParams, type Params } from './params';
import { Trainer } from './train/trainer';
import type { TrainData } from './train/data';
import { syntheticData, TINY_ENC, tinyConfig, tinyModel } from './testing/tiny';

const m = tinyModel();
const tm = tinyModel({ d: 24 });
const both = syntheticData(TINY_ENC, m, { N: 16, labeled: 12, targets: 'both', hiddenDim: 24, topK: 6 });
const topOnly: TrainData = { ...both, targets: { ...both.targets, logits: undefined } };
const batch = [0, 2, 5, 9, 13, 15];

let enc: Params;
let teacher: { config: typeof tm; params: Params };

beforeAll(async () => {
  await initBackend('cpu');
  enc = initEncoder(TINY_ENC, new Rng(1));
  teacher = { config: tm, params: initLlava(tm, new Rng(2)) };
});
afterAll(() => {
  disposeParams(enc);
  disposeParams(teacher.params);
});

function make(data: TrainData, patch: DeepPartial<TrainConfig>): Trainer {
  return new Trainer({
    model: m,
    encoder: { config: TINY_ENC, params: enc },
    config: tinyConfig(patch),
    data,
    teacher,
  });
}

/** Mean of the finite entries (the views write NaN after <eos>, where the trainer's mask is 0). */
function finiteMean(xs: ArrayLike<number>): number {
  const v = Array.from(xs).filter(Number.isFinite);
  expect(v.length).toBeGreaterThan(0);
  return v.reduce((a, b) => a + b, 0) / v.length;
}

const CASES: [string, TrainData, DeepPartial<TrainConfig>][] = [
  ['dense cache, fKL at T 2', both, { kd: { divergence: 'fkl', T: 2, t2: true } }],
  ['dense cache truncated to top-3 (renorm)', both, { kd: { divergence: 'rkl', topKMode: 'renorm', topK: 3 } }],
  [
    'top-K cache (K 6) read at top-3, renorm',
    topOnly,
    { kd: { divergence: 'jsd', topKMode: 'renorm', topK: 3, T: 2 } },
  ],
  ['top-K cache read at top-3, tail', topOnly, { kd: { topKMode: 'tail', topK: 3 } }],
  ['online teacher (dense)', both, { kd: { divergence: 'fkl', source: 'online', T: 3 } }],
];

describe('inspect views vs the trainer KD term', () => {
  for (const [name, data, patch] of CASES) {
    it(`${name}: heatmap rows, the alignment grid and the val KD average to the trainer's KD`, async () => {
      const tr = make(data, { ...patch, weights: { ce: 1, kd: 1 } });
      tr.step(batch).values.dispose(); // a trained student, not the init
      const want = (await tr.evalTerms(batch)).kd;
      const kd = tr.config.kd;
      const grid = await divergenceGrid(m, tr.params, tr.features!, data, batch, kd, teacher);
      expect(finiteMean(grid)).toBeCloseTo(want, 5);
      const rows: number[] = [];
      for (const n of batch)
        rows.push(...(await alignmentOf(m, tr.params, tr.features!, data, n, kd, 4, teacher)).divergence);
      expect(finiteMean(rows)).toBeCloseTo(want, 5);
      const labeled = batch.filter((n) => data.labeled.includes(n));
      const val = await valTerms(m, tr.params, tr.features!, data, labeled, kd, { ce: 1, kd: 1 }, teacher);
      expect(val[2]).toBeCloseTo((await tr.evalTerms(labeled)).kd, 5);
      tr.dispose();
    });
  }

  it('shows no values (NaN) where the trainer refuses the config, instead of another divergence', async () => {
    const tr = make(topOnly, { kd: { topKMode: 'renorm', topK: 3 } });
    const dense = { ...tr.config.kd, topKMode: 'dense' as const }; // the trainer throws on dense vs a top-K cache
    const grid = await divergenceGrid(m, tr.params, tr.features!, topOnly, batch, dense);
    expect(Array.from(grid).every(Number.isNaN)).toBe(true);
    const al = await alignmentOf(m, tr.params, tr.features!, topOnly, 0, dense, 4);
    expect(Array.from(al.divergence).every(Number.isNaN)).toBe(true);
    expect(al.k).toBe(4); // the teacher's tokens are still listed
    expect(Array.from(al.teacher).every(Number.isFinite)).toBe(true);
    tr.dispose();
  });
});
