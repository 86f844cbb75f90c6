// Gradient checks of the losses on the cpu backend: tf.grad of every divergence (dense and top-K), cross-entropy,
// hidden, affinity and attention against central finite differences of the float64 reference (src/core/kd/kdRef.ts).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIVERGENCES, type Divergence } from '../core/config/config';
import * as ref from '../core/kd/kdRef';
import { Rng } from '../core/base/rng';
import { ensureGradients } from './backend';
import { affinityLoss, attentionLoss, cePerRow, divergencePerRow, type DivOptions, hiddenPerRow } from './losses';
import { base, KLS, row, runTopk, type TopkCase, topkOf } from './testing/lossCases';

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
