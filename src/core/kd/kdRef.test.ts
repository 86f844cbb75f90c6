// Tests of the float64 loss reference: hand-derived values, identities between divergences, top-K limits and the
// reductions (DESIGN §3). The tfjs losses are then tested against this reference in src/model/losses.test.ts.
import { describe, expect, it } from 'vitest';
import { DIVERGENCES } from '../config/config';
import {
  affinityLoss,
  attentionLoss,
  ceRow,
  divergenceRow,
  hiddenRow,
  logSoftmax,
  maskedMean,
  normalizeLogits,
  softmax,
  topkDivergenceRow,
  type DivOptions,
} from './kdRef';
import { Rng } from '../base/rng';

const base: DivOptions = { divergence: 'fkl', T: 1, t2: false, normLogits: false, beta: 0.5, alpha: 0.1 };
const opt = (p: Partial<DivOptions>): DivOptions => ({ ...base, ...p });
const randRow = (rng: Rng, V: number, scale: number) => Array.from({ length: V }, () => scale * rng.normal());
const lse = (z: number[]) => Math.log(z.reduce((s, v) => s + Math.exp(v), 0));
const KL = ['fkl', 'rkl', 'jsd', 'tvd', 'sfkl', 'srkl'] as const;

describe('logSoftmax / softmax / normalizeLogits', () => {
  it('softmax of [ln 3, 0] is [3/4, 1/4]; stable for ±1000', () => {
    const p = softmax([Math.log(3), 0]);
    expect(p[0]).toBeCloseTo(0.75, 14);
    expect(p[1]).toBeCloseTo(0.25, 14);
    const l = logSoftmax([1000, -1000]);
    expect(l[0]).toBeCloseTo(0, 12);
    expect(l[1]).toBeCloseTo(-2000, 9);
  });
  it('temperature divides the logits', () => {
    expect(softmax([2 * Math.log(3), 0], 2)[0]).toBeCloseTo(0.75, 14);
  });
  it('normalizeLogits: Bessel std; [1,2,3] → [-1,0,1]/(1+1e-7)', () => {
    // mean 2, Σ(z−mean)² = 2, std = sqrt(2/(3−1)) = 1
    const n = normalizeLogits([1, 2, 3]);
    [-1, 0, 1].forEach((v, i) => expect(n[i]).toBeCloseTo(v / (1 + 1e-7), 14));
    expect(normalizeLogits([5])).toEqual([0]);
    expect(normalizeLogits([4, 4, 4])).toEqual([0, 0, 0]);
  });
});

