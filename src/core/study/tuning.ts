// The fair study's plan (issue 28), fixed before any of its runs: each objective's tuning grid (≤ 4 configs over its own
// knobs, on the data-rich base, chosen on val), the seeds per pack, and the run count. Pure TS: the planner prints it.
import type { DeepPartial, Divergence, TrainConfig } from '../config/config';
import { CONDITIONS, FINDINGS } from './findings';

/** One config of a grid: a patch over the data-rich base (CE 1, seqCE 1, the unlabeled split), like the study's. */
export interface GridConfig {
  id: string; // `tune-<objective>-<k>`
  label: string;
  patch: DeepPartial<TrainConfig>;
}

const W0 = { ce: 1, seq: 1, kd: 0, hidden: 0, affinity: 0, attention: 0 };
const rich = (p: DeepPartial<TrainConfig>): DeepPartial<TrainConfig> => ({ data: { useUnlabeled: true }, ...p, weights: { ...W0, ...p.weights } });
const kdCfg = (div: Divergence, w: number, T: number, t2: boolean): DeepPartial<TrainConfig> =>
  rich({ weights: { kd: w }, kd: { divergence: div, T, t2, normLogits: false, topKMode: 'dense', allPositions: false, source: 'cached' } });

/**
 * The divergences' grid: the paper's ×1 and ×5 at T 1 (the lab's paper settings), the lab's tuned ×3 at T 4 with T², and
 * the authors' committed trainer setting (T 0.7 multiplied by 0.7², 04d5a53…b3795bb) at ×1.
 */
const DIV_GRID: [number, number, boolean][] = [[1, 1, false], [5, 1, false], [3, 4, true], [1, 0.7, true]];

/** Each objective a finding compares, and its grid. Weights span the gradient scales the issue measured (logit MSE
 *  averages over V ≈ 60 entries: ≈ 24× the authors' F.mse_loss over 32,000 for the same gap, hence its small weights). */
export const TUNING: Record<string, { about: string; grid: GridConfig[] }> = Object.fromEntries(
  Object.entries({
    fkl: { about: 'forward KL on answer tokens: weight, T (with T²)', grid: DIV_GRID.map(([w, T, t2]) => kdCfg('fkl', w, T, t2)) },
    rkl: { about: 'reverse KL: the same grid', grid: DIV_GRID.map(([w, T, t2]) => kdCfg('rkl', w, T, t2)) },
    jsd: { about: 'Jensen–Shannon (β 0.5): the same grid', grid: DIV_GRID.map(([w, T, t2]) => kdCfg('jsd', w, T, t2)) },
    tvd: { about: 'total variation: the same grid', grid: DIV_GRID.map(([w, T, t2]) => kdCfg('tvd', w, T, t2)) },
    mse: { about: 'logit MSE (T not applied): weight 0.05, 0.2, 1, 5', grid: [0.05, 0.2, 1, 5].map((w) => kdCfg('mse', w, 1, false)) },
    'hidden-mse': { about: 'hidden-state MSE through φ: weight 1, 5, 20', grid: [1, 5, 20].map((w) => rich({ weights: { hidden: w }, hiddenMode: 'mse' })) },
    'hidden-cos': { about: 'hidden-state cosine through φ: weight 1, 5, 20', grid: [1, 5, 20].map((w) => rich({ weights: { hidden: w }, hiddenMode: 'cosine' })) },
    ce: { about: 'CE + seqCE alone: learning rate 5e-4, 1e-3, 2e-3', grid: [5e-4, 1e-3, 2e-3].map((lr) => rich({ optim: { lr } })) },
  }).map(([obj, g]) => [obj, { about: g.about, grid: g.grid.map((patch, k) => ({ id: `tune-${obj}-${k + 1}`, label: `${obj} #${k + 1}`, patch })) }]),
);

/**
 * Objectives tuned on top of the best forward-KL config (a second stage, after fkl's grid is decided): an added term
 * is compared at its own best weight against that best base, so "adds little" is not "any extra gradient helps".
 */
export const ON_BEST_FKL: Record<string, { about: string; grid: DeepPartial<TrainConfig>[] }> = {
  affinity: { about: 'best fKL + affinity, weight 1, 5', grid: [{ weights: { affinity: 1 } }, { weights: { affinity: 5 } }] },
  attention: { about: 'best fKL + attention, weight 1, 5', grid: [{ weights: { attention: 1 } }, { weights: { attention: 5 } }] },
  'all-positions': { about: 'best fKL on all positions (online teacher)', grid: [{ kd: { allPositions: true, source: 'online' } }] },
  'on-policy': { about: 'best fKL with on-policy λ 0.25, 0.5', grid: [{ onPolicy: { lambda: 0.25 } }, { onPolicy: { lambda: 0.5 } }] },
  // added before any second-stage run (2026-12-07): F5's "both together" needs hidden on top of the best logits
  hidden: { about: 'best fKL + hidden MSE, weight 1, 5', grid: [{ weights: { hidden: 1 }, hiddenMode: 'mse' }, { weights: { hidden: 5 }, hiddenMode: 'mse' }] },
};

