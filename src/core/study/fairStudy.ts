// The fair study's JSON (issue 28, DESIGN §6c): each objective's best tuned config (by val), every run id's config,
// and each finding's two verdicts — at the paper's settings and each at its best — by Welch / TOST with Holm. Pure TS.
import { DEFAULT_CONFIG, type DeepPartial, mergeConfig, type TrainConfig } from '../config/config';
import { type Comparison, comparisonIds, CONDITIONS, FINDINGS } from './findings';
import { beyondMargin, holm, mean, std, tost, welch } from './stats';
import type { StudyJson, StudyRun } from './study';
import type { FairComparison, FairVerdict, FairVerdictSet, TuningEntry } from './fairTypes';

export type { FairComparison, FairVerdict, FairVerdictSet, TuningEntry } from './fairTypes';
import type { Verdict } from './stats';
import { BEST_OF, FAIR_STUDY, LABELED_PATCH, LABELED_SUFFIX, ON_BEST_FKL, PAPER_STAGE, secondStagePatch, TUNING } from './tuning';


/** Each finding at its best: comparisons over BEST_OF groups (a group stands for its picked config). */
export const BEST_COMPARISONS: Record<string, { comparisons: Comparison[]; note?: string }> = {
  F1: { comparisons: [{ kind: 'gt', hi: 'fkl', lo: 'ce' }] },
  F2: { comparisons: [{ kind: 'gt', hi: 'fkl-heavy', lo: 'fkl-light' }], note: 'the better heavy fKL config against the better weight-1 one' },
  F3: { comparisons: [{ kind: 'gt', hi: 'fkl', lo: 'all-positions' }] },
  F4: { comparisons: [{ kind: 'eq', a: 'fkl-t07', b: 'fkl-t1w1' }], note: 'only the "0.7 ≈ 1" step, with CE kept: T 0.1 and 0.25 are in no tuning grid' },
  F5: { comparisons: [{ kind: 'gt', hi: 'fkl', lo: 'hidden-mse' }, { kind: 'gt', hi: 'hidden', lo: 'fkl' }] },
  F6: { comparisons: [{ kind: 'eq', a: 'hidden-mse', b: 'hidden-cos' }] },
  F7: { comparisons: [{ kind: 'eq', a: 'affinity', b: 'fkl' }] },
  F8: { comparisons: [{ kind: 'eq', a: 'attention', b: 'fkl' }] },
  F9: { comparisons: [{ kind: 'gt', hi: 'fkl', lo: 'fkl-labeled' }] },
  F10: { comparisons: [{ kind: 'gt', hi: 'fkl', lo: 'rkl' }, { kind: 'gt', hi: 'fkl', lo: 'jsd' }, { kind: 'gt', hi: 'fkl', lo: 'mse' }] },
  F11: { comparisons: [{ kind: 'gt', hi: 'on-policy', lo: 'fkl' }] },
  F12: { comparisons: [{ kind: 'gt', hi: 'fkl-soft', lo: 'fkl-t1' }] },
};

// ------------------------------------------------------------------ tuning: which config is each group's best


const isVal = (r: StudyRun) => (r.split ?? 'val') === 'val';

/** Each BEST_OF group's pick from the tuning runs (val split); a group with an unfinished member picks nothing yet. */
export function pickBest(runs: readonly StudyRun[]): Record<string, TuningEntry> {
  const out: Record<string, TuningEntry> = {};
  for (const [group, g] of Object.entries(BEST_OF)) {
    const val = Object.fromEntries(g.of.map((id) => {
      const xs = runs.filter((r) => r.condition === id && isVal(r) && r.steps === FAIR_STUDY.steps).map((r) => r.overall);
      return [id, { mean: xs.length ? mean(xs) : null, n: xs.length }];
    }));
    const ready = g.of.every((id) => val[id].n >= FAIR_STUDY.tuneSeeds);
    const best = ready ? g.of.reduce((b, id) => ((val[id].mean as number) > (val[b].mean as number) ? id : b)) : null;
    out[group] = { grid: g.of, best, by: 'val', val: Object.fromEntries(Object.entries(val).map(([k, v]) => [k, { mean: v.mean === null ? null : Math.round(v.mean * 1000) / 1000, n: v.n }])) };
  }
  return out;
}

