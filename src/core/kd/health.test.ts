// health.ts on synthetic row streams: which measured values went non-finite, the divergence rules (raw 100×, smoothed
// 5×, gradient norm), restarts on a knob change, and the likely-knob order.
import { describe, expect, it } from 'vitest';
import {
  describeNonFinite,
  DIVERGENCE_DEFAULTS,
  DivergenceDetector,
  likelyKnob,
  nonFiniteTerms,
  nonFiniteValues,
} from './health';
import { TERM_NAMES, type TermName, VALUE_NAMES } from './terms';

const W = Object.fromEntries(TERM_NAMES.map((n) => [n, n === 'ce' || n === 'kd' ? 1 : 0])) as Record<TermName, number>;
const row = (total: number, gradNorm = 1) =>
  VALUE_NAMES.map((n) => (n === 'total' ? total : n === 'gradNorm' ? gradNorm : n === 'seq' ? NaN : 0.5));
const feed = (
  det: DivergenceDetector,
  totals: number[],
  over: Partial<{ lr: number; T: number; clipNorm: number; gradNorm: number }> = {},
) => {
  for (let i = 0; i < totals.length; i++) {
    const w = det.push({
      step: i,
      values: row(totals[i], over.gradNorm),
      lr: over.lr ?? 0.001,
      clipNorm: over.clipNorm ?? 1,
      T: over.T ?? 2,
      weights: W,
    });
    if (w) return w;
  }
  return null;
};

describe('nonFiniteValues', () => {
  it('reports measured values only: an unmeasured term is NaN by contract', () => {
    const r = row(1);
    expect(nonFiniteValues(r, ['ce', 'kd'])).toEqual([]);
    r[VALUE_NAMES.indexOf('kd')] = Infinity;
    r[VALUE_NAMES.indexOf('gradNorm')] = NaN;
    expect(nonFiniteValues(r, ['ce', 'kd'])).toEqual(['kd', 'gradNorm']);
    expect(nonFiniteValues(r, ['ce', 'kd'], false)).toEqual(['kd']); // a forward-only step has no gradient norm
    expect(nonFiniteTerms(nonFiniteValues(r, ['ce', 'kd']))).toEqual(['kd']);
    expect(nonFiniteValues(r, ['ce', 'kd', 'seq'])).toContain('seq');
  });
  it('describes a skipped step with the knobs in force', () => {
    expect(describeNonFinite(41, ['total', 'kd'], { lr: 0.5, T: 0.05, weights: W })).toBe(
      'step 41: term KD (logits) went non-finite; the update was skipped (lr 0.5, T 0.05, weights ce 1, kd 1)',
    );
  });
});

describe('DivergenceDetector', () => {
  it('stays quiet on a falling, noisy loss', () => {
    const totals = Array.from({ length: 500 }, (_, i) => 4 * Math.exp(-i / 100) * (1 + 0.5 * Math.sin(i * 1.7)) + 0.05);
    expect(feed(new DivergenceDetector(), totals)).toBeNull();
  });
  it('fires once the smoothed total stays 5× over its minimum for 20 steps, naming lr when it is large', () => {
    const totals = [50, ...Array.from({ length: 60 }, (_, i) => 300 + 200 * Math.sin(i))];
    const w = feed(new DivergenceDetector(), totals, { lr: 1, clipNorm: 0, T: 0.05 });
    expect(w?.rule).toBe('loss-climb');
    expect(w?.knob).toBe('optim.lr');
    expect(w?.message).toMatch(/lr 1, clipNorm off, T 0\.05/);
    expect(w!.step).toBeGreaterThanOrEqual(20);
  });
  it('raw rule: quiet on 19 steps over 100×, fires on the 20th; a gradient norm past 1e4 fires at once', () => {
    const rawOnly = () => new DivergenceDetector({ ...DIVERGENCE_DEFAULTS, smoothFactor: Infinity });
    expect(feed(rawOnly(), [1, ...new Array(19).fill(1000), 1, 1])).toBeNull();
    expect(feed(rawOnly(), [1, ...new Array(20).fill(1000)])?.step).toBe(20);
    expect(feed(new DivergenceDetector(), [1, 1, 1], { gradNorm: 2e4 })?.rule).toBe('grad-norm');
  });
  it('restarts when a knob changes (totals under other weights are not comparable)', () => {
    const det = new DivergenceDetector();
    for (let i = 0; i < 30; i++) {
      const weights = { ...W, kd: i < 15 ? 0 : 100 }; // the KD weight raised at step 15: the total jumps 100×
      expect(det.push({ step: i, values: row(i < 15 ? 1 : 100), lr: 0.001, clipNorm: 1, T: 2, weights })).toBeNull();
    }
  });
  it('likelyKnob: lr, then clipping, then a low T with KD on, then a heavy weight', () => {
    expect(likelyKnob({ lr: 0.1, clipNorm: 1, T: 2, weights: W })).toBe('optim.lr');
    expect(likelyKnob({ lr: 0.001, clipNorm: 0, T: 2, weights: W })).toBe('optim.clipNorm');
    expect(likelyKnob({ lr: 0.001, clipNorm: 1, T: 0.05, weights: W })).toBe('kd.T');
    expect(likelyKnob({ lr: 0.001, clipNorm: 1, T: 2, weights: { ...W, hidden: 50 } })).toBe('weights.hidden');
  });
});
