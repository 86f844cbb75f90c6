// The fair study's picks, ids and verdicts (issue 28): best-by-val, the dedupe against the paper's conditions, and the
// Holm / TOST decisions on runs whose statistics are worked out by hand here.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig } from '../config/config';
import { CONDITIONS } from './findings';
import { decideFamily, fairConfig, fairFindings, finalIdOf, finalIds, pickBest } from './fairStudy';
import type { StudyRun } from './study';
import { FAIR_STUDY, TUNING } from './tuning';

const run = (condition: string, seed: number, overall: number, split: 'val' | 'test' = 'val'): StudyRun => ({ pack: 'p', condition, seed, steps: FAIR_STUDY.steps, backend: 'wasm', overall, perFamily: {}, split });

/** Every grid config at two val seeds; `boost` raises the named ones. */
function tuneRuns(boost: Record<string, number> = {}): StudyRun[] {
  return Object.values(TUNING).flatMap((t) => t.grid.flatMap((g) => [1, 2].map((s) => run(g.id, s, 50 + (boost[g.id] ?? 0) + s))));
}

describe('pickBest', () => {
  it('picks the highest mean val per group, the earlier config on a tie, nothing while a member is unfinished', () => {
    const t = pickBest(tuneRuns({ 'tune-fkl-3': 10, 'tune-mse-4': 5 }));
    expect(t.fkl.best).toBe('tune-fkl-3');
    expect(t.mse.best).toBe('tune-mse-4');
    expect(t.ce.best).toBe('tune-ce-1'); // all equal: the first
    expect(t['fkl-light'].best).toBe('tune-fkl-1');
    expect(t.fkl.val['tune-fkl-3']).toEqual({ mean: 61.5, n: 2 });
    expect(t.affinity.best).toBeNull(); // no second-stage runs
    expect(pickBest(tuneRuns().filter((r) => !(r.condition === 'tune-rkl-2' && r.seed === 2))).rkl.best).toBeNull();
  });

  it('ignores test runs and runs of another budget', () => {
    const runs = [...tuneRuns(), run('tune-fkl-4', 3, 99, 'test'), { ...run('tune-fkl-4', 4, 99), steps: 3000 }];
    expect(pickBest(runs).fkl.val['tune-fkl-4'].n).toBe(2);
  });
});

describe('ids and configs', () => {
  const tuning = pickBest(tuneRuns({ 'tune-fkl-3': 10 }));

  it('measures a pick under the paper condition with the same config, else under final-<id>', () => {
    expect(finalIdOf('fkl', tuning)).toBe('rich-fkl3-t4'); // ×3 T 4 with T² is the paper stage's rich-fkl3-t4
    expect(finalIdOf('fkl-light', tuning)).toBe('rich-fkl'); // ×1 T 1
    expect(finalIdOf('ce', tuning)).toBe('final-tune-ce-1'); // lr 5e-4 is no paper condition
    expect(finalIdOf('fkl-labeled', tuning)).toBe('final-tune-fkl-3-labeled');
    expect(finalIdOf('affinity', tuning)).toBeNull();
  });

  it('builds a second-stage config on the best fKL, and a labeled one without the unlabeled split', () => {
    const a = fairConfig('tune2-affinity-2', tuning)!;
    expect([a.weights.kd, a.kd.T, a.kd.t2, a.weights.affinity, a.data.useUnlabeled]).toEqual([3, 4, true, 5, true]);
    const l = fairConfig('final-tune-fkl-3-labeled', tuning)!;
    expect([l.weights.kd, l.weights.seq, l.data.useUnlabeled]).toEqual([3, 0, false]);
    expect(fairConfig('rich-fkl', tuning)).toEqual(mergeConfig(DEFAULT_CONFIG, CONDITIONS['rich-fkl'].patch));
    expect(fairConfig('nope', tuning)).toBeUndefined();
    expect(finalIds(tuning)).not.toContain(null);
  });
});

describe('decideFamily', () => {
  // a: 10, 12, 14 (mean 12, s² 4); b: 2, 4, 6 (mean 4, s² 4): diff 8, se √(4/3 + 4/3) = 1.633, df 4, t 4.899
  // two-sided p = 0.00805 (scipy); two comparisons: Holm multiplies the smaller p by 2
  const values: Record<string, number[]> = { a: [10, 12, 14], b: [2, 4, 6], c: [11, 12, 13], d: [11.5, 12, 12.5], e: [1] };
  const v = (id: string) => values[id] ?? [];

  it('gt: Welch p, Holm over the family, the sign decides reproduces or reversed', () => {
    const out = decideFamily({ F1: [{ kind: 'gt', a: 'a', b: 'b' }], F2: [{ kind: 'gt', a: 'b', b: 'a' }] }, v);
    const [c] = out.F1;
    expect(c.diff).toBe(8);
    expect(c.se).toBeCloseTo(1.633, 3);
    expect(c.df).toBeCloseTo(4, 6);
    expect(c.p).toBeCloseTo(0.00805, 5); // scipy.stats.ttest_ind(a, b, equal_var=False): 0.0080499
    expect(c.pHolm).toBeCloseTo(0.0161, 4);
    expect(c.ci95[0]).toBeCloseTo(8 - 2.776 * 1.633, 2);
    expect(c.verdict).toBe('reproduces');
    expect(out.F2[0].verdict).toBe('reversed');
  });

  it('eq: TOST within the margin reproduces, beyond it differs; too few runs stays inconclusive and out of Holm', () => {
    const out = decideFamily({ F6: [{ kind: 'eq', a: 'c', b: 'd' }], F7: [{ kind: 'eq', a: 'a', b: 'b' }], F8: [{ kind: 'eq', a: 'e', b: 'c' }] }, v);
    expect(out.F6[0].test).toBe('tost');
    expect(out.F6[0].margin).toBe(FAIR_STUDY.margin);
    expect(out.F6[0].verdict).toBe('reproduces'); // diff 0, se 0.645: well inside ±3
    expect(out.F7[0].verdict).toBe('differs'); // diff 8 ± 1.63: beyond 3
    expect(out.F8[0].verdict).toBe('inconclusive');
    expect(out.F8[0].pHolm).toBeNull();
  });

  it('fairFindings: every finding carries both verdicts and the old verdict equals the paper one', () => {
    const fs = fairFindings(tuneRuns(), pickBest(tuneRuns()));
    expect(fs.length).toBeGreaterThan(10);
    for (const f of fs) {
      expect(f.verdict).toBe(f.verdicts.paper.verdict);
      expect(f.verdicts.best.comparisons.length).toBeGreaterThan(0);
    }
  });
});
