// The custom-gradient layers against tfjs autograd of their plain formulas (same inputs, same upstream gradient):
// forward values equal, gradients within float32 rounding, on cpu and wasm, and no tensor left behind.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/base/rng';
import { initBackend } from './backend';
import { concatAddPos, gelu, layerNorm, linear, slice } from './layers';

const rnd = (rng: Rng, shape: number[], scale = 1) =>
  tf.tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * scale),
    shape,
  );
const close = (a: tf.Tensor, b: tf.Tensor, tol: number) => {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i])));
  expect(worst).toBeLessThan(tol);
};

/** Compare f (custom) and ref (plain tfjs ops) in value and in the gradient of Σ u·f(xs) w.r.t. every input. */
function compare(
  xs: tf.Tensor[],
  f: (...a: tf.Tensor[]) => tf.Tensor,
  ref: (...a: tf.Tensor[]) => tf.Tensor,
  tol = 1e-5,
) {
  const n0 = tf.memory().numTensors;
  tf.tidy(() => {
    const y = f(...xs);
    const yr = ref(...xs);
    close(y, yr, 1e-6);
    const u = rnd(new Rng(7), y.shape);
    const g = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), u)))(xs);
    const gr = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(ref(...a), u)))(xs);
    g.forEach((t, i) => close(t, gr[i], tol));
  });
  expect(tf.memory().numTensors).toBe(n0);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`custom-gradient layers on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });
    const rng = new Rng(3);

    it('linear (with bias, without, with a residual) = x·W + b (+ res)', () => {
      const x = rnd(rng, [4, 5, 6]);
      const w = rnd(rng, [6, 3]);
      const b = rnd(rng, [3]);
      const r = rnd(rng, [4, 5, 3]);
      compare(
        [x, w, b],
        (a, c, e) => linear(a, c, e),
        (a, c, e) =>
          tf.reshape(tf.add(tf.matMul(tf.reshape(a, [-1, 6]) as tf.Tensor2D, c as tf.Tensor2D), e), [4, 5, 3]),
      );
      compare(
        [x, w],
        (a, c) => linear(a, c),
        (a, c) => tf.reshape(tf.matMul(tf.reshape(a, [-1, 6]) as tf.Tensor2D, c as tf.Tensor2D), [4, 5, 3]),
      );
      compare(
        [x, w, b, r],
        (a, c, e, q) => linear(a, c, e, { res: q }),
        (a, c, e, q) =>
          tf.add(
            q,
            tf.reshape(tf.add(tf.matMul(tf.reshape(a, [-1, 6]) as tf.Tensor2D, c as tf.Tensor2D), e), [4, 5, 3]),
          ),
      );
    });

    it('layerNorm = (x − mean)/sqrt(var + 1e-5)·g + b', () => {
      const x = rnd(rng, [3, 7, 8], 2);
      const g = rnd(rng, [8]);
      const b = rnd(rng, [8]);
      const ref = (a: tf.Tensor, c: tf.Tensor, e: tf.Tensor) => {
        const xc = tf.sub(a, tf.mean(a, -1, true));
        return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), 1e-5))), c), e);
      };
      compare([x, g, b], layerNorm, ref, 2e-5);
    });

    it('gelu = ½x(1 + erf(x/√2))', () => {
      const x = rnd(rng, [5, 9], 2);
      compare([x], gelu, (a) => tf.mul(tf.mul(a, 0.5), tf.add(tf.erf(tf.mul(a, Math.SQRT1_2)), 1)));
    });

    it('slice and concat + positions', () => {
      const x = rnd(rng, [2, 6, 4]);
      compare(
        [x],
        (a) => slice(a, [0, 2, 0], [2, 3, 4]),
        (a) => tf.slice(a, [0, 2, 0], [2, 3, 4]),
      );
      const p1 = rnd(rng, [2, 3, 4]);
      const p2 = rnd(rng, [2, 5, 4]);
      const pos = rnd(rng, [8, 4]);
      compare(
        [p1, p2, pos],
        (a, c, e) => concatAddPos([a, c], e),
        (a, c, e) => tf.add(tf.concat([a, c], 1), e),
      );
    });
  });
}
