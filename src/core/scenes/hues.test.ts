// Tests of the hues task: determinism (golden fingerprint), every label re-checked against an independently
// recomputed distribution, label frequencies match the distributions (z / χ² tests), Bayes ceilings in range.

import { describe, expect, it } from 'vitest';
import { Rng } from '../base/rng';
import { EOS_ID, PAD_ID, Tokenizer, UNK_ID } from '../base/tokenizer';
import {
  ANNOTATOR,
  buildVocab,
  checkAnswer,
  checkHuesLabel,
  colorProbs,
  datasetFingerprint,
  generateDataset,
  generateScene,
  getTaskSpec,
  huesAnswerDist,
  makeQuestion,
  poissonBinomial,
  priorStats,
  relationYes,
  renderScene,
  solveQuestion,
  sizeProbs,
  TASKS,
  type FamilyName,
} from './index';
import { drawAnswer } from './annotator';
import { hiddenFraction } from './hues';
import { patchHeadClasses, patchLabels } from './patchLabels';

const SIZES = { trainLabeled: 150, trainUnlabeled: 150, val: 150, test: 150 };
const DS = generateDataset({ task: 'hues', seed: 11, sizes: SIZES });
const FAMILIES: FamilyName[] = ['gqa', 'pope', 'count', 'sqa', 'caption'];

