// Adam's own test (as tfjs-core's adam_optimizer_test.ts): two updates derived by hand, agreement with tf.train.adam,
// the per-parameter step count, clipping, the state round trip, and the tensor count per group (flat across steps).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam } from './adam';
import { initBackend } from './backend';

const LR = 0.1;
const B1 = 0.9;
const B2 = 0.999;
const EPS = 1e-7;

/** Host values of a variable. */
const vals = (x: tf.Tensor) => Array.from(x.dataSync());

/** One Adam.apply with host gradients (keyed by name); the gradient tensors are disposed afterwards. */
function applyHost(adam: Adam, vars: Record<string, tf.Variable>, g: Record<string, number[]>): void {
  const grads: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(g)) grads[k] = tf.tensor(v, vars[k].shape);
  adam.apply(grads, vars).dispose(); // apply returns the global gradient norm
  tf.dispose(Object.values(grads));
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`Adam on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });

    it('matches two updates derived by hand (m, v, bias correction, ε)', () => {
      // p0 = [1, −2, 0.5, 3] as [2, 2]; lr 0.1, β1 0.9, β2 0.999, ε 1e-7; g1 = [0.5, −0.25, 1e-7, 0].
      // Step t = 1:  m1 = (1−β1)·g1 = [0.05, −0.025, 1e-8, 0];  v1 = (1−β2)·g1² = [2.5e-4, 6.25e-5, 1e-17, 0]
      //   m̂ = m1/(1−β1¹) = g1;  v̂ = v1/(1−β2¹) = g1², √v̂ = |g1|;  update = lr·m̂/(√v̂+ε) = 0.1·g/(|g|+1e-7)
      //   = [0.1·0.5/0.5000001, −0.1·0.25/0.2500001, 0.1·1e-7/2e-7, 0] = [0.09999998, −0.09999996, 0.05, 0]
      //   (ε is visible at |g| = ε: the update is half of lr) → p1 = [0.90000002, −1.90000004, 0.45, 3]
      // Step t = 2, g2 = [0.5, 0.25, 0, 0]:
      //   m2 = 0.9·m1 + 0.1·g2 = [0.095, 0.0025, 9e-9, 0];  v2 = 0.999·v1 + 0.001·g2² = [4.9975e-4, 1.249375e-4, 9.99e-18, 0]
      //   1−β1² = 0.19, 1−β2² = 0.001999:  m̂ = [0.5, 0.0131578947, 4.73684211e-8, 0];  v̂ = [0.25, 0.0625, 4.9975e-15, 0]
      //   √v̂ = [0.5, 0.25, 7.0692989e-8, 0];  update = [0.09999998, 0.00526316, 0.02775065, 0]
      //   → p2 = [0.80000004, −1.9052632, 0.42224935, 3]
      const p = { w: tf.variable(tf.tensor2d([1, -2, 0.5, 3], [2, 2])) };
      const adam = new Adam(LR, B1, B2, EPS);
      applyHost(adam, p, { w: [0.5, -0.25, 1e-7, 0] });
      [0.90000002, -1.90000004, 0.45, 3].forEach((x, i) => expect(vals(p.w)[i]).toBeCloseTo(x, 6));
      applyHost(adam, p, { w: [0.5, 0.25, 0, 0] });
      [0.80000004, -1.9052632, 0.42224935, 3].forEach((x, i) => expect(vals(p.w)[i]).toBeCloseTo(x, 6));
      adam.dispose();
      p.w.dispose();
    });

    it('agrees with tf.train.adam (explicit ε) over 20 steps within 1e-6', () => {
      const shape = [3, 5];
      const init = Array.from({ length: 15 }, (_, i) => Math.sin(i + 1));
      const ours = { w: tf.variable(tf.tensor(init, shape)) };
      const theirs = tf.variable(tf.tensor(init, shape));
      const adam = new Adam(0.01, B1, B2, EPS);
      const ref = tf.train.adam(0.01, B1, B2, EPS);
      for (let s = 0; s < 20; s++) {
        const g = Array.from({ length: 15 }, (_, i) => Math.cos(0.7 * s + 1.3 * i) * (i % 4 === 0 ? 1e-6 : 1)); // some |g| ≈ ε
        applyHost(adam, ours, { w: g });
        const gt = tf.tensor(g, shape);
        ref.applyGradients([{ name: theirs.name, tensor: gt }]);
        gt.dispose();
      }
      const a = vals(ours.w);
      const b = vals(theirs);
      a.forEach((x, i) => expect(Math.abs(x - b[i])).toBeLessThan(1e-6));
      adam.dispose();
      ref.dispose();
      ours.w.dispose();
      theirs.dispose();
    });

    it('keeps a step count per parameter: a parameter without a gradient is skipped', async () => {
      const p = { a: tf.variable(tf.tensor1d([1, 1])), b: tf.variable(tf.tensor1d([1])) };
      const adam = new Adam(LR, B1, B2, EPS);
      applyHost(adam, p, { a: [1, -1], b: [2] });
      applyHost(adam, p, { a: [1, -1] }); // b has no gradient: untouched, its t stays 1
      const b1 = vals(p.b)[0];
      expect(b1).toBeCloseTo(1 - (LR * 2) / (2 + EPS), 6);
      const t = Object.fromEntries(
        (await adam.state()).filter((s) => s.name.endsWith('/t')).map((s) => [s.name, s.data[0]]),
      );
      expect(t).toEqual({ 'a/t': 2, 'b/t': 1 });
      // b's next step is its own t = 2, whatever a's count: m = 0.9·0.2 + 0.1·g, bias 1 − 0.9².
      applyHost(adam, p, { b: [2] });
      const m2 = 0.9 * 0.2 + 0.1 * 2;
      const v2 = 0.999 * 0.004 + 0.001 * 4;
      expect(vals(p.b)[0]).toBeCloseTo(b1 - (LR * (m2 / 0.19)) / (Math.sqrt(v2 / 0.001999) + EPS), 6);
      adam.dispose();
      tf.dispose(Object.values(p));
    });

    it('round-trips its state: a loaded copy takes the same next step', async () => {
      const init = [0.3, -0.7, 1.1];
      const a = { w: tf.variable(tf.tensor1d(init)) };
      const adam = new Adam(LR, B1, B2, EPS);
      applyHost(adam, a, { w: [0.2, -0.4, 0.1] });
      applyHost(adam, a, { w: [0.1, 0.3, -0.2] });
      const copy = { w: tf.variable(a.w.clone()) };
      const restored = new Adam(LR, B1, B2, EPS);
      restored.load(await adam.state());
      applyHost(adam, a, { w: [-0.5, 0.05, 0.6] });
      applyHost(restored, copy, { w: [-0.5, 0.05, 0.6] });
      expect(vals(copy.w)).toEqual(vals(a.w));
      expect(() => restored.load([{ name: 'w/x', shape: [1], data: new Float32Array(1) }])).toThrow(/w\/x/);
      adam.dispose();
      restored.dispose();
      tf.dispose([a.w, copy.w]);
    });

    it('clips by the global norm over every parameter and returns that norm', async () => {
      const p = { a: tf.variable(tf.zeros([1])), b: tf.variable(tf.zeros([1])) };
      const adam = new Adam(LR, B1, B2, EPS);
      const grads = { a: tf.tensor([3]), b: tf.tensor([4]) }; // ‖g‖ = 5
      const norm = adam.apply(grads, p, 1);
      expect(vals(norm)[0]).toBeCloseTo(5, 6);
      const st = Object.fromEntries((await adam.state()).map((x) => [x.name, x.data[0]]));
      // g is scaled by 1 / max(5, 1) = 0.2 before the moments: m = (1 − β1) · 0.2 · g, v = (1 − β2) · (0.2 · g)².
      expect(st['a/m']).toBeCloseTo(0.1 * 0.6, 6);
      expect(st['b/m']).toBeCloseTo(0.1 * 0.8, 6);
      expect(st['b/v']).toBeCloseTo(0.001 * 0.64, 8);
      tf.dispose([norm, ...Object.values(grads), ...Object.values(p)]);
      adam.dispose();
    });

    // The moments of parameters that step together live in one flat buffer each (one fused update per group).
    it('holds two tensors (m, v) per group of parameters with one step count, flat across steps, none after dispose', () => {
      const p = {
        a: tf.variable(tf.zeros([4, 3])),
        b: tf.variable(tf.zeros([3])),
        c: tf.variable(tf.zeros([2, 2, 2])),
      };
      const n0 = tf.memory().numTensors;
      const adam = new Adam(LR, B1, B2, EPS);
      expect(tf.memory().numTensors).toBe(n0); // no state before the first apply
      applyHost(adam, p, { a: new Array(12).fill(0.1), b: [1, 2, 3] }); // c has no gradient yet: no state for it
      expect(tf.memory().numTensors).toBe(n0 + 2); // one group {a, b} at t = 1
      applyHost(adam, p, { a: new Array(12).fill(0.1), b: [1, 2, 3], c: new Array(8).fill(-1) });
      const n1 = tf.memory().numTensors;
      expect(n1).toBe(n0 + 2 * 2); // {a, b} at t = 2 and {c} at t = 1: two groups from now on
      for (let s = 0; s < 25; s++)
        applyHost(adam, p, { a: new Array(12).fill(s), b: [s, 1, 2], c: new Array(8).fill(1) });
      expect(tf.memory().numTensors).toBe(n1);
      adam.dispose();
      expect(tf.memory().numTensors).toBe(n0);
      tf.dispose(Object.values(p));
    });
  });
}