describe('divergenceRow: hand-derived values', () => {
  // zs = [0,0] → p_s = [1/2, 1/2]; zt = [ln 3, 0] → p_t = [3/4, 1/4]
  const zs = [0, 0];
  const zt = [Math.log(3), 0];
  it('fkl = 3/4 ln(3/2) + 1/4 ln(1/2)', () => {
    expect(divergenceRow(zs, zt, opt({}))).toBeCloseTo(0.75 * Math.log(1.5) + 0.25 * Math.log(0.5), 14);
  });
  it('rkl = 1/2 ln(2/3) + 1/2 ln 2', () => {
    expect(divergenceRow(zs, zt, opt({ divergence: 'rkl' }))).toBeCloseTo(
      0.5 * Math.log(2 / 3) + 0.5 * Math.log(2),
      14,
    );
  });
  it('tvd = ½(|3/4 − 1/2| + |1/4 − 1/2|) = 1/4', () => {
    expect(divergenceRow(zs, zt, opt({ divergence: 'tvd' }))).toBeCloseTo(0.25, 14);
  });
  it('jsd(β=1/2): m = [5/8, 3/8]; ½[3/4 ln(6/5) + 1/4 ln(2/3)] + ½[1/2 ln(4/5) + 1/2 ln(4/3)]', () => {
    const want =
      0.5 * (0.75 * Math.log(0.75 / 0.625) + 0.25 * Math.log(0.25 / 0.375)) +
      0.5 * (0.5 * Math.log(0.5 / 0.625) + 0.5 * Math.log(0.5 / 0.375));
    expect(divergenceRow(zs, zt, opt({ divergence: 'jsd' }))).toBeCloseTo(want, 14);
  });
  it('sfkl(α=1/2): m = ½p_t + ½p_s = [5/8, 3/8]; KL(p_t‖m)', () => {
    const want = 0.75 * Math.log(0.75 / 0.625) + 0.25 * Math.log(0.25 / 0.375);
    expect(divergenceRow(zs, zt, opt({ divergence: 'sfkl', alpha: 0.5 }))).toBeCloseTo(want, 14);
  });
  it('srkl(α=1/4): m = ¾p_t + ¼p_s = [11/16, 5/16]; KL(p_s‖m)', () => {
    const want = 0.5 * Math.log(0.5 / (11 / 16)) + 0.5 * Math.log(0.5 / (5 / 16));
    expect(divergenceRow(zs, zt, opt({ divergence: 'srkl', alpha: 0.25 }))).toBeCloseTo(want, 14);
  });
  it('mse = mean (z_s − z_t)², ignores T and t2', () => {
    const want = Math.log(3) ** 2 / 2;
    expect(divergenceRow(zs, zt, opt({ divergence: 'mse', T: 7, t2: true }))).toBeCloseTo(want, 14);
  });
  it('fkl at T = 2, t2: T² · KL of softmax(z/2)', () => {
    // zt/2 = [ln √3, 0] → p_t = [√3/(1+√3), 1/(1+√3)]
    const a = Math.sqrt(3) / (1 + Math.sqrt(3));
    const kl = a * Math.log(a / 0.5) + (1 - a) * Math.log((1 - a) / 0.5);
    expect(divergenceRow(zs, zt, opt({ T: 2 }))).toBeCloseTo(kl, 14);
    expect(divergenceRow(zs, zt, opt({ T: 2, t2: true }))).toBeCloseTo(4 * kl, 13);
  });
  it('ceRow: −log softmax(z)[target]', () => {
    expect(ceRow([Math.log(3), 0], 1)).toBeCloseTo(Math.log(4), 14);
    expect(ceRow([60, -60], 1)).toBeCloseTo(120, 9);
  });
});

