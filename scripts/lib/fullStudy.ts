// The full study (issue 15): every condition of src/core/study/findings.ts on a pack, seed-major, one run per child process
// (`--jobs N` at a time), each result written to study/runs/<pack>/<condition>-s<seed>.json as it finishes.
import { execFileSync, spawn } from 'node:child_process';
import { version as tfVersion } from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DEFAULT_CONFIG, mergeConfig, type TrainConfig } from '../../src/core/config/config';
import { fairConfig, type FairStudyJson, pickBest, withFairVerdicts } from '../../src/core/study/fairStudy';
import { CONDITIONS } from '../../src/core/study/findings';
import { parsePack } from '../../src/core/pack/pack';
import { seedsForSe, TARGET_SE } from '../../src/core/study/stats';
import {
  extraRuns,
  FULL_STUDY,
  mixedVersions,
  type StudyComparison,
  type StudyJson,
  studyJson,
  type StudyRun,
} from '../../src/core/study/study';
import { wasmKernelsProvenance } from '../../src/model/simd';
import { FAIR_STUDY } from '../../src/core/study/tuning';
import { initBackend } from '../../src/model/backend';
import { type Args, intArg } from './cli';
import { runStudent } from './runStudent';

export const runDir = (pack: string) => `study/runs/${pack}`;
export const runFile = (pack: string, condition: string, seed: number) => `${runDir(pack)}/${condition}-s${seed}.json`;
const packFile = (pack: string) => `public/packs/${pack}.safetensors.gz`;

function stepsOf(args: Args): number {
  return intArg(args, 'steps', FULL_STUDY.steps, 1);
}

/** A study condition's config, or a fair-study id's (src/core/study/fairStudy.ts: `tune-*`, `tune2-*` on the pack's best
 *  fKL, `final-*`), which may need the pack's tuning runs to be decided. */
function configOf(pack: string, id: string): TrainConfig {
  const cfg = CONDITIONS[id]
    ? mergeConfig(DEFAULT_CONFIG, CONDITIONS[id].patch)
    : fairConfig(id, pickBest(readFairRuns(pack)));
  if (!cfg)
    throw new Error(
      `--condition: expected one of ${Object.keys(CONDITIONS).join(', ')} or a fair-study config (npm run study -- --plan; tune2-* and final-* need the tuning stage of ${pack} done), got ${JSON.stringify(id)}`,
    );
  return cfg;
}

/** Every run file of a pack at the fair study's budget (its val tuning runs and its test finals). */
export function readFairRuns(pack: string): StudyRun[] {
  if (!existsSync(runDir(pack))) return [];
  return readdirSync(runDir(pack))
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(`${runDir(pack)}/${f}`, 'utf8')) as StudyRun)
    .filter((r) => r.steps === FAIR_STUDY.steps && Number.isFinite(r.overall));
}

