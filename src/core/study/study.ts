// The studies' conditions and the contract JSON of the full study (DESIGN §6b): the quick study's three conditions,
// and studyJson(), which turns the finished runs into study/<pack>.json with per-finding verdicts. Pure TS.
import type { DeepPartial, TrainConfig } from '../config/config';
import type { FairVerdictSet, TuningEntry } from './fairTypes';
import { type Base, CONDITIONS, FINDINGS, findingConditions, type PaperValue } from './findings';
import { combine, compare, type ComparisonResult, mean, pairedDiff, std, TARGET_SE, type Verdict } from './stats';

export type StudyConditionId = 'a' | 'b' | 'c' | 'd';

/** KD in (b) and (c): forward KL on the answer positions at T = 4 with the T² factor, weight 3. At T = 1 the confident
 *  teachers' targets are nearly one-hot and add nothing to 500 labels; softened, the answer distribution also ranks
 *  the image's other colours, shapes and digits (docs/packs.md, "Quick study"). */
const STUDY_KD = { divergence: 'fkl', T: 4, t2: true, normLogits: false, topKMode: 'dense', allPositions: false, source: 'cached' } as const;

/** The quick study (`npm run study -- --quick`). */
export const STUDY_CONDITIONS: Record<StudyConditionId, { label: string; patch: DeepPartial<TrainConfig> }> = {
  a: { label: '(a) CE, labeled', patch: { weights: { ce: 1 } } },
  b: { label: '(b) CE + 3 fKL(T 4) logits, labeled', patch: { weights: { ce: 1, kd: 3 }, kd: { ...STUDY_KD } } },
  c: {
    label: '(c) (b) + seqCE + KD on unlabeled',
    patch: { weights: { ce: 1, kd: 3, seq: 1 }, kd: { ...STUDY_KD }, data: { useUnlabeled: true } },
  },
  // issue 27's plain KD beside the tuned (b): fKL ×1 at T 1, the paper's "KL ×1" as the lab runs it
  d: { label: '(d) CE + fKL(T 1) logits, labeled', patch: { weights: { ce: 1, kd: 1 }, kd: { ...STUDY_KD, T: 1, t2: false } } },
};

/** The full study's budget (docs/findings.md says why): training steps per run (the cosine schedule spans them) and
 *  seeds per pack (issue 15: ≥ 5 on shapes, ≥ 3 on digits). */
export const FULL_STUDY: { steps: number; seeds: Record<string, number> } = { steps: 3000, seeds: { shapes: 5, digits: 3 } };

/** One finished (pack, condition, seed) run: what study/runs/<pack>/<condition>-s<seed>.json holds. */
export interface StudyRun {
  pack: string;
  condition: string;
  seed: number;
  steps: number;
  backend: string;
  overall: number; // val exact match on every val sample, percent
  perFamily: Record<string, number>;
  seconds?: number; // training wall time
  msPerStep?: number;
  date?: string;
  commit?: string; // git hash of the code that made the run (DESIGN §6c; absent in runs made before issue 28)
  tfjs?: string; // tfjs version
  kernels?: 'lab-simd' | 'lab-relaxed' | 'tfjs'; // whose wasm kernels ran the step
  /** DESIGN §6c (the fair study's runs, `--split test --curve-every 100`): the split overall/perFamily are measured on,
   *  the val curve, the best-val step and its val score, and the split's numbers at that step (early stopping). */
  split?: 'val' | 'test';
  curve?: { step: number; val250: number; valAll: number }[];
  bestStep?: number;
  bestValOverall?: number;
  bestOverall?: number;
  bestPerFamily?: Record<string, number>;
  config?: TrainConfig; // the fair study's runs: the full config trained (tune2-* and final-* depend on the pack's tuning)
}

/** The code versions a set of runs mixes (kernels and tfjs; commits are many by design): '' when they agree. Runs
 *  without the fields (before issue 28) count as "unrecorded". */
export function mixedVersions(runs: readonly StudyRun[]): string {
  const kinds = (f: (r: StudyRun) => string | undefined) => [...new Set(runs.map((r) => f(r) ?? 'unrecorded'))].sort();
  const k = kinds((r) => r.kernels);
  const t = kinds((r) => r.tfjs);
  const parts = [k.length > 1 ? `kernels ${k.map((x) => `${x} (${runs.filter((r) => (r.kernels ?? 'unrecorded') === x).length})`).join(', ')}` : '', t.length > 1 ? `tfjs ${t.join(', ')}` : ''];
  return parts.filter(Boolean).join('; ');
}

export interface StudyCondition {
  label: string;
  base: Base;
  config: DeepPartial<TrainConfig>;
  runs: { seed: number; overall: number; perFamily: Record<string, number> }[];
  overall: { mean: number | null; std: number | null };
  perFamily: Record<string, { mean: number | null; std: number | null }>;
}

/** A comparison as the JSON carries it (NaN → null). */
export type StudyComparison = Omit<ComparisonResult, 'means' | 'stds' | 'diff' | 'se'> & {
  means: (number | null)[];
  stds: (number | null)[];
  diff: number | null;
  se: number | null;
  paired?: { n: number; diff: number | null; se: number | null }; // by seed (stats.pairedDiff); does not decide
};