describe('divergenceRow: identities on random rows', () => {
  const rng = new Rng(7);
  const cases = Array.from({ length: 40 }, () => {
    const V = rng.pick([2, 5, 17]);
    const s = rng.pick([0.1, 1, 5, 20]);
    return { zs: randRow(rng, V, s), zt: randRow(rng, V, s), T: rng.pick([0.5, 1, 3]) };
  });
  it('identical inputs give 0 for every loss', () => {
    for (const c of cases)
      for (const d of DIVERGENCES)
        expect(Math.abs(divergenceRow(c.zt, c.zt, opt({ divergence: d, T: c.T })))).toBeLessThan(1e-12);
  });
  it('KL ≥ 0, tvd ∈ [0, 1], jsd ≤ ln 2 at β = ½', () => {
    for (const c of cases) {
      for (const d of KL)
        expect(divergenceRow(c.zs, c.zt, opt({ divergence: d, T: c.T }))).toBeGreaterThanOrEqual(-1e-12);
      const t = divergenceRow(c.zs, c.zt, opt({ divergence: 'tvd', T: c.T }));
      expect(t).toBeLessThanOrEqual(1);
      expect(divergenceRow(c.zs, c.zt, opt({ divergence: 'jsd', T: c.T }))).toBeLessThanOrEqual(Math.log(2) + 1e-12);
    }
  });
  it('jsd is symmetric at β = ½; fkl(s,t) = rkl(t,s); tvd symmetric', () => {
    for (const c of cases) {
      const o = opt({ divergence: 'jsd', T: c.T });
      expect(divergenceRow(c.zs, c.zt, o)).toBeCloseTo(divergenceRow(c.zt, c.zs, o), 10);
      expect(divergenceRow(c.zs, c.zt, opt({ T: c.T }))).toBeCloseTo(
        divergenceRow(c.zt, c.zs, opt({ divergence: 'rkl', T: c.T })),
        10,
      );
    }
  });
  it('sfkl at α = 0 is fkl, srkl at α = 0 is rkl', () => {
    for (const c of cases) {
      expect(divergenceRow(c.zs, c.zt, opt({ divergence: 'sfkl', alpha: 0, T: c.T }))).toBe(
        divergenceRow(c.zs, c.zt, opt({ T: c.T })),
      );
      expect(divergenceRow(c.zs, c.zt, opt({ divergence: 'srkl', alpha: 0, T: c.T }))).toBe(
        divergenceRow(c.zs, c.zt, opt({ divergence: 'rkl', T: c.T })),
      );
    }
  });
  it('t2 multiplies every divergence except mse by T²', () => {
    for (const c of cases.slice(0, 10)) {
      for (const d of DIVERGENCES) {
        const plain = divergenceRow(c.zs, c.zt, opt({ divergence: d, T: c.T }));
        const scaled = divergenceRow(c.zs, c.zt, opt({ divergence: d, T: c.T, t2: true }));
        expect(scaled).toBeCloseTo(d === 'mse' ? plain : plain * c.T * c.T, 10);
      }
    }
  });
  it('normLogits makes every loss invariant to a shift and positive scale of each row', () => {
    for (const c of cases.slice(0, 10)) {
      for (const d of DIVERGENCES) {
        const o = opt({ divergence: d, T: c.T, normLogits: true });
        const moved = divergenceRow(
          c.zs.map((v) => 3 * v + 11),
          c.zt.map((v) => 0.5 * v - 4),
          o,
        );
        expect(moved).toBeCloseTo(divergenceRow(c.zs, c.zt, o), 5); // up to the 1e-7 in std + 1e-7
      }
    }
  });
  it('peaked ±60 logits at T = 0.1 give finite values', () => {
    const zs = [60, -60, -60, 0];
    const zt = [-60, 60, 0, -60];
    for (const d of DIVERGENCES)
      expect(Number.isFinite(divergenceRow(zs, zt, opt({ divergence: d, T: 0.1, t2: true })))).toBe(true);
    expect(divergenceRow(zs, zt, opt({ divergence: 'tvd', T: 0.1 }))).toBeCloseTo(1, 12);
  });
});