// ------------------------------------------------------------------ run ids and their configs

const full = (patch: DeepPartial<TrainConfig>) => mergeConfig(DEFAULT_CONFIG, patch);
const sameConfig = (a: TrainConfig, b: TrainConfig) => JSON.stringify({ ...a, seed: 0 }) === JSON.stringify({ ...b, seed: 0 });

/** The config of a fair-study id: a paper condition, `tune-*`, `tune2-*` (on the pack's best fKL), `final-<id>` and
 *  `final-<id>-labeled`. Undefined when the id is unknown or needs a pick that is not made yet. */
export function fairConfig(id: string, tuning: Record<string, TuningEntry>): TrainConfig | undefined {
  if (CONDITIONS[id]) return full(CONDITIONS[id].patch);
  const grid = Object.values(TUNING).flatMap((t) => t.grid).find((g) => g.id === id);
  if (grid) return full(grid.patch);
  const second = secondStagePatch(id);
  if (second) {
    const base = tuning.fkl?.best ? fairConfig(tuning.fkl.best, tuning) : undefined;
    return base ? mergeConfig(base, second) : undefined;
  }
  if (id.startsWith('final-')) {
    const labeled = id.endsWith(LABELED_SUFFIX);
    const inner = fairConfig(id.slice('final-'.length, labeled ? -LABELED_SUFFIX.length : undefined), tuning);
    return inner && labeled ? mergeConfig(inner, LABELED_PATCH) : inner;
  }
  return undefined;
}

/** The run id a group's pick is measured under on test: the paper condition with the same config when there is one
 *  (its paper runs count, seeds added up to the finals'), else `final-<pick>`. Null until the group has a pick. */
export function finalIdOf(group: string, tuning: Record<string, TuningEntry>): string | null {
  const labeled = group === 'fkl-labeled';
  const pick = tuning[labeled ? 'fkl' : group]?.best;
  if (!pick) return null;
  const id = `final-${pick}${labeled ? LABELED_SUFFIX : ''}`;
  const cfg = fairConfig(id, tuning);
  if (!cfg) return null;
  const same = PAPER_STAGE.find((c) => sameConfig(full(CONDITIONS[c].patch), cfg));
  return same ?? id;
}

/** Every group a best comparison names, including the derived F9 one. */
export const BEST_GROUPS: string[] = [...new Set(Object.values(BEST_COMPARISONS).flatMap((b) => b.comparisons.flatMap(comparisonIds)))];

/** The finals' work list: each group's run id at FAIR_STUDY.finalSeeds seeds (101, 102, … ), without repeats. */
export function finalIds(tuning: Record<string, TuningEntry>): string[] {
  return [...new Set(BEST_GROUPS.map((g) => finalIdOf(g, tuning)).filter((x): x is string => x !== null))];
}

export const finalSeeds = (n: number): number[] => Array.from({ length: n }, (_, i) => FAIR_STUDY.finalSeedBase + i + 1);

/** The second stage can start once fKL's grid is decided. */
export const secondStageIds = (): string[] => Object.keys(ON_BEST_FKL).flatMap((obj) => ON_BEST_FKL[obj].grid.map((_, k) => `tune2-${obj}-${k + 1}`));

// ------------------------------------------------------------------ verdicts



const r3 = (x: number): number | null => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);
const r4 = (x: number): number | null => (Number.isFinite(x) ? Number(x.toPrecision(4)) : null); // p-values: 4 significant digits

