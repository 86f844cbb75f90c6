// Tests of the tfjs losses against the float64 reference (src/core/kd/kdRef.ts) on the cpu and wasm backends:
// random cases over every option, named edge cases, finite-difference gradients and tensor-leak checks.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIVERGENCES, type Divergence } from '../core/config/config';
import * as ref from '../core/kd/kdRef';
import { Rng } from '../core/base/rng';
import { ensureGradients } from './backend';
import {
  affinityLoss,
  attentionLoss,
  cePerRow,
  divergencePerRow,
  hiddenPerRow,
  maskedMean,
  topkDivergencePerRow,
  truncateTeacherTopK,
  type DivOptions,
} from './losses';

const KLS = DIVERGENCES.filter((d) => d !== 'mse');
const f32 = Math.fround;
const base: DivOptions = { divergence: 'fkl', T: 1, t2: false, normLogits: false, beta: 0.5, alpha: 0.1 };
const tol = (a: number, r: number) => Math.abs(a - r) <= 1e-4 + 1e-3 * Math.abs(r);
const row = (rng: Rng, V: number, s: number) => Array.from({ length: V }, () => f32(s * rng.normal()));
const lse64 = (z: number[]) => {
  const m = Math.max(...z);
  return m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
};
function topkOf(zt: number[], K: number) {
  const ids = zt
    .map((_, i) => i)
    .sort((a, b) => zt[b] - zt[a])
    .slice(0, K);
  return { ids, logits: ids.map((i) => zt[i]), lse: f32(lse64(zt)) };
}

interface DenseCase {
  o: DivOptions;
  zs: number[][];
  zt: number[][];
}
interface TopkCase {
  o: DivOptions;
  mode: 'renorm' | 'tail';
  zs: number[][];
  ids: number[][];
  logits: number[][];
  lse: number[];
}