describe('topkDivergenceRow', () => {
  const rng = new Rng(11);
  const rows = Array.from({ length: 12 }, () => {
    const V = rng.pick([2, 6, 13]);
    return { zs: randRow(rng, V, 3), zt: randRow(rng, V, 3) };
  });
  const topk = (zt: number[], K: number) => {
    const ids = zt
      .map((_, i) => i)
      .sort((a, b) => zt[b] - zt[a])
      .slice(0, K);
    return { ids, logits: ids.map((i) => zt[i]), lse: lse(zt) };
  };
  it('K = V renorm equals dense for every divergence and T, t2', () => {
    for (const { zs, zt } of rows) {
      const t = topk(zt, zt.length);
      for (const d of KL) {
        for (const T of [0.5, 1, 2]) {
          const o = opt({ divergence: d, T, t2: true });
          expect(topkDivergenceRow(zs, t.ids, t.logits, t.lse, o, 'renorm')).toBeCloseTo(divergenceRow(zs, zt, o), 10);
        }
      }
    }
  });
  it('K = V tail (empty tail) equals dense', () => {
    for (const { zs, zt } of rows) {
      const t = topk(zt, zt.length);
      for (const d of KL) {
        const o = opt({ divergence: d });
        expect(topkDivergenceRow(zs, t.ids, t.logits, t.lse, o, 'tail')).toBeCloseTo(divergenceRow(zs, zt, o), 10);
      }
    }
  });
  it('tail, hand-derived: V = 3, K = 1', () => {
    // zt = [ln 2, 0, 0] → p_t = [1/2, 1/4, 1/4]; top-1 = id 0, tail = 1/2.
    // zs = [0, 0, 0] → p_s = [1/3, 1/3, 1/3]; buckets [1/3, 2/3].
    const zt = [Math.log(2), 0, 0];
    const want = 0.5 * Math.log(0.5 / (1 / 3)) + 0.5 * Math.log(0.5 / (2 / 3));
    expect(topkDivergenceRow([0, 0, 0], [0], [Math.log(2)], lse(zt), opt({}), 'tail')).toBeCloseTo(want, 14);
    // renorm with K = 1 is always 0: one bucket, probability 1 on both sides
    expect(topkDivergenceRow([0, 3, 0], [0], [Math.log(2)], lse(zt), opt({ T: 2 }), 'renorm')).toBe(0);
  });
  it('tail with an empty teacher tail but student mass outside: rkl is large but finite (floor)', () => {
    // the teacher's top-1 holds all its mass (lse = its logit); the student puts mass on id 1.
    const v = topkDivergenceRow([0, 0], [0], [5], 5, opt({ divergence: 'rkl' }), 'tail');
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeGreaterThan(30); // ½(ln ½ − ln 1) + ½(ln ½ + 69.08)
  });
  it('rejects mse, normLogits and tail with T ≠ 1', () => {
    expect(() => topkDivergenceRow([0, 1], [0], [1], 2, opt({ divergence: 'mse' }), 'renorm')).toThrow(/mse/);
    expect(() => topkDivergenceRow([0, 1], [0], [1], 2, opt({ normLogits: true }), 'renorm')).toThrow(/normLogits/);
    expect(() => topkDivergenceRow([0, 1], [0], [1], 2, opt({ T: 2 }), 'tail')).toThrow(/T = 1/);
  });
});

describe('hidden, affinity, attention, maskedMean', () => {
  it('hiddenRow mse and cosine, with the zero-vector guard', () => {
    expect(hiddenRow([1, 2], [3, 0], 'mse')).toBeCloseTo((4 + 4) / 2, 14);
    expect(hiddenRow([1, 0], [0, 2], 'cosine')).toBeCloseTo(1, 14);
    expect(hiddenRow([1, 1], [2, 2], 'cosine')).toBeCloseTo(0, 14);
    expect(hiddenRow([1, 0], [-3, 0], 'cosine')).toBeCloseTo(2, 14);
    expect(hiddenRow([0, 0], [1, 0], 'cosine')).toBe(1);
  });
  it('affinityLoss: hand-derived, masked columns ignored, empty → 0', () => {
    // ĥ_img = [[1,0],[0,1]]; ĥ_ans = [[1,0],[0.6,0.8]] → S_s = [[1, 0.6],[0, 0.8]]
    const img = [
      [2, 0],
      [0, 5],
    ];
    const ans = [
      [3, 0],
      [3, 4],
    ];
    const St = [
      [0, 0.6],
      [0, 0],
    ];
    expect(affinityLoss(img, ans, St, [1, 1])).toBeCloseTo((1 + 0 + 0 + 0.64) / 4, 14);
    expect(affinityLoss(img, ans, St, [0, 1])).toBeCloseTo((0 + 0.64) / 2, 14);
    expect(affinityLoss(img, ans, St, [0, 0])).toBe(0);
  });
  it('attentionLoss: mean over masked rows × P', () => {
    const As = [
      [0.5, 0.5],
      [1, 0],
    ];
    const At = [
      [1, 0],
      [1, 0],
    ];
    expect(attentionLoss(As, At, [1, 1])).toBeCloseTo(0.5 / 4, 14);
    expect(attentionLoss(As, At, [1, 0])).toBeCloseTo(0.5 / 2, 14);
    expect(attentionLoss(As, At, [0, 0])).toBe(0);
  });
  it('maskedMean: mean over mask = 1, empty → 0', () => {
    expect(maskedMean([1, 2, 100], [1, 1, 0])).toBe(1.5);
    expect(maskedMean([1, 2], [0, 0])).toBe(0);
    expect(maskedMean([], [])).toBe(0);
  });
});