/** One (pack, condition, seed) run: trains it, writes its run file (atomically), prints the contract's last line. */
export async function runOne(args: Args): Promise<void> {
  const pack = String(args.pack ?? 'shapes');
  const condition = String(args.condition);
  const base = configOf(pack, condition);
  const seed = intArg(args, 'seed', 1, 0, 2 ** 32 - 1);
  const steps = stepsOf(args);
  const backend = await initBackend(String(args.backend ?? 'wasm') as 'wasm' | 'cpu');
  const file = packFile(pack);
  const p = parsePack(new Uint8Array(readFileSync(file)), file);
  const cfg = mergeConfig(base, { seed, optim: { totalSteps: steps } });
  // --split test --curve-every 100: the fair study's run (DESIGN §6c); without them, the first study's run as it was
  const split =
    args.split === 'test'
      ? 'test'
      : args.split === undefined || args.split === 'val'
        ? undefined
        : (() => {
            throw new Error(`--split: expected val or test, got ${JSON.stringify(args.split)}`);
          })();
  const curveEvery = args['curve-every'] === undefined ? undefined : intArg(args, 'curve-every', 100, 1, steps);
  const r = await runStudent(p, cfg, { split, curveEvery });
  const v2 =
    split || curveEvery
      ? {
          split: r.split,
          curve: r.curve,
          bestStep: r.bestStep,
          bestValOverall: r.bestValOverall,
          bestOverall: r.bestOverall,
          bestPerFamily: r.bestPerFamily,
          config: cfg,
        }
      : {};
  const run: StudyRun = {
    pack,
    condition,
    seed,
    steps,
    backend,
    overall: r.overall,
    perFamily: r.perFamily,
    seconds: r.seconds,
    msPerStep: r.msPerStep,
    date: new Date().toISOString(),
    ...provenance(backend),
    ...v2,
  };
  if (args['no-write'] !== true) {
    mkdirSync(runDir(pack), { recursive: true });
    const out = runFile(pack, condition, seed);
    if (existsSync(out) && args.overwrite !== true) {
      const old = JSON.parse(readFileSync(out, 'utf8')) as StudyRun;
      if (old.steps !== run.steps || (old.split ?? 'val') !== (run.split ?? 'val')) {
        throw new Error(
          `${out} holds a run of another design (${old.steps} steps on ${old.split ?? 'val'}; this one: ${run.steps} on ${run.split ?? 'val'}): pass --overwrite to replace it`,
        );
      }
    }
    writeFileSync(`${out}.tmp`, JSON.stringify(run, null, 2));
    renameSync(`${out}.tmp`, out);
  }
  if (args.json !== true)
    process.stderr.write(
      `${pack} ${condition} seed ${seed}: val ${r.overall.toFixed(1)}% (${r.seconds.toFixed(0)} s, ${r.msPerStep.toFixed(0)} ms/step)\n`,
    );
  console.log(JSON.stringify({ overall: r.overall, perFamily: r.perFamily }));
}

/** Which code made a run (DESIGN §6c): the commit (with "+dirty" when the tree has changes), tfjs, whose kernels ran. */
export function provenance(backend: string): Pick<StudyRun, 'commit' | 'tfjs' | 'kernels'> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    // "+dirty": tracked code differs from the commit (run data under study/ does not count: it is what runs write)
    if (
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!study'], {
        encoding: 'utf8',
      }).trim()
    )
      commit += '+dirty';
  } catch {
    // not a git checkout: 'unknown'
  }
  return { commit, tfjs: tfVersion.tfjs, kernels: backend === 'wasm' ? wasmKernelsProvenance() : 'tfjs' };
}

/** The finished runs of a pack at this step budget (a run file of another budget counts as not done). */
export function readRuns(pack: string, steps: number): StudyRun[] {
  if (!existsSync(runDir(pack))) return [];
  const out: StudyRun[] = [];
  for (const f of readdirSync(runDir(pack))) {
    if (!f.endsWith('.json')) continue;
    try {
      const r = JSON.parse(readFileSync(`${runDir(pack)}/${f}`, 'utf8')) as StudyRun;
      if (r.steps === steps && CONDITIONS[r.condition] && Number.isFinite(r.overall)) out.push(r);
    } catch {
      process.stderr.write(`skipping unreadable ${runDir(pack)}/${f}\n`);
    }
  }
  return out;
}

/** The work list, seed-major: seed 1 of every condition, then seed 2, … (a partial study covers every condition). */
export function plan(seeds: number, only?: string[]): { condition: string; seed: number }[] {
  const ids = only ?? Object.keys(CONDITIONS);
  const out: { condition: string; seed: number }[] = [];
  for (let s = 1; s <= seeds; s++) for (const c of ids) out.push({ condition: c, seed: s });
  return out;
}

const f1 = (x: number | null) => (x === null ? '—' : x.toFixed(1));

/** "; ~N seeds a side for SE ≤ 2" when a comparison is above the precision target (the measured stds' estimate). */
function seedsNote(c: StudyComparison): string {
  if (c.se === null || c.se <= TARGET_SE || c.stds[0] === null || c.stds[1] === null) return '';
  return `; ~${seedsForSe(c.stds[0], c.stds[1])} seeds a side for SE ≤ ${TARGET_SE}`;
}

