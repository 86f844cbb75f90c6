// Issue 16 on the model side: the non-finite guard (a NaN in the teacher's targets never reaches weights or Adam),
// the divergence detector on a real diverging run (lr 1, no clipping, T 0.05), and checkpoint → resume bit for bit.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DivergenceDetector, nonFiniteTerms } from '../../core/kd/health';
import { TERM_NAMES, VALUE_NAMES } from '../../core/kd/terms';
import { Adam } from '../adam';
import { exportParams } from '../params';
import { withFaults } from './faults';
import { readStep, Trainer, type TrainerCheckpoint } from './trainer';
import { TINY_ENC, tinyConfig } from '../testing/tiny';
import { ALL_TERMS, tinyTrainerKit } from '../testing/tinyTrainer';

const kit = tinyTrainerKit();
const { m, data } = kit;
const make = kit.make;
const ALL = ALL_TERMS;

/** Every weight, φ and Adam buffer of a trainer as host arrays (keys sorted), for bit-for-bit comparisons. */
async function stateOf(tr: Trainer): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [k, v] of Object.entries({ ...(await tr.exportModel()), ...(await tr.exportPhi()) }))
    out[k] = Array.from(v.data);
  for (const s of await tr.optimizerState()) out[`adam:${s.name}`] = Array.from(s.data);
  return out;
}

kit.setup('cpu');

describe('non-finite guard', () => {
  it('a NaN in the teacher targets of a batch leaves weights and Adam state bit-identical; later steps are finite', async () => {
    const poisoned = { ...data, targets: { ...data.targets!, logits: data.targets!.logits!.slice() } };
    poisoned.targets.logits[5 * m.A * m.vocabSize + 3] = NaN; // sample 5, answer slot 0
    const tr = make({ weights: { ce: 1, kd: 1 } }, { data: poisoned });
    for (let i = 0; i < 3; i++) expect((await readStep(tr.step([0, 1, 2, 3]), tr)).skipped).toBe(false);
    const before = await stateOf(tr);
    const n0 = tf.memory().numTensors;
    const bad = await readStep(tr.step([4, 5, 6, 7]), tr);
    expect(bad.skipped).toBe(true);
    expect(nonFiniteTerms(bad.nonFinite)).toEqual(['kd']);
    expect(Number.isNaN(bad.total)).toBe(true);
    expect(await stateOf(tr)).toEqual(before); // parameters, moments and the /t step counts
    expect(tf.memory().numTensors).toBe(n0);
    for (let i = 0; i < 3; i++) {
      const r = await readStep(tr.step([0, 1, 2, 3]), tr);
      expect(r.skipped).toBe(false);
      for (const k of ['total', 'ce', 'kd', 'gradNorm'] as const) expect(Number.isFinite(r[k])).toBe(true);
    }
    expect(await stateOf(tr)).not.toEqual(before);
    tr.dispose();
  });

  it('withFaults(trainer).poisonNextStep(): only the next step is non-finite (cached, online teacher and no-teacher data), nothing changes', async () => {
    const bare = { ...data, targets: undefined, teacherAnswerIds: undefined };
    const cases: [string, Trainer][] = [
      ['cached', make({})],
      ['online', make({ ...ALL, kd: { source: 'online' } })],
      [
        'no teacher',
        new Trainer({ model: m, encoder: { config: TINY_ENC, params: kit.enc }, config: tinyConfig({}), data: bare }),
      ],
    ];
    for (const [what, tr] of cases) {
      await readStep(tr.step(), tr);
      const before = await stateOf(tr);
      withFaults(tr).poisonNextStep();
      const bad = await readStep(tr.step(), tr);
      expect(bad.skipped, what).toBe(true);
      expect(bad.nonFinite.length, what).toBeGreaterThan(0);
      expect(await stateOf(tr), what).toEqual(before);
      expect((await readStep(tr.step(), tr)).skipped, what).toBe(false);
      expect(withFaults(tr), what).toBe(withFaults(tr)); // installed once per trainer
      expect(() => tr.intercept({}), what).toThrow(/already installed/);
      tr.dispose();
    }
  });

  it('Adam alone: a NaN gradient changes nothing; unstep takes the count back', async () => {
    const p = { w: tf.variable(tf.tensor1d([1, 2, 3])) };
    const adam = new Adam(0.1, 0.9, 0.999, 1e-7);
    const g = (xs: number[]) => ({ w: tf.tensor1d(xs) });
    const g1 = g([0.1, 0.2, 0.3]);
    adam.apply(g1, p).dispose();
    const w1 = Array.from(p.w.dataSync());
    const st1 = await adam.state();
    const g2 = g([0.1, NaN, 0.3]);
    const norm = adam.apply(g2, p, 1);
    expect(Number.isNaN(norm.dataSync()[0])).toBe(true);
    expect(Array.from(p.w.dataSync())).toEqual(w1);
    adam.unstep(['w']);
    expect(await adam.state()).toEqual(st1);
    expect(() => adam.unstep(['nope'])).toThrow(/nope/);
    tf.dispose([norm, g1.w, g2.w, p.w]);
    adam.dispose();
  });
});

