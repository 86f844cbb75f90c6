// Issue 27 in the worker: PackInfo's §4c fields, and a lane's val evaluation that also scores its answers against the
// pack's bayes_answer_ids (one generation pass, chunk by chunk) — through the session and the `eval` message.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig } from '../core/config/config';
import { initBackend } from '../model/backend';
import { generateAnswers, percents, scoreAnswers } from '../model/evaluate';
import { Session } from './session';
import { makeHandler, until } from './testing/handlerHarness';
import { labPackBytes } from './testing/labPack';

const config = mergeConfig(DEFAULT_CONFIG, { optim: { batchSize: 4, warmupSteps: 0 }, weights: { kd: 1 } });
let plain: Uint8Array;
let teacherBayes: Uint8Array;
let answerBayes: Uint8Array;
const sessions: Session[] = [];
const open = (bytes: Uint8Array, evalSamples: number) => {
  const s = new Session(bytes, 'tiny.safetensors', [{ id: 0, config }], evalSamples);
  sessions.push(s);
  return s;
};

beforeAll(async () => {
  await initBackend('cpu');
  plain = await labPackBytes({ n: 24 });
  teacherBayes = await labPackBytes({
    n: 280,
    bayes: 'teacher',
    studentInit: true,
    calibration: true,
    ceilings: { color: 70, count: 40 },
  }); // 70 val: two chunks (64 + 6)
  answerBayes = await labPackBytes({ n: 48, bayes: 'answers' });
});
afterAll(() => {
  sessions.forEach((s) => s.dispose());
  tf.disposeVariables();
});

describe('PackInfo (DESIGN §4c fields)', () => {
  it('a pack without the additions: null / false', () => {
    const info = open(plain, 6).info;
    expect(info).toMatchObject({
      bayesAccuracy: null,
      annotator: null,
      hasBayesAnswers: false,
      hasStudentInit: false,
      teacherCalibration: null,
    });
    expect(info.evalFamilyCounts.reduce((a, b) => a + b, 0)).toBe(info.evalSamples);
  });
  it('a pack with them: the ceilings, the annotator, the flags and the calibration', () => {
    const s = open(teacherBayes, 70);
    const info = s.info;
    expect(info.bayesAccuracy).toEqual({ color: 70, count: 40 });
    expect(info.annotator).toMatch(/one draw from a known answer distribution/);
    expect(info).toMatchObject({
      hasBayesAnswers: true,
      hasStudentInit: true,
      teacherCalibration: { ece: 0.125, medianTopProb: 0.5, meanEntropy: 1.25 },
    });
    const fam = s.run.pack.tensors.family;
    expect(info.evalFamilyCounts).toEqual([0, 1].map((f) => s.run.evalIdx.filter((k) => fam[k] === f).length));
    expect(info.evalSamples).toBe(70);
  });
});

describe('agreement with the Bayes answers', () => {
  it('none without bayes_answer_ids', async () => {
    const s = open(plain, 6);
    const ev = await s.lanes[0].evaluate();
    expect(ev.bayesOverall).toBeUndefined();
    expect(ev.bayesPerFamily).toBeUndefined();
  });
  it('Bayes answers = the labels: agreement equals exact match', async () => {
    const s = open(answerBayes, 12);
    for (let i = 0; i < 3; i++) s.lanes[0].trainer.step();
    const ev = await s.lanes[0].evaluate();
    expect(ev.bayesOverall).toBe(ev.overall);
    expect(Array.from(ev.bayesPerFamily!)).toEqual(Array.from(ev.perFamily));
  });
  it('over several chunks, the same greedy answers scored against the Bayes answers (one pass, not two)', async () => {
    const s = open(teacherBayes, 70);
    const lane = s.lanes[0];
    for (let i = 0; i < 5; i++) lane.trainer.step();
    const before = s.passesStarted;
    const ev = await lane.evaluate();
    expect(s.passesStarted - before).toBe(1);
    // Independently: generate the lane's answers on the whole subset at once and score them against each reference.
    const r = s.run;
    const pk = r.pack.tensors;
    const preds = await generateAnswers(
      { config: r.model, params: lane.trainer.params },
      r.encoder,
      { images: pk.images, promptIds: pk.prompt_ids },
      r.evalIdx,
      { features: r.features },
    );
    const nFam = r.pack.meta.families.length;
    const labels = scoreAnswers(preds, pk.answer_ids, r.evalIdx, pk.family, nFam, r.model.A);
    const bayes = scoreAnswers(preds, pk.bayes_answer_ids!, r.evalIdx, pk.family, nFam, r.model.A);
    const want = percents(bayes.right, bayes.counts);
    expect(ev.overall).toBeCloseTo(percents(labels.right, labels.counts).overall, 4);
    expect(ev.bayesOverall).toBeCloseTo(want.overall, 4);
    Array.from(ev.bayesPerFamily!).forEach((x, f) => expect(x).toBeCloseTo(want.perFamily[f], 4));
    expect(bayes.counts.reduce((a, b) => a + b, 0)).toBe(70);
  });
});

describe('the eval message', () => {
  it('carries bayesOverall / bayesPerFamily (transferred) when the pack has Bayes answers, and not otherwise', async () => {
    for (const [bytes, has] of [
      [answerBayes, true],
      [plain, false],
    ] as const) {
      const { ofType, loadPack, init, got, transfers } = makeHandler(config);
      await init();
      const n = await loadPack(bytes.slice().buffer as ArrayBuffer, 'tiny.safetensors');
      await until(() => ofType('eval', n).length > 0);
      const ev = ofType('eval', n)[0];
      expect(ofType('packLoaded', n)[0].info.hasBayesAnswers).toBe(has);
      if (has) {
        expect(ev.bayesOverall).toBe(ev.overall);
        expect(ev.bayesPerFamily).toBeInstanceOf(Float32Array);
        expect(transfers[got.indexOf(ev)]).toContain(ev.bayesPerFamily!.buffer);
      } else {
        expect('bayesOverall' in ev).toBe(false);
        expect('bayesPerFamily' in ev).toBe(false);
      }
    }
  });
});
