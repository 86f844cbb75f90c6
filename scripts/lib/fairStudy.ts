// `npm run study -- --fair --pack NAME --stage tune|tune2|paper|best|all [--only ids] [--jobs N] [--summary]`: the fair study's
// stages (issue 28, src/core/study/tuning.ts): grids on val, then the paper's conditions and each best on test; resumable.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import {
  BEST_COMPARISONS,
  fairConfig,
  fairFindings,
  finalIds,
  finalSeeds,
  firstStudyView,
  pickBest,
  secondStageIds,
  testCondition,
  type TuningEntry,
} from '../../src/core/study/fairStudy';
import { FINDINGS } from '../../src/core/study/findings';
import { mixedVersions, type StudyJson } from '../../src/core/study/study';
import { FAIR_STUDY, PAPER_STAGE, TUNING } from '../../src/core/study/tuning';
import { type Args, intArg } from './cli';
import { readFairRuns, runFile, runPool, writeStudyFile } from './fullStudy';

const STAGES = ['tune', 'tune2', 'paper', 'best'] as const;
type Stage = (typeof STAGES)[number];

export const tuningOf = (pack: string): Record<string, TuningEntry> => pickBest(readFairRuns(pack));

/** A stage's work list: (run id, seed) pairs with the split they report on. */
function work(pack: string, stage: Stage): { ids: string[]; seeds: number[]; split: 'val' | 'test' } {
  const tuning = tuningOf(pack);
  const tuneSeeds = Array.from({ length: FAIR_STUDY.tuneSeeds }, (_, i) => i + 1);
  if (stage === 'tune')
    return { ids: Object.values(TUNING).flatMap((t) => t.grid.map((g) => g.id)), seeds: tuneSeeds, split: 'val' };
  if (stage === 'tune2') {
    if (!tuning.fkl.best)
      throw new Error(`fair study ${pack}: the second stage needs the fKL grid decided (run --stage tune first)`);
    return { ids: secondStageIds(), seeds: tuneSeeds, split: 'val' };
  }
  if (stage === 'paper')
    return { ids: PAPER_STAGE, seeds: finalSeeds(FAIR_STUDY.paperSeeds[pack] ?? 5), split: 'test' };
  const ids = finalIds(tuning);
  const missing = Object.entries(tuning)
    .filter(([, t]) => !t.best)
    .map(([g]) => g);
  if (missing.length)
    throw new Error(
      `fair study ${pack}: the finals need every grid decided; not yet: ${missing.join(', ')} (run --stage tune and tune2 first)`,
    );
  return { ids, seeds: finalSeeds(FAIR_STUDY.finalSeeds[pack] ?? 5), split: 'test' };
}

async function runStage(pack: string, stage: Stage, jobs: number, only?: string[]): Promise<void> {
  const all = work(pack, stage);
  for (const id of only ?? [])
    if (!all.ids.includes(id))
      throw new Error(
        `--only: ${JSON.stringify(id)} is not a run id of the ${stage} stage of ${pack} (${all.ids.join(', ')})`,
      );
  // --only a,b: those run ids first (the stage's seeds and split unchanged; the rest of the stage runs on a later call)
  const w = only ? { ...all, ids: only } : all;
  const todo = w.seeds
    .flatMap((seed) => w.ids.map((condition) => ({ condition, seed })))
    .filter((x) => !existsSync(runFile(pack, x.condition, x.seed)));
  process.stderr.write(
    `fair study ${pack}, ${stage}: ${w.ids.length} configs × ${w.seeds.length} seeds on ${w.split}, ${FAIR_STUDY.steps} steps; ${w.ids.length * w.seeds.length - todo.length} done, ${todo.length} to go, ${jobs} at a time\n`,
  );
  const extra = ['--curve-every', String(FAIR_STUDY.curveEvery), ...(w.split === 'test' ? ['--split', 'test'] : [])];
  await runPool(pack, FAIR_STUDY.steps, jobs, todo, () => writeFair(pack), extra);
}