describe('divergence detector', () => {
  it('fires on lr 1, no clipping, T 0.05 and names the learning rate with the values in force', async () => {
    const patch = { weights: { ce: 1, kd: 1 }, kd: { T: 0.05 }, optim: { lr: 1, clipNorm: 0 } };
    const tr = make(patch);
    const det = new DivergenceDetector();
    const c = tr.config;
    let warning = null;
    for (let i = 0; i < 150 && !warning; i++) {
      const r = await readStep(tr.step(), tr);
      warning = det.push({
        step: r.step,
        values: VALUE_NAMES.map((n) => r[n]),
        lr: r.lr,
        clipNorm: c.optim.clipNorm,
        T: c.kd.T,
        weights: c.weights,
      });
    }
    expect(warning).not.toBeNull();
    expect(warning!.knob).toBe('optim.lr');
    expect(warning!.message).toMatch(/lr 1\b.*clipNorm off.*T 0\.05/);
    tr.dispose();
  });

  it('stays quiet on a default-lr tiny run', async () => {
    const tr = make({ weights: { ce: 1, kd: 1 }, kd: { T: 0.05 }, optim: { clipNorm: 0 } });
    const det = new DivergenceDetector();
    const c = tr.config;
    for (let i = 0; i < 60; i++) {
      const r = await readStep(tr.step(), tr);
      expect(
        det.push({
          step: r.step,
          values: VALUE_NAMES.map((n) => r[n]),
          lr: r.lr,
          clipNorm: c.optim.clipNorm,
          T: c.kd.T,
          weights: c.weights,
        }),
      ).toBeNull();
    }
    tr.dispose();
  });
});

describe('checkpoint → resume', () => {
  const patch = { ...ALL, onPolicy: { lambda: 0.5 }, stage1Steps: 2, data: { useUnlabeled: true } };
  const totals = async (tr: Trainer, n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await readStep(tr.step(), tr)).total);
    return out;
  };

  it('7 steps, checkpoint, 5 more = a fresh trainer resumed from it, 5 steps, bit for bit; tensor count flat', async () => {
    const a = make(patch);
    await totals(a, 7);
    const ck: TrainerCheckpoint = structuredClone(await a.checkpoint()); // as it crosses postMessage / IndexedDB
    const ref = await totals(a, 5);
    a.dispose();
    const n0 = tf.memory().numTensors;
    const b = make({}, { resume: ck }); // the checkpoint's config replaces the (default) one given
    expect(b.stepCount).toBe(7);
    const after1: number[] = [];
    const got: number[] = [];
    for (let i = 0; i < 5; i++) {
      got.push((await readStep(b.step(), b)).total);
      after1.push(tf.memory().numTensors);
    }
    expect(got).toEqual(ref);
    expect(new Set(after1.slice(1)).size).toBe(1);
    b.dispose();
    expect(tf.memory().numTensors).toBe(n0);
  });

  it('restoreCheckpoint on a trained trainer rewinds it; bad checkpoints are refused by field', async () => {
    const a = make(patch);
    await totals(a, 3);
    const ck = await a.checkpoint();
    const ref = await totals(a, 2);
    a.restoreCheckpoint(ck);
    expect(await totals(a, 2)).toEqual(ref);
    const bad = (f: (c: TrainerCheckpoint) => void) => {
      const c = structuredClone(ck);
      f(c);
      return () => a.restoreCheckpoint(c);
    };
    expect(bad((c) => ((c as { format: string }).format = 'x'))).toThrow(/checkpoint\.format/);
    expect(bad((c) => (c.step = -1))).toThrow(/checkpoint\.step/);
    expect(bad((c) => (c.params['lm.head.w'].shape = [1, 2]))).toThrow(/checkpoint\.params\.lm\.head\.w/);
    expect(bad((c) => delete c.phi['phi.fc1.w'])).toThrow(/checkpoint\.phi\.phi\.fc1\.w/);
    expect(bad((c) => (c.iterators[0].state.pos = 1e9))).toThrow(/checkpoint\.iterators\..*\.pos/);
    a.dispose();
  });

  it('holds every trained tensor and RNG as plain data', async () => {
    const a = make(patch);
    await totals(a, 3);
    const ck = await a.checkpoint();
    const host = await exportParams(a.params);
    expect(Object.keys(ck.params).sort()).toEqual(Object.keys(host).sort());
    expect(ck.optimizer.some((s) => s.name === 'projector.fc1.w/t' && s.data[0] === 3)).toBe(true);
    expect(ck.rng.policy).toHaveLength(4);
    expect(ck.iterators.map((i) => i.key).sort()).toEqual(['main+unlabeled']);
    expect(TERM_NAMES.every((n) => n in ck.config.weights)).toBe(true);
    a.dispose();
  });
});