/** Every divergence × {t2, normLogits} × 4 random draws of V, T, scale, β, α: 112 dense cases of 2 rows. */
function denseCases(): DenseCase[] {
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
function topkCases(): TopkCase[] {
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

const refDense = (c: DenseCase) => c.zs.map((zs, r) => ref.divergenceRow(zs, c.zt[r], c.o));
const refTopk = (c: TopkCase) =>
  c.zs.map((zs, r) => ref.topkDivergenceRow(zs, c.ids[r], c.logits[r], c.lse[r], c.o, c.mode));
const runDense = (c: DenseCase) => divergencePerRow(tf.tensor2d(c.zs), tf.tensor2d(c.zt), c.o);
const runTopk = (c: TopkCase, zs: tf.Tensor2D = tf.tensor2d(c.zs)) =>
  topkDivergencePerRow(
    zs,
    tf.tensor2d(c.ids, undefined, 'int32'),
    tf.tensor2d(c.logits),
    tf.tensor1d(c.lse),
    c.o,
    c.mode,
  );

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

// ---- finite-difference gradient checks (cpu): tf.grad vs central differences of the float64 reference ----

/** Central differences of a float64 function of a flat vector (eps 1e-5 in float64). */
function fdGrad(f: (x: number[]) => number, x: number[], eps = 1e-5): number[] {
  return x.map((_, i) => {
    const p = x.slice();
    const m = x.slice();
    p[i] += eps;
    m[i] -= eps;
    return (f(p) - f(m)) / (2 * eps);
  });
}

function expectGrad(got: number[], want: number[], what: string) {
  const scale = Math.max(1e-3, ...want.map(Math.abs));
  got.forEach((g, i) => {
    if (Math.abs(g - want[i]) > 2e-2 * scale)
      throw new Error(`${what} grad[${i}]: tf.grad ${g} vs finite difference ${want[i]}`);
  });
}

const reshape = (x: number[], R: number, C: number) => Array.from({ length: R }, (_, r) => x.slice(r * C, (r + 1) * C));

describe('gradients (cpu) match finite differences of the reference', () => {
  beforeAll(async () => {
    await ensureGradients();
    expect(await tf.setBackend('cpu')).toBe(true);
  });
  const rng = new Rng(31);
  const V = 5;
  const zs = [row(rng, V, 1), row(rng, V, 1)];
  const zt = [row(rng, V, 1.5), row(rng, V, 1.5)];
  const flat = zs.flat();
  const gradOf = (fn: (x: tf.Tensor2D) => tf.Tensor, x: number[][]) => {
    const before = tf.memory().numTensors;
    const g = tf.tidy(() =>
      Array.from(
        tf
          .grad((t: tf.Tensor) => tf.sum(fn(t as tf.Tensor2D)))(tf.tensor2d(x))
          .dataSync(),
      ),
    );
    expect(tf.memory().numTensors).toBe(before);
    return g;
  };

  it.each(
    DIVERGENCES.flatMap(
      (d) =>
        [
          [d, false],
          [d, true],
        ] as [Divergence, boolean][],
    ),
  )('dense %s (normLogits %s)', (divergence, normLogits) => {
    const o: DivOptions = { ...base, divergence, normLogits, T: 2, t2: true, beta: 0.3, alpha: 0.2 };
    const f = (x: number[]) => reshape(x, 2, V).reduce((s, r, i) => s + ref.divergenceRow(r, zt[i], o), 0);
    expectGrad(
      gradOf((x) => divergencePerRow(x, tf.tensor2d(zt), o), zs),
      fdGrad(f, flat),
      divergence,
    );
  });

  it.each(
    KLS.flatMap(
      (d) =>
        [
          [d, 'renorm'],
          [d, 'tail'],
        ] as [Divergence, 'renorm' | 'tail'][],
    ),
  )('top-K %s %s', (divergence, mode) => {
    const o: DivOptions = { ...base, divergence, T: mode === 'tail' ? 1 : 2, t2: true, alpha: 0.2 };
    const t = zt.map((r) => topkOf(r, 2));
    const c: TopkCase = {
      o,
      mode,
      zs,
      ids: t.map((x) => x.ids),
      logits: t.map((x) => x.logits),
      lse: t.map((x) => x.lse),
    };
    const f = (x: number[]) =>
      reshape(x, 2, V).reduce((s, r, i) => s + ref.topkDivergenceRow(r, c.ids[i], c.logits[i], c.lse[i], o, mode), 0);
    expectGrad(
      gradOf((x) => runTopk(c, x), zs),
      fdGrad(f, flat),
      `${mode} ${divergence}`,
    );
  });

  it('cross-entropy', () => {
    const tg = [3, 0];
    const f = (x: number[]) => reshape(x, 2, V).reduce((s, r, i) => s + ref.ceRow(r, tg[i]), 0);
    expectGrad(
      gradOf((x) => cePerRow(x, tf.tensor1d(tg, 'int32')), zs),
      fdGrad(f, flat),
      'ce',
    );
  });

  it.each(['mse', 'cosine'] as const)('hidden %s', (mode) => {
    const f = (x: number[]) => reshape(x, 2, V).reduce((s, r, i) => s + ref.hiddenRow(r, zt[i], mode), 0);
    expectGrad(
      gradOf((x) => hiddenPerRow(x, tf.tensor2d(zt), mode), zs),
      fdGrad(f, flat),
      mode,
    );
  });

  it('affinity (w.r.t. image and answer states) and attention', () => {
    const P = 3,
      A = 2,
      d = 4;
    const img = Array.from({ length: P }, () => row(rng, d, 1));
    const ans = Array.from({ length: A }, () => row(rng, d, 1));
    const St = Array.from({ length: P }, () => row(rng, A, 0.5));
    const mask = [1, 1];
    const t3 = (x: number[][]) => tf.tensor3d([x]);
    const gImg = gradOf(
      (x) => affinityLoss(tf.expandDims(x, 0) as tf.Tensor3D, t3(ans), t3(St), tf.tensor2d([mask])),
      img,
    );
    expectGrad(
      gImg,
      fdGrad((x) => ref.affinityLoss(reshape(x, P, d), ans, St, mask), img.flat()),
      'affinity img',
    );
    const gAns = gradOf(
      (x) => affinityLoss(t3(img), tf.expandDims(x, 0) as tf.Tensor3D, t3(St), tf.tensor2d([mask])),
      ans,
    );
    expectGrad(
      gAns,
      fdGrad((x) => ref.affinityLoss(img, reshape(x, A, d), St, mask), ans.flat()),
      'affinity ans',
    );
    const As = Array.from({ length: A }, () => row(rng, P, 0.3));
    const At = Array.from({ length: A }, () => row(rng, P, 0.3));
    const gAtt = gradOf((x) => attentionLoss(tf.expandDims(x, 0) as tf.Tensor3D, t3(At), tf.tensor2d([[1, 0]])), As);
    expectGrad(
      gAtt,
      fdGrad((x) => ref.attentionLoss(reshape(x, A, P), At, [1, 0]), As.flat()),
      'attention',
    );
  });
});