/** The second stage's config ids: `tune2-<objective>-<k>` (their patch is the pack's best fKL with the grid's patch). */
export const SECOND_STAGE: Record<string, string[]> = Object.fromEntries(
  Object.entries(ON_BEST_FKL).map(([obj, t]) => [obj, t.grid.map((_, k) => `tune2-${obj}-${k + 1}`)]),
);
export const secondStagePatch = (id: string): DeepPartial<TrainConfig> | undefined => {
  const m = /^tune2-(.+)-(\d+)$/.exec(id);
  return m ? ON_BEST_FKL[m[1]]?.grid[Number(m[2]) - 1] : undefined;
};

const ids = (obj: string) => TUNING[obj].grid.map((g) => g.id);

/**
 * The "best" sides of the fair verdicts: each picks, by mean val exact match over the tuning seeds, one config among
 * its members. An objective's own grid for most; knob findings compare groups of the fKL grid (F2: heavy vs light
 * weight, F12: soft vs T 1, F4: the authors' T 0.7 with T² vs T 1 at weight 1 — T 0.1 and 0.25 are in no grid).
 */
export const BEST_OF: Record<string, { about: string; of: string[] }> = {
  ...Object.fromEntries(Object.keys(TUNING).map((obj) => [obj, { about: `best of the ${obj} grid`, of: ids(obj) }])),
  ...Object.fromEntries(Object.keys(ON_BEST_FKL).map((obj) => [obj, { about: `best fKL + ${obj}: best of its second-stage grid`, of: SECOND_STAGE[obj] }])),
  'fkl-heavy': { about: 'fKL at weight > 1 (×5 T 1, ×3 T 4 with T²): the better by val', of: ['tune-fkl-2', 'tune-fkl-3'] },
  'fkl-light': { about: 'fKL at weight 1 (T 1, T 0.7 with T²): the better by val', of: ['tune-fkl-1', 'tune-fkl-4'] },
  'fkl-soft': { about: 'fKL ×3 at T 4 with T²', of: ['tune-fkl-3'] },
  'fkl-t1': { about: 'fKL at T 1 (×1, ×5): the better by val', of: ['tune-fkl-1', 'tune-fkl-2'] },
  'fkl-t07': { about: 'fKL ×1 at T 0.7 with T² (the authors\' trainer)', of: ['tune-fkl-4'] },
  'fkl-t1w1': { about: 'fKL ×1 at T 1', of: ['tune-fkl-1'] },
};

/** The data-rich best fKL config on the labeled-only base (F9 at best): the suffix a final id carries. */
export const LABELED_SUFFIX = '-labeled';
export const LABELED_PATCH: DeepPartial<TrainConfig> = { weights: { seq: 0 }, data: { useUnlabeled: false } };


/** Fixed before the runs (issue 28 item 6): steps, tuning seeds, and the seeds of the final comparisons per pack. */
export const FAIR_STUDY = {
  steps: 2000, // the val curves plateau from ~1,750 (docs/findings.md); the best-val step is reported beside the end
  curveEvery: 100,
  tuneSeeds: 2, // each grid config, on val
  finalSeeds: { shapes: 8, hues: 8, digits: 5 } as Record<string, number>, // each objective's best config, on test
  paperSeeds: { shapes: 6, hues: 6, digits: 5 } as Record<string, number>, // each of today's conditions (paper settings), on test
  finalSeedBase: 100, // the finals' seeds are 101, 102, …: none of them is a tuning seed (1, 2)
  margin: 3, // points: the TOST margin of every "≈ / adds little" claim
  alpha: 0.05, // two-sided, then Holm across a pack's decisive comparisons
} as const;

export interface PlanRow {
  pack: string;
  stage: 'tune' | 'tune on best fKL' | 'best' | 'paper';
  runs: number;
}

/** The runs of the fair study on these packs: tuning grids, the second-stage grids, each best, the paper's conditions. */
export function fairStudyPlan(packs: readonly string[]): PlanRow[] {
  const gridConfigs = Object.values(TUNING).reduce((n, t) => n + t.grid.length, 0);
  const secondStage = Object.values(ON_BEST_FKL).reduce((n, t) => n + t.grid.length, 0);
  // at most: one pick per objective, every fKL config (the knob findings' groups), the labeled best fKL; a pick that is
  // one of the paper's conditions reuses its paper runs (then only finalSeeds − paperSeeds more)
  const bests = Object.keys(TUNING).length - 1 + TUNING.fkl.grid.length + Object.keys(ON_BEST_FKL).length + 1;
  const paper = PAPER_STAGE.length;
  return packs.flatMap((pack) => {
    return [
      { pack, stage: 'tune' as const, runs: gridConfigs * FAIR_STUDY.tuneSeeds },
      { pack, stage: 'tune on best fKL' as const, runs: secondStage * FAIR_STUDY.tuneSeeds },
      { pack, stage: 'best' as const, runs: bests * (FAIR_STUDY.finalSeeds[pack] ?? 5) },
      { pack, stage: 'paper' as const, runs: paper * (FAIR_STUDY.paperSeeds[pack] ?? 5) },
    ];
  });
}

/** The paper-settings stage: today's data-rich conditions that decide a finding (F3's probes, which do not, are left
 *  to the first study: decided 2026-12-07, before any paper-stage run, to keep the plan near 900 runs), and the
 *  labeled-only CE + fKL that F9 compares with. */
const PROBES = new Set(FINDINGS.flatMap((f) => f.probe ?? []));
export const PAPER_STAGE: string[] = [...Object.values(CONDITIONS).filter((c) => c.base === 'rich' && !PROBES.has(c.id)).map((c) => c.id), 'lab-fkl'];