/** Each objective's grid by val, as the tuning stage prints it. */
function printTuning(pack: string, tuning: Record<string, TuningEntry>): void {
  for (const [group, t] of Object.entries(tuning)) {
    const cells = t.grid.map(
      (id) => `${id} ${t.val[id].mean === null ? '—' : t.val[id].mean!.toFixed(1)} (n ${t.val[id].n})`,
    );
    console.log(`${pack} ${group.padEnd(13)} best ${t.best ?? '—'}: ${cells.join('; ')}`);
  }
}

const f1 = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(1));
const p3 = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x < 0.001 ? '<.001' : x.toFixed(3));

/** Rebuilds study/fair-<pack>.json from the run files (partial too) and returns it. */
export function writeFair(pack: string) {
  const runs = readFairRuns(pack);
  const tuning = tuningOf(pack);
  const findings = fairFindings(runs, tuning);
  const ids = [
    ...new Set(
      findings.flatMap((f) =>
        [...f.verdicts.paper.comparisons, ...f.verdicts.best.comparisons].flatMap((c) => [c.a, c.b]),
      ),
    ),
  ];
  const conditions = Object.fromEntries(
    ids
      .filter((id) => !id.startsWith('('))
      .map((id) => [id, { config: fairConfig(id, tuning) ?? null, ...testCondition(id, runs) }]),
  );
  const planned = {
    paper: PAPER_STAGE.length * (FAIR_STUDY.paperSeeds[pack] ?? 5),
    best: finalIds(tuning).length * (FAIR_STUDY.finalSeeds[pack] ?? 5),
  };
  const tests = runs.filter((r) => r.split === 'test');
  const complete =
    Object.values(tuning).every((t) => t.best) &&
    findings.every((f) =>
      [...f.verdicts.paper.comparisons, ...f.verdicts.best.comparisons].every(
        (c) =>
          c.n[0] >= Math.min(FAIR_STUDY.paperSeeds[pack] ?? 5, FAIR_STUDY.finalSeeds[pack] ?? 5) &&
          c.n[1] >= Math.min(FAIR_STUDY.paperSeeds[pack] ?? 5, FAIR_STUDY.finalSeeds[pack] ?? 5),
      ),
    );
  const j = {
    pack,
    design: 'fair',
    steps: FAIR_STUDY.steps,
    split: 'test',
    margin: FAIR_STUDY.margin,
    alpha: FAIR_STUDY.alpha,
    complete,
    runs: {
      tuning: runs.length - tests.length,
      test: tests.length,
      plannedTest: planned,
      hours: Math.round((runs.reduce((a, r) => a + (r.seconds ?? 0), 0) / 3600) * 10) / 10,
      mixed: mixedVersions(runs) || null,
    },
    tuning,
    conditions,
    findings,
  };
  mkdirSync('study', { recursive: true });
  writeFileSync(`study/fair-${pack}.json.tmp`, `${JSON.stringify(j, null, 1)}\n`);
  renameSync(`study/fair-${pack}.json.tmp`, `study/fair-${pack}.json`);
  // study/<pack>.json carries both verdicts too (DESIGN §6c), when the pack has a first study
  if (existsSync(`study/${pack}.json`)) {
    writeStudyFile(pack, firstStudyView(JSON.parse(readFileSync(`study/${pack}.json`, 'utf8')) as StudyJson));
  }
  return j;
}