function sameBytes(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function fnv(bytes: ArrayLike<number>): string {
  let h = 0x811c9dc5;
  for (let k = 0; k < bytes.length; k++)
    for (let b = 0; b < 32; b += 8) h = Math.imul(h ^ ((bytes[k] >>> b) & 0xff), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

describe('hues task', () => {
  it('is registered with the geometry and families of shapes', () => {
    expect(TASKS).toContain('hues');
    const spec = getTaskSpec('hues');
    const shapes = getTaskSpec('shapes');
    for (const k of [
      'height',
      'width',
      'channels',
      'patchSize',
      'grid',
      'numPatches',
      'promptLen',
      'answerLen',
    ] as const)
      expect(spec[k]).toBe(shapes[k]);
    expect(spec.families).toEqual(shapes.families);
    expect(spec.answerLen).toBeLessThanOrEqual(4);
    expect(DS.images.length).toBe(DS.n * 24 * 24 * 3);
    expect(DS.bayesAnswerIds!.length).toBe(DS.n * spec.answerLen);
    expect(DS.answerProb!.length).toBe(DS.n);
    expect(DS.bayesProb!.length).toBe(DS.n);
    expect(DS.annotator).toBe(ANNOTATOR);
    expect(Object.keys(DS.bayesAccuracy!)).toEqual(FAMILIES);
  });

  it('leaves the shapes and digits datasets without the hues fields', () => {
    const ds = generateDataset({
      task: 'shapes',
      seed: 1,
      sizes: { trainLabeled: 5, trainUnlabeled: 0, val: 5, test: 0 },
    });
    for (const k of ['bayesAnswerIds', 'answerProb', 'bayesProb', 'bayesAccuracy', 'annotator'] as const)
      expect(k in ds).toBe(false);
    expect(ds.questions.every((q) => q.dist === undefined && q.bayesAnswer === undefined)).toBe(true);
  });

  it('is byte-identical for the same seed (golden fingerprint) and differs for another', () => {
    const again = generateDataset({ task: 'hues', seed: 11, sizes: SIZES });
    expect(sameBytes(again.images, DS.images)).toBe(true);
    expect(sameBytes(again.answerIds, DS.answerIds)).toBe(true);
    expect(sameBytes(again.bayesAnswerIds!, DS.bayesAnswerIds!)).toBe(true);
    expect(sameBytes(again.answerProb!, DS.answerProb!)).toBe(true);
    expect(sameBytes(again.bayesProb!, DS.bayesProb!)).toBe(true);
    const small = { trainLabeled: 12, trainUnlabeled: 6, val: 6, test: 6 };
    const g = generateDataset({ task: 'hues', seed: 2024, sizes: small });
    expect(datasetFingerprint(g)).toBe('4d7bd44c');
    expect(fnv(g.bayesAnswerIds!)).toBe('216170c3');
    expect(datasetFingerprint(generateDataset({ task: 'hues', seed: 2025, sizes: small }))).not.toBe(
      datasetFingerprint(g),
    );
  });

  it('encodes prompts, drawn answers and Bayes answers in the vocabulary, <eos>-terminated, <pad>-filled', () => {
    const tok = new Tokenizer(DS.vocab);
    expect(DS.vocab).toEqual(buildVocab('hues'));
    expect(DS.vocab).not.toContain('white');
    expect(DS.vocab).not.toContain('big');
    const { promptLen: Lp, answerLen: A } = DS;
    for (let i = 0; i < DS.n; i++) {
      const p = Array.from(DS.promptIds.subarray(i * Lp, (i + 1) * Lp));
      expect(p.every((id) => id !== UNK_ID)).toBe(true);
      expect(tok.decode(p)).toBe(DS.prompts[i]);
      const q = DS.questions[i];
      const b = Array.from(DS.bayesAnswerIds!.subarray(i * A, (i + 1) * A));
      const len = tok.encode(q.bayesAnswer!).length;
      expect(b[len]).toBe(EOS_ID);
      expect(b.slice(len + 1).every((id) => id === PAD_ID)).toBe(true);
      expect(tok.decode(b)).toBe(q.bayesAnswer);
      const a = Array.from(DS.answerIds.subarray(i * A, (i + 1) * A));
      if (DS.split[i] === 1) expect(a.every((id) => id === PAD_ID)).toBe(true);
      else expect(tok.decode(a)).toBe(q.answer);
    }
  });

  it('every label has positive probability and every Bayes answer is the argmax of an independent recomputation', () => {
    for (let i = 0; i < DS.n; i++) {
      const q = DS.questions[i];
      const r = checkHuesLabel(DS.scenes[i], q.family, q.prompt, q.answer, q.bayesAnswer!);
      expect(r.ok, `${q.prompt} → ${q.answer}: ${r.why}`).toBe(true);
      const sum = q.dist!.reduce((s, e) => s + e[1], 0);
      expect(Math.abs(sum - 1)).toBeLessThan(1e-9);
      const indep = huesAnswerDist(DS.scenes[i], q.family, q.prompt)!;
      for (const [a, p] of q.dist!) expect(Math.abs((indep.get(a) ?? 0) - p), `${q.prompt} ${a}`).toBeLessThan(1e-9);
      expect(DS.answerProb![i]).toBeCloseTo(r.pAnswer, 6);
      expect(DS.bayesProb![i]).toBeCloseTo(r.maxP, 6);
      expect(checkAnswer(DS.scenes[i], q.family, q.prompt, q.answer)).toBe(true);
      expect(indep.get(solveQuestion(DS.scenes[i], q.family, q.prompt)!)!).toBeCloseTo(q.bayesProb!, 9);
    }
  });

  it('rejects a wrong Bayes answer, a zero-probability label and a tampered hidden fraction', () => {
    const i = DS.questions.findIndex(
      (q) => q.family === 'gqa' && q.prompt.startsWith('what color') && q.bayesProb! < 0.9,
    );
    const q = DS.questions[i];
    const runnerUp = q.dist!.filter((e) => e[0] !== q.bayesAnswer).sort((a, b) => b[1] - a[1])[0][0];
    expect(checkHuesLabel(DS.scenes[i], 'gqa', q.prompt, q.answer, runnerUp).ok).toBe(false);
    const zero = q.dist!.find((e) => e[1] === 0)![0];
    expect(checkHuesLabel(DS.scenes[i], 'gqa', q.prompt, zero, q.bayesAnswer!).why).toMatch(/probability 0/);
    expect(checkAnswer(DS.scenes[i], 'gqa', q.prompt, zero)).toBe(false);
    const k = DS.scenes.findIndex((s) => s.objects.some((o) => o.hues!.hidden > 0.2));
    const scene = structuredClone(DS.scenes[k]);
    const o = scene.objects.find((x) => x.hues!.hidden > 0.2)!;
    o.hues!.hidden = 0;
    expect(
      checkHuesLabel(
        scene,
        DS.questions[k].family,
        DS.questions[k].prompt,
        DS.questions[k].answer,
        DS.questions[k].bayesAnswer!,
      ).why,
    ).toMatch(/hidden/);
  });

  it('draws labels with the frequencies of their distribution (χ² on 2,000 redraws per family)', () => {
    for (const fam of FAMILIES) {
      // the sample of this family whose distribution has the most mass off its mode
      const idx = DS.questions.map((_, i) => i).filter((i) => DS.questions[i].family === fam);
      const i = idx.reduce((a, b) => (DS.bayesProb![b] < DS.bayesProb![a] ? b : a));
      const dist = DS.questions[i].dist!;
      const n = 2000;
      const counts = new Map<string, number>();
      const rng = new Rng(99);
      for (let t = 0; t < n; t++) {
        const [a] = drawAnswer(rng, dist);
        counts.set(a, (counts.get(a) ?? 0) + 1);
      }
      let chi2 = 0;
      let df = -1;
      for (const [a, p] of dist) {
        if (p === 0) {
          expect(counts.get(a) ?? 0).toBe(0);
          continue;
        }
        df++;
        chi2 += ((counts.get(a) ?? 0) - n * p) ** 2 / (n * p);
      }
      // generous bound: the 99.9 % quantile of χ²(df) is below df + 4·sqrt(2 df) + 10 for the df seen here
      expect(chi2, `${fam} χ² = ${chi2.toFixed(2)}, df = ${df}`).toBeLessThan(
        df + 4 * Math.sqrt(2 * Math.max(df, 1)) + 10,
      );
    }
  });

  it("the dataset's own draws match their distributions and differ from the Bayes answer on ≈ 1 − mean(bayesProb)", () => {
    const big = generateDataset({
      task: 'hues',
      seed: 5,
      sizes: { trainLabeled: 10000, trainUnlabeled: 0, val: 0, test: 0 },
    });
    for (const fam of FAMILIES) {
      const idx = big.questions.map((_, i) => i).filter((i) => big.questions[i].family === fam);
      expect(idx.length).toBe(2000);
      // per answer word: observed count vs Σ p_i(word), z-score with the Poisson-binomial variance
      const exp = new Map<string, [number, number, number]>();
      for (const i of idx) {
        const q = big.questions[i];
        for (const [a, p] of q.dist!) {
          const e = exp.get(a) ?? [0, 0, 0];
          e[0] += p;
          e[1] += p * (1 - p);
          if (a === q.answer) e[2] += 1;
          exp.set(a, e);
        }
      }
      for (const [a, [mu, v, obs]] of exp)
        if (v > 0.5)
          expect(Math.abs(obs - mu) / Math.sqrt(v), `${fam} "${a}": ${obs} vs ${mu.toFixed(1)}`).toBeLessThan(4.5);
      const miss = idx.filter((i) => big.questions[i].answer !== big.questions[i].bayesAnswer).length;
      const ps = idx.map((i) => big.bayesProb![i]);
      const mu = ps.reduce((s, p) => s + (1 - p), 0);
      const sd = Math.sqrt(ps.reduce((s, p) => s + p * (1 - p), 0));
      expect(Math.abs(miss - mu) / sd, `${fam}: ${miss} differ, expected ${mu.toFixed(1)}`).toBeLessThan(4.5);
    }
  });

  it('has Bayes ceilings strictly below 100 % and well above the best constant answer (val of 500, seed 1)', () => {
    const val = generateDataset({
      task: 'hues',
      seed: 1,
      sizes: { trainLabeled: 0, trainUnlabeled: 0, val: 500, test: 0 },
    });
    const acc = val.bayesAccuracy!;
    const rows: string[] = [];
    for (const fam of FAMILIES) {
      const qs = val.questions.filter((q) => q.family === fam);
      const mean = qs.reduce((s, q) => s + q.bayesProb!, 0) / qs.length;
      expect(acc[fam]!).toBeCloseTo(100 * mean, 4);
      const constant = new Map<string, number>();
      for (const q of qs) for (const [a, p] of q.dist!) constant.set(a, (constant.get(a) ?? 0) + p / qs.length);
      const best = Math.max(...constant.values()) * 100;
      rows.push(`${fam} ${acc[fam]!.toFixed(1)} % (best constant answer ${best.toFixed(1)} %)`);
      expect(acc[fam]!).toBeLessThan(95);
      expect(acc[fam]!).toBeGreaterThan(60);
      expect(acc[fam]!).toBeGreaterThan(best + 15);
    }
    console.log(`hues Bayes ceilings, val 500, seed 1: ${rows.join('; ')}`);
  });

  it('gives the annotator distributions that sum to 1 and behave at prototypes, boundaries and ties', () => {
    for (let h = 0; h < 360; h += 7.3) {
      const p = colorProbs(h);
      expect(Math.abs(Object.values(p).reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
      expect(Object.values(p).filter((x) => x > 0).length).toBeLessThanOrEqual(2);
    }
    expect(colorProbs(120).green).toBeGreaterThan(0.98);
    expect(colorProbs(30).red).toBeCloseTo(0.5, 12);
    expect(colorProbs(355).red).toBeGreaterThan(0.9);
    for (let s = 3.5; s <= 7; s += 0.25) {
      const p = sizeProbs(s);
      expect(Math.abs(p.small + p.medium + p.large - 1)).toBeLessThan(1e-12);
      expect(Math.min(p.small, p.medium, p.large)).toBeGreaterThanOrEqual(0);
    }
    expect(sizeProbs(3.5).small).toBeGreaterThan(0.95);
    expect(sizeProbs(7).large).toBeGreaterThan(0.95);
    expect(relationYes({ cx: 4, cy: 4 }, { cx: 4, cy: 12 }, 'left of')).toBeCloseTo(0.5, 12);
    expect(relationYes({ cx: 4, cy: 4 }, { cx: 12, cy: 4 }, 'left of')).toBeGreaterThan(0.99);
    const ps = [0.9, 0.5, 0.2];
    const pb = poissonBinomial(ps);
    expect(pb[0]).toBeCloseTo(0.1 * 0.5 * 0.8, 12);
    expect(pb[3]).toBeCloseTo(0.9 * 0.5 * 0.2, 12);
    expect(pb.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('renders as a pure function of the scene: hue colour at unoccluded centres, occluder grey, background elsewhere', () => {
    let checked = 0;
    for (const scene of DS.scenes.slice(0, 60)) {
      const img = renderScene(scene);
      expect(sameBytes(renderScene(structuredClone(scene)), img)).toBe(true);
      for (const o of scene.objects) {
        const a = o.hues!;
        const x = Math.floor(a.cx);
        const y = Math.floor(a.cy);
        const px = (y * 24 + x) * 3;
        if (
          a.occluder &&
          x + 0.5 >= a.occluder.x0 - 1 &&
          x + 0.5 <= a.occluder.x1 + 1 &&
          y + 0.5 >= a.occluder.y0 - 1 &&
          y + 0.5 <= a.occluder.y1 + 1
        )
          continue;
        if (o.kind === 'cross' || o.kind === 'triangle') continue; // centre pixel may be partly off the shape
        for (let c = 0; c < 3; c++) expect(Math.abs(img[px + c] - o.rgb[c])).toBeLessThanOrEqual(8);
        checked++;
      }
      // a cell without an object is background
      const occupied = new Set(scene.objects.map((o) => o.row * 3 + o.col));
      const free = [0, 1, 2, 3, 4, 5, 6, 7, 8].find((c) => !occupied.has(c));
      if (free !== undefined) {
        const px = ((Math.floor(free / 3) * 8 + 4) * 24 + (free % 3) * 8 + 4) * 3;
        expect(Math.abs(img[px] - scene.background)).toBeLessThanOrEqual(6);
      }
    }
    expect(checked).toBeGreaterThan(20);
    const occ = DS.scenes
      .flatMap((s) => s.objects.map((o) => ({ s, o })))
      .find(
        ({ o }) =>
          o.hues!.occluder &&
          o.hues!.occluder.x1 - o.hues!.occluder.x0 >= 2 &&
          o.hues!.occluder.y1 - o.hues!.occluder.y0 >= 2,
      )!;
    const r = occ.o.hues!.occluder!;
    const img = renderScene(occ.s);
    const x = Math.ceil(r.x0);
    const y = Math.ceil(r.y0);
    expect(Math.abs(img[(y * 24 + x) * 3] - r.grey)).toBeLessThanOrEqual(6);
    expect(Math.abs(img[(y * 24 + x) * 3 + 2] - r.grey)).toBeLessThanOrEqual(6);
  });

  it('measures hidden fractions in [0, 1), occludes about the configured share of objects, and labels patches', () => {
    const objs = DS.scenes.flatMap((s) => s.objects);
    const occluded = objs.filter((o) => o.hues!.occluder);
    expect(occluded.length / objs.length).toBeGreaterThan(0.25);
    expect(occluded.length / objs.length).toBeLessThan(0.45);
    for (const o of objs) {
      expect(o.hues!.hidden).toBeGreaterThanOrEqual(0);
      expect(o.hues!.hidden).toBeLessThan(1);
      expect(hiddenFraction(o.kind, o.hues!, o.hues!.occluder)).toBe(o.hues!.hidden);
    }
    expect(Math.max(...occluded.map((o) => o.hues!.hidden))).toBeGreaterThan(0.4);
    const spec = getTaskSpec('hues');
    expect(patchHeadClasses(spec)).toEqual([7, 5, 4, 11]);
    const lab = patchLabels(DS.scenes.slice(0, 10), spec);
    for (let n = 0; n < 10; n++)
      for (const o of DS.scenes[n].objects) expect(lab[(n * 9 + o.row * 3 + o.col) * 4 + 2]).toBeGreaterThan(0);
  });

  it('asks POPE about Bayes-present, random, popular and adversarial categories with yes/no distributions', () => {
    const stats = priorStats('hues');
    expect(stats.ranked.length).toBe(5 * 4);
    const rng = new Rng(3);
    for (const kind of ['yes', 'random', 'popular', 'adversarial'] as const) {
      let yes = 0;
      for (let t = 0; t < 200; t++) {
        const scene = generateScene(rng, 'hues');
        const q = makeQuestion(rng, scene, 'pope', stats, { popeKind: kind })!;
        expect(q.popeKind).toBe(kind);
        yes += q.dist!.find((e) => e[0] === 'yes')![1] / 200;
      }
      if (kind === 'yes') expect(yes).toBeGreaterThan(0.6);
      else if (kind === 'adversarial') expect(yes).toBeGreaterThan(0.05);
      else expect(yes).toBeLessThan(0.25);
    }
  });
});
