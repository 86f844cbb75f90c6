// The fair study's plan (issue 28): every grid has at most 4 configs, each a valid config over the defaults with its own
// id; the second-stage grids stay valid on a tuned base; the whole plan stays under about 900 runs.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig, validateConfig } from '../config/config';
import { fairStudyPlan, ON_BEST_FKL, PAPER_STAGE, TUNING } from './tuning';

describe('fair study plan', () => {
  it('grids of ≤ 4 valid configs with distinct ids', () => {
    const ids = new Set<string>();
    for (const [obj, t] of Object.entries(TUNING)) {
      expect(t.grid.length, obj).toBeLessThanOrEqual(4);
      for (const g of t.grid) {
        expect(() => validateConfig(mergeConfig(DEFAULT_CONFIG, g.patch)), g.id).not.toThrow();
        expect(ids.has(g.id), g.id).toBe(false);
        ids.add(g.id);
      }
    }
    for (const [obj, t] of Object.entries(ON_BEST_FKL)) {
      expect(t.grid.length, obj).toBeLessThanOrEqual(4);
      const base = mergeConfig(DEFAULT_CONFIG, TUNING.fkl.grid[2].patch); // any fKL config as the base
      for (const g of t.grid) expect(() => validateConfig(mergeConfig(base, g)), obj).not.toThrow();
    }
  });
  it("fKL's grid holds the lab's paper settings (×1 and ×5 at T 1) and the authors' committed T 0.7 with T²", () => {
    const kd = TUNING.fkl.grid.map((g) => [g.patch.weights?.kd, g.patch.kd?.T, g.patch.kd?.t2]);
    expect(kd).toContainEqual([1, 1, false]);
    expect(kd).toContainEqual([5, 1, false]);
    expect(kd).toContainEqual([1, 0.7, true]);
  });
  it('the plan on three packs stays under about 900 runs (an upper bound: picks that are paper conditions reuse runs)', () => {
    const total = fairStudyPlan(['shapes', 'hues', 'digits']).reduce((n, r) => n + r.runs, 0);
    expect(total).toBe(942); // tune 3 × 58, second stage 3 × 18, finals at most 17 × 8 + 17 × 8 + 17 × 5, paper 21 (20 data-rich + lab-fkl) × 6, 6, 5
    expect(PAPER_STAGE).not.toContain('rich-fkl-img');
    expect(PAPER_STAGE).toContain('lab-fkl');
  });
});