/** The verdict table: per finding, both verdicts with their comparisons (diff, 95 % CI, p after Holm). */
export function printFair(j: ReturnType<typeof writeFair>): void {
  console.log(
    `fair study ${j.pack}: ${j.runs.tuning} tuning runs (val), ${j.runs.test} test runs (planned ${j.runs.plannedTest.paper} paper + ${j.runs.plannedTest.best} best), ${j.runs.hours} h of training${j.complete ? '' : ' — partial'}`,
  );
  if (j.runs.mixed) console.log(`WARNING: runs of different code: ${j.runs.mixed}`);
  for (const f of j.findings) {
    console.log(`${f.id} ${f.claim}: paper settings ${f.verdicts.paper.verdict}; at best ${f.verdicts.best.verdict}`);
    for (const [k, v] of Object.entries(f.verdicts)) {
      for (const c of v.comparisons)
        console.log(
          `    ${k.padEnd(5)} ${c.a} ${f1(c.means[0])} (n ${c.n[0]}) ${c.kind === 'gt' ? '>' : '≈'} ${c.b} ${f1(c.means[1])} (n ${c.n[1]}): ${f1(c.diff)} [${f1(c.ci95[0])}, ${f1(c.ci95[1])}] ${c.test} p ${p3(c.p)}${c.test === 'tost' ? ` beyond ${p3(c.pBeyond)}` : ''} Holm ${p3(c.pHolm)} → ${c.verdict}; early-stop ${f1(c.early?.diff)}`,
        );
    }
  }
}

/** The verdict table of docs/findings.md's fair section: per finding both verdicts with each comparison's difference,
 *  95 % interval and p after Holm, and the run counts behind them. */
export function fairMarkdown(j: ReturnType<typeof writeFair>): string {
  const cell = (v: (typeof j.findings)[number]['verdicts']['paper']) =>
    `**${v.verdict}**<br>${v.comparisons.map((c) => `${c.a} ${c.kind === 'gt' ? '>' : '≈'} ${c.b}: ${f1(c.diff)} [${f1(c.ci95[0])}, ${f1(c.ci95[1])}] (n ${c.n.join('/')}; ${c.test}${c.margin ? ` ±${c.margin}` : ''}, Holm p ${p3(c.pHolm)}; early-stop ${f1(c.early?.diff)})`).join('<br>')}`;
  const head = `${j.pack}, ${j.steps} steps, test split; ${j.runs.tuning} tuning runs on val, ${j.runs.test} of ${j.runs.plannedTest.paper + j.runs.plannedTest.best} planned test runs, ${j.runs.hours} h of training${j.complete ? '' : ' (partial)'}:`;
  const rows = j.findings.map((f) => `| ${f.id} | ${f.claim} | ${cell(f.verdicts.paper)} | ${cell(f.verdicts.best)} |`);
  const picks = Object.entries(j.tuning)
    .map(([g, t]) => `${g} → ${t.best ?? '—'}`)
    .join('; ');
  return [
    head,
    '',
    "| id | claim | at the paper's settings | each at its best |",
    '|---|---|---|---|',
    ...rows,
    '',
    `Picks by val: ${picks}.`,
  ].join('\n');
}

/** The entry point (`--fair`). */
export async function runFairStudy(args: Args): Promise<void> {
  const pack = String(args.pack ?? 'shapes');
  const jobs = intArg(args, 'jobs', 1, 1, 64);
  if (args.summary !== true) {
    const stage = String(args.stage ?? '');
    const stages: Stage[] =
      stage === 'all'
        ? [...STAGES]
        : (STAGES as readonly string[]).includes(stage)
          ? [stage as Stage]
          : (() => {
              throw new Error(
                `--stage: expected one of ${STAGES.join(', ')} or all, got ${JSON.stringify(args.stage)}`,
              );
            })();
    const only = typeof args.only === 'string' ? args.only.split(',') : undefined;
    for (const s of stages) await runStage(pack, s, jobs, only);
  }
  const j = writeFair(pack);
  if (args.markdown === true) {
    console.log(fairMarkdown(j));
    return;
  }
  printTuning(pack, tuningOf(pack));
  printFair(j);
  if (FINDINGS.some((f) => !BEST_COMPARISONS[f.id]))
    throw new Error('fair study: a finding has no at-best comparison (src/core/study/fairStudy.ts)');
}