function describe(c: StudyComparison): string {
  const [a, b] = c.ids;
  const side = (id: string, i: number) => `${id} ${f1(c.means[i])} ± ${f1(c.stds[i])} (n ${c.n[i]})`;
  const rel = c.kind === 'gt' ? '>' : '≈';
  return `${side(a, 0)} ${rel} ${side(b, 1)}: diff ${f1(c.diff)} ± ${f1(c.se)} SE → ${c.verdict}${seedsNote(c)}`;
}

/** A finding's probe conditions (not decisive) as "id mean ± std (n N)"; '' when it has none. */
function probeNote(j: StudyJson, f: StudyJson['findings'][number]): string {
  return (f.probe ?? [])
    .map(
      (id) =>
        `${id} ${f1(j.conditions[id]?.overall.mean ?? null)} ± ${f1(j.conditions[id]?.overall.std ?? null)} (n ${j.conditions[id]?.runs.length ?? 0})`,
    )
    .join('; ');
}

/** Prints per finding the means ± std, the difference ± SE and the verdict. */
export function printStudy(j: StudyJson, runs: readonly StudyRun[] = []): void {
  console.log(
    `study ${j.pack}: ${j.steps} steps, ${j.backend}, ${j.seeds} seeds planned${j.complete ? '' : ' (partial)'}`,
  );
  const mixed = mixedVersions(runs);
  if (mixed)
    console.log(
      `WARNING: these runs were made by different code (${mixed}): same seed and config need not give the same number; re-run the odd ones`,
    );
  for (const f of j.findings) {
    console.log(`${f.id} ${f.claim}: ${f.verdict}`);
    for (const c of f.comparisons) console.log(`    ${describe(c)}`);
    if (f.probe) console.log(`    probe (not decisive): ${probeNote(j, f)}`);
    if (f.labeled) {
      console.log(`  labeled only: ${f.labeled.verdict}`);
      for (const c of f.labeled.comparisons) console.log(`    ${describe(c)}`);
    }
  }
}

/** The verdict table of docs/findings.md: per finding the decisive comparisons as "a ± s vs b ± s (d ± SE)". */
export function markdownTable(j: StudyJson): string {
  const cell = (c: StudyComparison) =>
    `${c.ids[0]} ${f1(c.means[0])} ± ${f1(c.stds[0])} ${c.kind === 'gt' ? '>' : '≈'} ${c.ids[1]} ${f1(c.means[1])} ± ${f1(c.stds[1])} (n ${c.n.join('/')}; ${f1(c.diff)} ± ${f1(c.se)}${seedsNote(c)})`;
  const rows = j.findings.map(
    (f) =>
      `| ${f.id} | ${f.claim} | ${f.comparisons.map(cell).join('<br>')}${f.probe ? `<br>probe (not decisive): ${probeNote(j, f)}` : ''} | **${f.verdict}** | ${f.labeled ? `${f.labeled.verdict}: ${f.labeled.comparisons.map(cell).join('<br>')}` : ''} |`,
  );
  return [
    `${j.pack}, ${j.steps} steps, ${j.backend}${j.complete ? '' : ' (partial)'}:`,
    '',
    '| id | claim | data-rich: mean ± std (n; diff ± SE) | verdict | labeled only |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** Rebuilds study/<pack>.json from the run files (partial too). */
export function writeStudy(pack: string, steps: number, seeds: number, families: string[], backend: string): StudyJson {
  const runs = readRuns(pack, steps);
  const j = studyJson({ pack, steps, backend: runs[0]?.backend ?? backend, seeds, families, runs });
  writeStudyFile(pack, j);
  return j;
}

/** Writes study/<pack>.json (DESIGN §6c): the first study `j` with the fair study's verdicts when
 *  study/fair-<pack>.json exists (each finding's `verdict` then the fair paper-settings one). */
export function writeStudyFile(pack: string, j: StudyJson): void {
  const fairFile = `study/fair-${pack}.json`;
  const out = existsSync(fairFile)
    ? withFairVerdicts(j, JSON.parse(readFileSync(fairFile, 'utf8')) as FairStudyJson)
    : j;
  mkdirSync('study', { recursive: true });
  writeFileSync(`study/${pack}.json.tmp`, `${JSON.stringify(out, null, 1)}\n`);
  renameSync(`study/${pack}.json.tmp`, `study/${pack}.json`);
}

/** Trains the work list `jobs` at a time in child processes, rewriting study/<pack>.json after each run; the number
 *  of runs that succeeded. */
export async function runPool(
  pack: string,
  steps: number,
  jobs: number,
  todo: { condition: string; seed: number }[],
  save: () => void,
  extra: string[] = [],
): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  let finished = 0;
  let ok = 0;
  const worker = async () => {
    while (next < todo.length) {
      const w = todo[next++];
      const t = performance.now();
      const code = await child([
        '--pack',
        pack,
        '--condition',
        w.condition,
        '--seed',
        String(w.seed),
        '--steps',
        String(steps),
        '--json',
        ...extra,
      ]);
      finished++;
      if (code === 0) ok++;
      const el = (performance.now() - t0) / 1000;
      const eta = (el / finished) * (todo.length - finished);
      process.stderr.write(
        `[${finished}/${todo.length}] ${w.condition} s${w.seed}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${((performance.now() - t) / 1000).toFixed(0)} s; elapsed ${(el / 60).toFixed(0)} min, ETA ${(eta / 3600).toFixed(1)} h\n`,
      );
      save();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, Math.max(1, todo.length)) }, worker));
  return ok;
}

