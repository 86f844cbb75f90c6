// Trainer behaviour on tiny models: flat tensor count across steps, seeded determinism on cpu and wasm (and their
// agreement), stage 1 freezing, on-policy/online paths, online vs cached teacher targets, config checks.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/base/rng';
import { initBackend } from '../backend';
import { initEncoder } from '../encoder';
import { answerMask, PAD_ID } from '../configs';
import { initLlava } from '../llava';
import { disposeParams } from '../params';
import { computeTeacherOutputs } from '../teacherRun';
import { checkpointFromBytes, checkpointToBytes } from './checkpointFile';
import { readStep, Trainer } from './trainer';
import { TINY_ENC, tinyConfig, topkOf } from '../testing/tiny';
import { ALL_TERMS, tinyTrainerKit } from '../testing/tinyTrainer';

const kit = tinyTrainerKit();
const { m, data } = kit;
const make = kit.make;
const ALL = ALL_TERMS;

async function totals(tr: Trainer, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await readStep(tr.step())).total);
  return out;
}

const setup = kit.setup;

describe('trainer on cpu', () => {
  setup('cpu');

  it('keeps tf.memory().numTensors flat from step 2 to step 100 with every term on', async () => {
    const tr = make({ ...ALL, data: { useUnlabeled: true } });
    let at2 = 0;
    for (let i = 1; i <= 100; i++) {
      const r = await readStep(tr.step());
      expect(Number.isFinite(r.total)).toBe(true);
      if (i === 2) at2 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(at2);
    const before = tf.memory().numTensors;
    tr.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
  });

  it('keeps the count flat with the online teacher, on-policy batches and all positions', async () => {
    const tr = make({
      ...ALL,
      kd: { source: 'online', allPositions: true, topKMode: 'renorm', topK: 5 },
      onPolicy: { lambda: 0.5 },
    });
    let at2 = 0;
    const seen = new Set<boolean>();
    for (let i = 1; i <= 12; i++) {
      const r = await readStep(tr.step());
      seen.add(r.onPolicy);
      for (const k of ['total', 'seq', 'kd', 'hidden', 'affinity', 'attention'] as const)
        expect(Number.isFinite(r[k])).toBe(true);
      expect(r.onPolicy ? Number.isNaN(r.ce) : Number.isFinite(r.ce)).toBe(true);
      if (i === 2) at2 = tf.memory().numTensors;
    }
    expect(seen).toEqual(new Set([true, false]));
    expect(tf.memory().numTensors).toBe(at2);
    tr.dispose();
  });

  it('dispose() frees every tensor it made (model, φ, Adam state, feature cache)', async () => {
    const before = tf.memory().numTensors;
    const tr = make({ ...ALL, kd: { source: 'online' }, onPolicy: { lambda: 0.5 } });
    await totals(tr, 3);
    tr.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports weight-0 logit terms (measured, not optimised) and NaN where nothing can be measured', async () => {
    const tr = make({});
    const r = await readStep(tr.step());
    expect(r.total).toBeCloseTo(r.ce, 6);
    expect(Number.isFinite(r.kd) && Number.isFinite(r.hidden) && Number.isFinite(r.affinity)).toBe(true);
    expect(Number.isNaN(r.seq)).toBe(true); // seqCE needs a second forward: only when its weight > 0
    tr.dispose();
    const bare = { ...data, targets: undefined, teacherAnswerIds: undefined };
    const t2 = new Trainer({
      model: m,
      encoder: { config: TINY_ENC, params: kit.enc },
      config: tinyConfig({}),
      data: bare,
    });
    const r2 = await readStep(t2.step());
    expect(Number.isNaN(r2.kd) && Number.isNaN(r2.hidden) && Number.isNaN(r2.attention)).toBe(true);
    t2.dispose();
  });

  it('stage 1 trains the projector only', async () => {
    const tr = make({ ...ALL, stage1Steps: 3 });
    const lm0 = tr.params['lm.blocks.0.attn.wq'].dataSync().slice();
    const pr0 = tr.params['projector.fc1.w'].dataSync().slice();
    for (let i = 0; i < 3; i++) expect((await readStep(tr.step())).stage).toBe(1);
    expect(Array.from(tr.params['lm.blocks.0.attn.wq'].dataSync())).toEqual(Array.from(lm0));
    expect(Array.from(tr.params['projector.fc1.w'].dataSync())).not.toEqual(Array.from(pr0));
    expect((await readStep(tr.step())).stage).toBe(2);
    expect(Array.from(tr.params['lm.blocks.0.attn.wq'].dataSync())).not.toEqual(Array.from(lm0));
    tr.dispose();
  });

  it('applies setConfig at the next step and rejects configs the data cannot serve', async () => {
    const tr = make({});
    tr.setConfig({ optim: { lr: 0.5, warmupSteps: 0, minLrFrac: 1 } });
    expect((await readStep(tr.step())).lr).toBeCloseTo(0.5);
    tr.dispose();
    const noTeacher = new Trainer({
      model: m,
      encoder: { config: TINY_ENC, params: kit.enc },
      config: tinyConfig({}),
      data,
    });
    expect(() => noTeacher.setConfig({ kd: { source: 'online' } })).toThrow(/kd\.source.*teacher/);
    expect(() => noTeacher.setConfig({ onPolicy: { lambda: 0.3 } })).toThrow(/onPolicy\.lambda/);
    noTeacher.dispose();
    const topOnly = { ...data, targets: { ...data.targets, logits: undefined } };
    expect(
      () =>
        new Trainer({
          model: m,
          encoder: { config: TINY_ENC, params: kit.enc },
          config: tinyConfig({ weights: { kd: 1 } }),
          data: topOnly,
        }),
    ).toThrow(/kd\.topKMode/);
  });

  it('online and cached teacher give the same terms on answer positions (dense and top-K)', async () => {
    const lab = new Set(data.labeled);
    const t = await computeTeacherOutputs({
      encoder: { config: TINY_ENC, params: kit.enc },
      teacher: kit.teacher,
      ...data,
      labeled: (n) => lab.has(n),
    });
    const { logits, hidden, affinity, attention } = t;
    const topk = topkOf(logits, 24 * m.A, m.vocabSize, 4);
    const targets = { logits, topk, hidden, hiddenDim: kit.tm.d, affinity, attention };
    const cached = { ...data, kdIds: t.kdIds, teacherAnswerIds: t.teacherAnswerIds, targets };
    const batch = [0, 3, 5, 17, 20, 22];
    for (const kd of [
      { topKMode: 'dense' as const, divergence: 'jsd' as const, T: 2, t2: true },
      { topKMode: 'renorm' as const, topK: 4 },
      { topKMode: 'tail' as const, topK: 4 },
    ]) {
      const a = new Trainer({
        model: m,
        encoder: { config: TINY_ENC, params: kit.enc },
        config: tinyConfig({ ...ALL, kd }),
        data: cached,
        teacher: kit.teacher,
      });
      const b = new Trainer({
        model: m,
        encoder: { config: TINY_ENC, params: kit.enc },
        config: tinyConfig({ ...ALL, kd: { ...kd, source: 'online' } }),
        data: cached,
        teacher: kit.teacher,
      });
      const ta = await a.evalTerms(batch);
      const tb = await b.evalTerms(batch);
      for (const k of ['kd', 'hidden', 'affinity', 'attention'] as const) expect(ta[k]).toBeCloseTo(tb[k], 5);
      a.dispose();
      b.dispose();
    }
    // a dense cache truncated on the fly equals a top-K cache of the same teacher
    const top = new Trainer({
      model: m,
      encoder: { config: TINY_ENC, params: kit.enc },
      config: tinyConfig({ kd: { topKMode: 'renorm', topK: 4 } }),
      data: { ...cached, targets: { ...cached.targets, logits: undefined } },
    });
    const den = new Trainer({
      model: m,
      encoder: { config: TINY_ENC, params: kit.enc },
      config: tinyConfig({ kd: { topKMode: 'renorm', topK: 4 } }),
      data: { ...cached, targets: { ...cached.targets, topk: undefined } },
    });
    expect((await top.evalTerms(batch)).kd).toBeCloseTo((await den.evalTerms(batch)).kd, 5);
    top.dispose();
    den.dispose();
  });

  it('all positions: the image and prompt parts add up to image+prompt (masked means over [image | prompt | answer])', async () => {
    const batch = [1, 4, 9, 18, 23];
    const kd = (patch: object) => ({
      ...ALL,
      kd: { source: 'online' as const, divergence: 'jsd' as const, T: 2, ...patch },
    });
    const term = async (patch: object) => {
      const tr = make(kd(patch));
      const v = (await tr.evalTerms(batch)).kd;
      tr.dispose();
      return v;
    };
    const ans = await term({});
    const both = await term({ allPositions: true });
    const img = await term({ allPositions: true, extraPositions: 'image' });
    const prompt = await term({ allPositions: true, extraPositions: 'prompt' });
    expect(await term({ allPositions: true, extraPositions: 'image+prompt' })).toBeCloseTo(both, 6);
    // position counts of the batch: every image patch, the prompt's non-pad tokens, the answer up to <eos>
    const { Lp, A, P } = m;
    const nI = batch.length * P;
    const nP = batch.reduce(
      (s, n) => s + [...data.promptIds.subarray(n * Lp, (n + 1) * Lp)].filter((t) => t !== PAD_ID).length,
      0,
    );
    const ids = data.kdIds ?? data.answerIds;
    const nA = [
      ...answerMask(Int32Array.from(batch.flatMap((n) => [...ids.subarray(n * A, (n + 1) * A)])), batch.length, A),
    ].reduce((s, x) => s + x, 0);
    expect(nP).toBeGreaterThan(0);
    // Σ over image∪prompt∪answer = Σ over image∪answer + Σ over prompt∪answer − Σ over answer
    expect(both * (nI + nP + nA)).toBeCloseTo(img * (nI + nA) + prompt * (nP + nA) - ans * nA, 3);
    expect(new Set([ans, both, img, prompt].map((x) => x.toFixed(5))).size).toBe(4);
  });

  it('resumes from a checkpoint file (params + optimizer state + step + RNGs) exactly, as the pack build does', async () => {
    const patch = { ...ALL, onPolicy: { lambda: 0.5 }, stage1Steps: 2 };
    const full = make(patch);
    const ref = await totals(full, 7);
    full.dispose();
    const first = make(patch);
    await totals(first, 4);
    const extra = { 'encoder.x': { shape: [2], data: Float32Array.of(1, 2) } };
    const bytes = checkpointToBytes(await first.checkpoint(), extra, { fingerprint: 'f' });
    first.dispose();
    const back = checkpointFromBytes(bytes, 'ck.safetensors');
    expect(back.metadata).toEqual({ fingerprint: 'f' });
    expect(back.extra).toEqual(extra);
    expect(back.checkpoint.optimizer.some((s) => s.name === 'lm.head.w/m')).toBe(true);
    const resumed = make({}, { resume: back.checkpoint });
    const rest = await totals(resumed, 3);
    expect(rest).toEqual(ref.slice(4));
    resumed.dispose();
  });

  it('rejects bad data with the field and what was expected', () => {
    const mk = (d: typeof data) => () =>
      new Trainer({ model: m, encoder: { config: TINY_ENC, params: kit.enc }, config: tinyConfig({}), data: d });
    const badIds = data.promptIds.slice();
    badIds[5] = m.vocabSize;
    expect(mk({ ...data, promptIds: badIds })).toThrow(/data\.promptIds\[5\].*\[0, 12\)/);
    expect(mk({ ...data, labeled: [0, 99] })).toThrow(/data\.labeled\[1\]/);
    expect(mk({ ...data, answerIds: data.answerIds.slice(1) })).toThrow(/data\.answerIds/);
    const kd = data.kdIds!.slice();
    kd[0] = 5 + ((kd[0] + 1) % 7);
    expect(mk({ ...data, kdIds: kd })).toThrow(/kdIds\[0\].*kd_ids = answer_ids/);
  });

  it('trains the encoder only with trainEncoder', async () => {
    const own = initEncoder(TINY_ENC, new Rng(3));
    const w0 = own['encoder.patch.w'].dataSync().slice();
    const tr = new Trainer({
      model: m,
      encoder: { config: TINY_ENC, params: own },
      config: tinyConfig({}),
      data,
      trainEncoder: true,
    });
    await readStep(tr.step());
    expect(tr.features).toBeNull();
    expect(Array.from(own['encoder.patch.w'].dataSync())).not.toEqual(Array.from(w0));
    tr.dispose();
    disposeParams(own);
  });
});

/** On `backend`: a fresh encoder and teacher, `n` trainers with one seeded config, each stepped five times; their
 * totals. Everything it builds is freed, so each test that calls it stands alone. */
async function firstFiveTotals(backend: 'cpu' | 'wasm', n: number): Promise<number[][]> {
  await initBackend(backend);
  kit.enc = initEncoder(TINY_ENC, new Rng(1));
  kit.teacher = { config: kit.tm, params: initLlava(kit.tm, new Rng(2)) };
  try {
    const patch = { ...ALL, onPolicy: { lambda: 0.4 }, data: { useUnlabeled: true } };
    const out: number[][] = [];
    for (let i = 0; i < n; i++) {
      const tr = make(patch);
      try {
        out.push(await totals(tr, 5));
      } finally {
        tr.dispose();
      }
    }
    return out;
  } finally {
    disposeParams(kit.enc);
    disposeParams(kit.teacher.params);
  }
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`determinism on ${backend}`, () => {
    it('same seed → same first five totals (all terms, on-policy on)', async () => {
      const [ta, tb] = await firstFiveTotals(backend, 2);
      expect(ta).toHaveLength(5);
      expect(tb).toEqual(ta);
    });
  });
}

describe('cpu vs wasm', () => {
  it('agree on the first five totals within 1e-4', async () => {
    const [c] = await firstFiveTotals('cpu', 1);
    const [w] = await firstFiveTotals('wasm', 1);
    expect(c).toHaveLength(5);
    expect(w).toHaveLength(5);
    c.forEach((v, i) => expect(Math.abs(v - w[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(v))));
  });
});
