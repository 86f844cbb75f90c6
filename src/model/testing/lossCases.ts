// Test cases of the losses (src/model/losses.ts): seeded random dense and top-K cases over every divergence and
// option, the float64 reference (src/core/kd/kdRef.ts) and the tfjs losses run on them. Shared by the losses tests.
import * as tf from '@tensorflow/tfjs-core';
import { DIVERGENCES } from '../../core/config/config';
import * as ref from '../../core/kd/kdRef';
import { Rng } from '../../core/base/rng';
import { divergencePerRow, type DivOptions, topkDivergencePerRow } from '../losses';

export const KLS = DIVERGENCES.filter((d) => d !== 'mse');
export const f32 = Math.fround;
export const base: DivOptions = { divergence: 'fkl', T: 1, t2: false, normLogits: false, beta: 0.5, alpha: 0.1 };
export const row = (rng: Rng, V: number, s: number) => Array.from({ length: V }, () => f32(s * rng.normal()));
export const lse64 = (z: number[]) => {
  const m = Math.max(...z);
  return m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
};
export function topkOf(zt: number[], K: number) {
  const ids = zt
    .map((_, i) => i)
    .sort((a, b) => zt[b] - zt[a])
    .slice(0, K);
  return { ids, logits: ids.map((i) => zt[i]), lse: f32(lse64(zt)) };
}

export interface DenseCase {
  o: DivOptions;
  zs: number[][];
  zt: number[][];
}
export interface TopkCase {
  o: DivOptions;
  mode: 'renorm' | 'tail';
  zs: number[][];
  ids: number[][];
  logits: number[][];
  lse: number[];
}

/** Every divergence × {t2, normLogits} × 4 random draws of V, T, scale, β, α: 112 dense cases of 2 rows. */
export function denseCases(): DenseCase[] {
  const rng = new Rng(2024);
  const out: DenseCase[] = [];
  for (const divergence of DIVERGENCES) {
    for (const t2 of [false, true]) {
      for (const normLogits of [false, true]) {
        for (let rep = 0; rep < 4; rep++) {
          const V = rng.pick([2, 7, 33, 128]);
          const s = rng.pick([0.1, 1, 5, 20]);
          const o: DivOptions = {
            divergence,
            t2,
            normLogits,
            T: rng.pick([0.1, 0.5, 1, 2, 5]),
            beta: rng.pick([0.1, 0.5, 0.9]),
            alpha: rng.pick([0, 0.1, 0.5, 0.9]),
          };
          out.push({ o, zs: [row(rng, V, s), row(rng, V, s)], zt: [row(rng, V, s), row(rng, V, s)] });
        }
      }
    }
  }
  return out;
}

/** Every divergence but mse × {renorm, tail} × K ∈ {1, mid, V} × 2 draws: 72 top-K cases of 2 rows. */
export function topkCases(): TopkCase[] {
  const rng = new Rng(77);
  const out: TopkCase[] = [];
  for (const divergence of KLS) {
    for (const mode of ['renorm', 'tail'] as const) {
      for (const kind of ['one', 'mid', 'all'] as const) {
        for (let rep = 0; rep < 2; rep++) {
          const V = rng.pick([2, 7, 33, 128]);
          const K = kind === 'one' ? 1 : kind === 'all' ? V : Math.max(1, Math.floor(V / 3));
          const s = rng.pick([0.1, 1, 5, 20]);
          const o: DivOptions = {
            divergence,
            normLogits: false,
            t2: rng.next() < 0.5,
            T: mode === 'tail' ? 1 : rng.pick([0.1, 0.5, 1, 2, 5]),
            beta: rng.pick([0.1, 0.5, 0.9]),
            alpha: rng.pick([0, 0.1, 0.5]),
          };
          const zs = [row(rng, V, s), row(rng, V, s)];
          const t = [topkOf(row(rng, V, s), K), topkOf(row(rng, V, s), K)];
          out.push({ o, mode, zs, ids: t.map((x) => x.ids), logits: t.map((x) => x.logits), lse: t.map((x) => x.lse) });
        }
      }
    }
  }
  return out;
}

export const refDense = (c: DenseCase) => c.zs.map((zs, r) => ref.divergenceRow(zs, c.zt[r], c.o));
export const refTopk = (c: TopkCase) =>
  c.zs.map((zs, r) => ref.topkDivergenceRow(zs, c.ids[r], c.logits[r], c.lse[r], c.o, c.mode));
export const runDense = (c: DenseCase) => divergencePerRow(tf.tensor2d(c.zs), tf.tensor2d(c.zt), c.o);
export const runTopk = (c: TopkCase, zs: tf.Tensor2D = tf.tensor2d(c.zs)) =>
  topkDivergencePerRow(
    zs,
    tf.tensor2d(c.ids, undefined, 'int32'),
    tf.tensor2d(c.logits),
    tf.tensor1d(c.lse),
    c.o,
    c.mode,
  );