function child(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...process.execArgv, process.argv[1], ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    p.on('exit', (code) => resolve(code ?? 1));
    p.on('error', () => resolve(1));
  });
}

/** `npm run study -- --pack NAME [--seeds N] [--steps S] [--jobs N] [--only a,b] [--max-seeds M [--target-se X]] [--summary] [--markdown]`. */
export async function runFull(args: Args): Promise<void> {
  const pack = String(args.pack ?? 'shapes');
  const steps = stepsOf(args);
  const seeds = intArg(args, 'seeds', FULL_STUDY.seeds[pack] ?? 3, 1, 50);
  const jobs = intArg(args, 'jobs', 1, 1, 64);
  const only = typeof args.only === 'string' ? args.only.split(',') : undefined;
  for (const id of only ?? []) if (!CONDITIONS[id]) throw new Error(`--only: unknown condition ${JSON.stringify(id)}`);
  const file = packFile(pack);
  const families = parsePack(new Uint8Array(readFileSync(file)), file).meta.families;
  const done = new Set(readRuns(pack, steps).map((r) => `${r.condition}-s${r.seed}`));
  const todo = args.summary === true ? [] : plan(seeds, only).filter((w) => !done.has(`${w.condition}-s${w.seed}`));
  process.stderr.write(
    `study ${pack}: ${Object.keys(CONDITIONS).length} conditions × ${seeds} seeds, ${steps} steps; ${done.size} runs done, ${todo.length} to go, ${jobs} at a time\n`,
  );
  const save = () => writeStudy(pack, steps, seeds, families, 'wasm');
  save();
  await runPool(pack, steps, jobs, todo, save);
  // Extra seeds (--max-seeds M [--target-se X]): rounds of one more seed for each side of every comparison whose SE is
  // above the target, until none is or its conditions have M runs. The planned seeds stay `seeds`; resumable.
  if (args['max-seeds'] !== undefined && args.summary !== true) {
    const maxSeeds = intArg(args, 'max-seeds', seeds, seeds, 50);
    const target = Number(args['target-se'] ?? TARGET_SE);
    if (!(target > 0))
      throw new Error(`--target-se: expected a positive number of points, got ${JSON.stringify(args['target-se'])}`);
    for (let round = 1; ; round++) {
      const extra = extraRuns(save(), maxSeeds, target);
      if (!extra.length) break;
      process.stderr.write(
        `study ${pack}: extra-seed round ${round}: ${extra.map((w) => `${w.condition} s${w.seed}`).join(', ')}\n`,
      );
      if ((await runPool(pack, steps, jobs, extra, save)) === 0)
        throw new Error(`study ${pack}: every run of extra-seed round ${round} failed (see the lines above)`);
    }
  }
  const j = writeStudy(pack, steps, seeds, families, 'wasm');
  printStudy(j, readRuns(pack, steps));
  if (args.markdown === true) console.log(`\n${markdownTable(j)}`);
}
