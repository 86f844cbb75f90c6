// Tests of the tfjs losses against the float64 reference (src/core/kd/kdRef.ts) on the cpu and wasm backends:
// random cases over every option, named edge cases and tensor-leak checks (gradients: lossGradients.test.ts).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIVERGENCES } from '../core/config/config';
import * as ref from '../core/kd/kdRef';
import { Rng } from '../core/base/rng';
import { ensureGradients } from './backend';
import {
  base,
  type DenseCase,
  denseCases,
  KLS,
  lse64,
  refDense,
  refTopk,
  row,
  runDense,
  runTopk,
  type TopkCase,
  topkCases,
  topkOf,
} from './testing/lossCases';
import {
  affinityLoss,
  attentionLoss,
  cePerRow,
  divergencePerRow,
  hiddenPerRow,
  maskedMean,
  truncateTeacherTopK,
} from './losses';

const tol = (a: number, r: number) => Math.abs(a - r) <= 1e-4 + 1e-3 * Math.abs(r);
/** Run fn inside tf.tidy, read its result, and assert no tensor outlives the call. */
function leakFree(fn: () => tf.Tensor): number[] {
  const before = tf.memory().numTensors;
  const v = tf.tidy(() => Array.from(fn().dataSync()));
  expect(tf.memory().numTensors).toBe(before);
  return v;
}

function expectClose(got: number[], want: number[], what: string) {
  expect(got.length).toBe(want.length);
  got.forEach((a, i) => {
    if (!tol(a, want[i])) throw new Error(`${what}[${i}]: tfjs ${a} vs ref ${want[i]}`);
  });
}

const DENSE = denseCases();
const TOPK = topkCases();