/** One comparison before Holm: its numbers and the p that decides it. */
function measure(kind: 'gt' | 'eq', a: string, b: string, values: (id: string, early?: boolean) => number[]): { c: FairComparison; decide: number; tostWins: boolean } {
  const [xa, xb] = [values(a), values(b)];
  const w = welch(xa, xb);
  const e = welch(values(a, true), values(b, true));
  const base = { a, b, kind, n: [xa.length, xb.length] as [number, number], means: [r3(mean(xa)), r3(mean(xb))] as [number | null, number | null], diff: r3(w.diff), se: r3(w.se), df: r3(w.df), ci95: [r3(w.ci95[0]), r3(w.ci95[1])] as [number | null, number | null], early: { diff: r3(e.diff), ci95: [r3(e.ci95[0]), r3(e.ci95[1])] as [number | null, number | null], p: r4(e.p) } };
  if (kind === 'gt') return { c: { ...base, p: r4(w.p), pHolm: null, test: 'welch', verdict: 'inconclusive' }, decide: w.p, tostWins: false };
  const m = FAIR_STUDY.margin;
  const pT = tost(xa, xb, m);
  const pB = beyondMargin(xa, xb, m);
  const decide = Math.min(pT, pB);
  return { c: { ...base, p: r4(pT), pBeyond: r4(pB), pHolm: null, test: 'tost', margin: m, verdict: 'inconclusive' }, decide, tostWins: pT <= pB };
}

function combine(vs: readonly FairVerdict[]): FairVerdict {
  if (!vs.length) return 'inconclusive';
  if (vs.includes('reversed')) return 'reversed';
  if (vs.includes('differs')) return 'differs';
  return vs.every((v) => v === 'reproduces') ? 'reproduces' : 'inconclusive';
}

/**
 * A family of findings' comparisons (the pack's paper-settings ones, or its at-best ones), decided together: each
 * comparison's deciding p is Holm-adjusted over the family; below α a `gt` reproduces (diff > 0) or is reversed, an
 * `eq` reproduces (equivalent within the margin) or differs (beyond it); otherwise inconclusive. NaN p (fewer than 2
 * runs a side) stays inconclusive and is left out of the family.
 */
export function decideFamily(sets: Record<string, { kind: 'gt' | 'eq'; a: string; b: string }[]>, values: (id: string, early?: boolean) => number[]): Record<string, FairComparison[]> {
  const all = Object.entries(sets).flatMap(([f, cs]) => cs.map((c) => ({ f, ...measure(c.kind, c.a, c.b, values) })));
  const live = all.filter((x) => Number.isFinite(x.decide));
  const adj = holm(live.map((x) => x.decide));
  live.forEach((x, i) => {
    x.c.pHolm = r4(adj[i]);
    if (adj[i] >= FAIR_STUDY.alpha) return;
    if (x.c.kind === 'gt') x.c.verdict = (x.c.diff ?? 0) > 0 ? 'reproduces' : 'reversed';
    else x.c.verdict = x.tostWins ? 'reproduces' : 'differs';
  });
  const out: Record<string, FairComparison[]> = Object.fromEntries(Object.keys(sets).map((f) => [f, []]));
  for (const x of all) out[x.f].push(x.c);
  return out;
}

export interface FairFinding {
  id: string;
  claim: string;
  verdict: FairVerdict; // = verdicts.paper.verdict (DESIGN §6c)
  verdicts: { paper: FairVerdictSet; best: FairVerdictSet };
}

const pair = (c: Comparison) => (c.kind === 'gt' ? { kind: c.kind, a: c.hi, b: c.lo } : { kind: c.kind, a: c.a, b: c.b });