export interface StudyFinding {
  id: string;
  claim: string;
  verdict: Verdict | 'differs'; // on the data-rich base (in the file: the fair study's paper-settings verdict, DESIGN §6c)
  paper: { values: PaperValue[]; note: string };
  conditions: string[];
  probe?: string[]; // conditions that probe the reason for the verdict (not decisive)
  comparisons: StudyComparison[];
  labeled?: { verdict: Verdict; comparisons: StudyComparison[] };
  /** DESIGN §6c: the fair study's two verdicts (study/fair-<pack>.json), and the first study's own verdict. */
  verdicts?: { paper: FairVerdictSet; best: FairVerdictSet };
  firstStudy?: { verdict: Verdict };
}

export interface StudyJson {
  pack: string;
  steps: number;
  backend: string;
  seeds: number; // seeds planned per condition
  complete: boolean; // every condition has `seeds` runs
  families: string[];
  conditions: Record<string, StudyCondition>;
  findings: StudyFinding[];
  tuning?: Record<string, TuningEntry>; // DESIGN §6c: each objective's grid and pick by val (the fair study's)
  fairStudy?: { steps: number; split: string; complete: boolean; runs: number; file: string };
}

const fin = (x: number): number | null => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);

function jsonComparison(r: ComparisonResult, bySeed: (id: string) => Map<number, number>): StudyComparison {
  const p = pairedDiff(bySeed(r.ids[0]), bySeed(r.ids[1]));
  return { ...r, means: r.means.map(fin), stds: r.stds.map(fin), diff: fin(r.diff), se: fin(r.se), paired: { n: p.n, diff: fin(p.diff), se: fin(p.se) } };
}

/** study/<pack>.json from the runs that exist (partial is fine: conditions without runs have null means). */
export function studyJson(o: { pack: string; steps: number; backend: string; seeds: number; families: string[]; runs: StudyRun[] }): StudyJson {
  const runsOf = (id: string) => o.runs.filter((r) => r.condition === id).sort((a, b) => a.seed - b.seed);
  const overallOf = (id: string) => runsOf(id).map((r) => r.overall);
  const bySeed = (id: string) => new Map(runsOf(id).map((r) => [r.seed, r.overall]));
  const conditions: Record<string, StudyCondition> = {};
  for (const c of Object.values(CONDITIONS)) {
    const runs = runsOf(c.id);
    const xs = runs.map((r) => r.overall);
    conditions[c.id] = {
      label: c.label,
      base: c.base,
      config: c.patch,
      runs: runs.map((r) => ({ seed: r.seed, overall: r.overall, perFamily: r.perFamily })),
      overall: { mean: fin(mean(xs)), std: fin(std(xs)) },
      perFamily: Object.fromEntries(o.families.map((f) => [f, { mean: fin(mean(runs.map((r) => r.perFamily[f]))), std: fin(std(runs.map((r) => r.perFamily[f]))) }])),
    };
  }
  const findings = FINDINGS.map((f): StudyFinding => {
    const cmp = f.comparisons.map((c) => compare(c, overallOf));
    const lab = f.labeled?.map((c) => compare(c, overallOf));
    return {
      id: f.id,
      claim: f.claim,
      verdict: combine(cmp.map((c) => c.verdict)),
      paper: f.paper,
      conditions: findingConditions(f),
      ...(f.probe ? { probe: f.probe } : {}),
      comparisons: cmp.map((c) => jsonComparison(c, bySeed)),
      ...(lab ? { labeled: { verdict: combine(lab.map((c) => c.verdict)), comparisons: lab.map((c) => jsonComparison(c, bySeed)) } } : {}),
    };
  });
  const complete = Object.values(conditions).every((c) => c.runs.length >= o.seeds);
  return { pack: o.pack, steps: o.steps, backend: o.backend, seeds: o.seeds, complete, families: o.families, conditions, findings };
}

/** Every comparison of a study, data-rich and labeled-only, with the finding it decides. */
export function allComparisons(j: StudyJson): { finding: string; c: StudyComparison }[] {
  return j.findings.flatMap((f) => [...f.comparisons, ...(f.labeled?.comparisons ?? [])].map((c) => ({ finding: f.id, c })));
}

/**
 * The next round of extra seeds (issue 15: "add seeds until the standard error of each decisive difference is at
 * most 2 points"): for every comparison whose SE is above `target` — or unknown while both sides have runs — the
 * next seed of each side that has fewer than `maxSeeds` runs. One seed per condition per round, in findings order,
 * so a round helps every noisy comparison at once and the study stays resumable (the runs decide the next round).
 */
export function extraRuns(j: StudyJson, maxSeeds: number, target = TARGET_SE): { condition: string; seed: number }[] {
  const out = new Map<string, number>();
  for (const { c } of allComparisons(j)) {
    if (c.n[0] < 1 || c.n[1] < 1 || (c.se !== null && c.se <= target)) continue;
    for (const id of c.ids) {
      const runs = j.conditions[id]?.runs ?? [];
      if (runs.length >= maxSeeds || out.has(id)) continue;
      out.set(id, Math.max(0, ...runs.map((r) => r.seed)) + 1);
    }
  }
  return [...out].map(([condition, seed]) => ({ condition, seed }));
}