describe.each(['cpu', 'wasm'])('losses on %s', (backend) => {
  beforeAll(async () => {
    await ensureGradients();
    expect(await tf.setBackend(backend)).toBe(true);
    await tf.ready();
  });

  it(`${DENSE.length} dense cases match the float64 reference`, () => {
    for (const c of DENSE)
      expectClose(
        leakFree(() => runDense(c)),
        refDense(c),
        JSON.stringify(c.o),
      );
  });

  it(`${TOPK.length} top-K cases (renorm, tail; K = 1, V/3, V) match the reference`, () => {
    for (const c of TOPK)
      expectClose(
        leakFree(() => runTopk(c)),
        refTopk(c),
        `${c.mode} K=${c.ids[0].length} V=${c.zs[0].length} ${JSON.stringify(c.o)}`,
      );
  });

  it('identical inputs give 0 for every loss; uniform rows too', () => {
    const rng = new Rng(5);
    const z = [row(rng, 9, 3), Array(9).fill(2)];
    for (const divergence of DIVERGENCES) {
      for (const normLogits of [false, true]) {
        const v = leakFree(() =>
          divergencePerRow(tf.tensor2d(z), tf.tensor2d(z), { ...base, divergence, normLogits, T: 0.5 }),
        );
        v.forEach((x) => expect(Math.abs(x)).toBeLessThan(1e-5));
        const o = { ...base, divergence, normLogits, T: 0.5 };
        const g = tf.tidy(() =>
          Array.from(
            tf
              .grad((x: tf.Tensor) => tf.sum(divergencePerRow(x as tf.Tensor2D, tf.tensor2d(z), o)))(tf.tensor2d(z))
              .dataSync(),
          ),
        );
        g.forEach((x) => expect(Number.isFinite(x)).toBe(true)); // incl. the constant row under normLogits
      }
    }
    // uniform student against a random teacher: plain reference values
    const c: DenseCase = { o: { ...base, divergence: 'jsd' }, zs: [Array(9).fill(0)], zt: [row(rng, 9, 2)] };
    expectClose(
      leakFree(() => runDense(c)),
      refDense(c),
      'uniform',
    );
  });

  it('peaked ±60 logits stay finite in values and gradients (T = 0.1 and 1, dense and top-K)', () => {
    const zs = [
      [60, -60, -60, 0, 60],
      [-60, -60, 60, -60, -60],
    ];
    const zt = [
      [-60, 60, 0, -60, -60],
      [60, -60, -60, 60, -60],
    ];
    for (const divergence of DIVERGENCES) {
      for (const T of [0.1, 1]) {
        const o = { ...base, divergence, T, t2: true };
        const c: DenseCase = { o, zs, zt };
        expectClose(
          leakFree(() => runDense(c)),
          refDense(c),
          `peaked ${divergence} T=${T}`,
        );
        const g = tf.tidy(() =>
          Array.from(
            tf
              .grad((x: tf.Tensor) => tf.sum(divergencePerRow(x as tf.Tensor2D, tf.tensor2d(zt), o)))(tf.tensor2d(zs))
              .dataSync(),
          ),
        );
        g.forEach((x) => expect(Number.isFinite(x)).toBe(true));
        if (divergence === 'mse') continue;
        for (const mode of ['renorm', 'tail'] as const) {
          if (mode === 'tail' && T !== 1) continue;
          for (const K of [1, 3, 5]) {
            const t = zt.map((r) => topkOf(r, K));
            const tc: TopkCase = {
              o,
              mode,
              zs,
              ids: t.map((x) => x.ids),
              logits: t.map((x) => x.logits),
              lse: t.map((x) => x.lse),
            };
            expectClose(
              leakFree(() => runTopk(tc)),
              refTopk(tc),
              `peaked ${mode} K=${K} ${divergence}`,
            );
            const gt = tf.tidy(() =>
              Array.from(
                tf
                  .grad((x: tf.Tensor) => tf.sum(runTopk(tc, x as tf.Tensor2D)))(tf.tensor2d(zs))
                  .dataSync(),
              ),
            );
            gt.forEach((x) => expect(Number.isFinite(x)).toBe(true));
          }
        }
      }
    }
  });

  it('K = 1 renorm is 0; K = V tail and renorm equal dense', () => {
    const rng = new Rng(3);
    const zs = [row(rng, 7, 2)];
    const zt = [row(rng, 7, 2)];
    for (const divergence of KLS) {
      const o = { ...base, divergence };
      const t1 = topkOf(zt[0], 1);
      const v1 = leakFree(() =>
        runTopk({ o: { ...o, T: 2 }, mode: 'renorm', zs, ids: [t1.ids], logits: [t1.logits], lse: [t1.lse] }),
      );
      expect(Math.abs(v1[0])).toBeLessThan(1e-6);
      const dense = leakFree(() => runDense({ o, zs, zt }));
      const tv = topkOf(zt[0], 7);
      for (const mode of ['renorm', 'tail'] as const) {
        const v = leakFree(() => runTopk({ o, mode, zs, ids: [tv.ids], logits: [tv.logits], lse: [tv.lse] }));
        expect(Math.abs(v[0] - dense[0])).toBeLessThan(1e-4 + 1e-3 * Math.abs(dense[0]));
      }
    }
  });

  it('truncateTeacherTopK keeps sorted ids, their logits and the full lse', () => {
    const zt = [
      [0.5, 3, -1, 2],
      [1, 1.5, 4, 0],
    ];
    const x = tf.tensor2d(zt);
    const before = tf.memory().numTensors;
    const t = truncateTeacherTopK(x, 2);
    expect(tf.memory().numTensors).toBe(before + 3); // only the three results outlive the call
    const out = [Array.from(t.ids.dataSync()), Array.from(t.logits.dataSync()), Array.from(t.lse.dataSync())];
    tf.dispose([t.ids, t.logits, t.lse, x]);
    expect(out[0]).toEqual([1, 3, 2, 1]);
    expect(out[1]).toEqual([3, 2, 4, 1.5]);
    expectClose(out[2], zt.map(lse64), 'lse');
  });

  it('cePerRow, hiddenPerRow, affinityLoss, attentionLoss match the reference', () => {
    const rng = new Rng(9);
    const z = [row(rng, 6, 3), row(rng, 6, 3), [60, -60, 0, 0, 0, 0]];
    const tg = [0, 5, 1];
    expectClose(
      leakFree(() => cePerRow(tf.tensor2d(z), tf.tensor1d(tg, 'int32'))),
      z.map((r, i) => ref.ceRow(r, tg[i])),
      'ce',
    );
    const a = [row(rng, 5, 1), row(rng, 5, 1), [0, 0, 0, 0, 0]];
    const b = [row(rng, 5, 1), row(rng, 5, 1), row(rng, 5, 1)];
    for (const mode of ['mse', 'cosine'] as const) {
      expectClose(
        leakFree(() => hiddenPerRow(tf.tensor2d(a), tf.tensor2d(b), mode)),
        a.map((x, i) => ref.hiddenRow(x, b[i], mode)),
        mode,
      );
    }
    const B = 3,
      P = 4,
      A = 3,
      d = 5;
    const img = Array.from({ length: B }, () => Array.from({ length: P }, () => row(rng, d, 1)));
    const ans = Array.from({ length: B }, () => Array.from({ length: A }, () => row(rng, d, 1)));
    const St = Array.from({ length: B }, () => Array.from({ length: P }, () => row(rng, A, 0.5)));
    const As = Array.from({ length: B }, () => Array.from({ length: A }, () => row(rng, P, 0.3)));
    const At = Array.from({ length: B }, () => Array.from({ length: A }, () => row(rng, P, 0.3)));
    for (const mask of [
      [
        [1, 1, 0],
        [1, 0, 0],
        [0, 0, 0],
      ],
      [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ],
      [
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
      ],
    ]) {
      // pooled over the batch: Σ_b mean_b·count_b / Σ_b count_b
      const pooled = (f: (b: number) => number) => {
        let s = 0,
          n = 0;
        for (let i = 0; i < B; i++) {
          const c = mask[i].reduce((x, y) => x + y, 0) * P;
          s += f(i) * c;
          n += c;
        }
        return n ? s / n : 0;
      };
      const wantAff = pooled((i) => ref.affinityLoss(img[i], ans[i], St[i], mask[i]));
      expectClose(
        leakFree(() => affinityLoss(tf.tensor3d(img), tf.tensor3d(ans), tf.tensor3d(St), tf.tensor2d(mask))),
        [wantAff],
        'affinity',
      );
      const wantAtt = pooled((i) => ref.attentionLoss(As[i], At[i], mask[i]));
      expectClose(
        leakFree(() => attentionLoss(tf.tensor3d(As), tf.tensor3d(At), tf.tensor2d(mask))),
        [wantAtt],
        'attention',
      );
    }
  });

  it('maskedMean ignores masked rows (even non-finite), empty mask → 0 with a finite gradient', () => {
    const v = [1, 2, Number.NaN, 4];
    expect(leakFree(() => maskedMean(tf.tensor1d(v), tf.tensor1d([1, 1, 0, 0])))[0]).toBeCloseTo(1.5, 6);
    expect(leakFree(() => maskedMean(tf.tensor1d(v), tf.tensor1d([0, 0, 0, 0])))[0]).toBe(0);
    expect(ref.maskedMean([1, 2, 3, 4], [0, 1, 0, 1])).toBeCloseTo(
      leakFree(() => maskedMean(tf.tensor1d([1, 2, 3, 4]), tf.tensor1d([0, 1, 0, 1])))[0],
      6,
    );
    const g = tf.tidy(() =>
      Array.from(
        tf
          .grad((x: tf.Tensor) => maskedMean(x as tf.Tensor1D, tf.tensor1d([0, 0, 0])))(tf.tensor1d([1, 2, 3]))
          .dataSync(),
      ),
    );
    expect(g).toEqual([0, 0, 0]);
  });
});