/** Both verdicts of every finding from the test runs (split "test", FAIR_STUDY.steps) and the tuning's picks. */
export function fairFindings(runs: readonly StudyRun[], tuning: Record<string, TuningEntry>): FairFinding[] {
  const test = runs.filter((r) => r.split === 'test' && r.steps === FAIR_STUDY.steps);
  const values = (id: string, early = false) => test.filter((r) => r.condition === id).sort((x, y) => x.seed - y.seed).map((r) => (early ? (r.bestOverall ?? r.overall) : r.overall));
  const paperSets = Object.fromEntries(FINDINGS.map((f) => [f.id, f.comparisons.map(pair)]));
  const bestSets = Object.fromEntries(FINDINGS.map((f) => [f.id, (BEST_COMPARISONS[f.id]?.comparisons ?? []).map(pair).map((c) => ({ ...c, a: finalIdOf(c.a, tuning) ?? `(${c.a}: not tuned yet)`, b: finalIdOf(c.b, tuning) ?? `(${c.b}: not tuned yet)` }))]));
  const paper = decideFamily(paperSets, values);
  const best = decideFamily(bestSets, values);
  return FINDINGS.map((f) => {
    const p: FairVerdictSet = { verdict: combine(paper[f.id].map((c) => c.verdict)), comparisons: paper[f.id] };
    const note = BEST_COMPARISONS[f.id]?.note;
    const b: FairVerdictSet = { verdict: combine(best[f.id].map((c) => c.verdict)), comparisons: best[f.id], ...(note ? { note } : {}) };
    return { id: f.id, claim: f.claim, verdict: p.verdict, verdicts: { paper: p, best: b } };
  });
}

/** A run id's runs on test, as the JSON's conditions carry them. */
export function testCondition(id: string, runs: readonly StudyRun[]) {
  const rs = runs.filter((r) => r.condition === id && r.split === 'test' && r.steps === FAIR_STUDY.steps).sort((a, b) => a.seed - b.seed);
  const xs = rs.map((r) => r.overall);
  const es = rs.map((r) => r.bestOverall ?? r.overall);
  return {
    runs: rs.map((r) => ({ seed: r.seed, overall: r.overall, bestOverall: r.bestOverall ?? null, bestStep: r.bestStep ?? null, perFamily: r.perFamily })),
    overall: { mean: r3(mean(xs)), std: r3(std(xs)) },
    early: { mean: r3(mean(es)), std: r3(std(es)) },
  };
}

/** study/fair-<pack>.json as `npm run study -- --fair` writes it (DESIGN §6c's study v2 fields, beside the first study
 *  until a pack's fair study is complete). */
export interface FairStudyJson {
  pack: string;
  design: 'fair';
  steps: number;
  split: 'test';
  margin: number; // points
  alpha: number;
  complete: boolean;
  runs: { tuning: number; test: number; plannedTest: { paper: number; best: number }; hours: number; mixed: string | null };
  tuning: Record<string, TuningEntry>;
  conditions: Record<string, ReturnType<typeof testCondition> & { config: TrainConfig | null }>;
  findings: FairFinding[];
}

/**
 * study/<pack>.json as DESIGN §6c has it: the first study's conditions and comparisons, plus the fair study's `tuning`
 * and each finding's `verdicts: {paper, best}`, its `verdict` the paper one; the first study's own verdict (3,000
 * steps, val, 2 SE) moves to `firstStudy.verdict`. Idempotent: a file that has them already is rebuilt from its first view.
 */
export function withFairVerdicts(study: StudyJson, fair: FairStudyJson): StudyJson {
  const first = firstStudyView(study);
  const byId = new Map(fair.findings.map((f) => [f.id, f]));
  return {
    ...first,
    tuning: fair.tuning,
    fairStudy: { steps: fair.steps, split: fair.split, complete: fair.complete, runs: fair.runs.test, file: `study/fair-${fair.pack}.json` },
    findings: first.findings.map((f) => {
      const ff = byId.get(f.id);
      if (!ff) return f;
      return { ...f, verdict: ff.verdicts.paper.verdict, verdicts: ff.verdicts, firstStudy: { verdict: f.verdict as Verdict } };
    }),
  };
}

/** The first study's own view of a study JSON (each finding's verdict its first-study one), what its numbers explain. */
export function firstStudyView(study: StudyJson): StudyJson {
  if (!study.findings.some((f) => f.firstStudy)) return study;
  const { tuning: _t, fairStudy: _f, ...rest } = study;
  return {
    ...rest,
    findings: study.findings.map(({ verdicts: _v, firstStudy, ...f }) => ({ ...f, verdict: firstStudy?.verdict ?? f.verdict })),
  };
}
