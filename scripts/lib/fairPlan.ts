// `npm run study -- --plan [--packs shapes,hues,digits] [--jobs 2]`: the fair study's plan (issue 28 item 6) printed before
// any run — runs per pack and stage (src/core/study/tuning.ts) and the hours they take at the measured ms/step of the run files.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mean, seedsForPower } from '../../src/core/study/stats';
import { finalIds } from '../../src/core/study/fairStudy';
import { FAIR_STUDY, fairStudyPlan, ON_BEST_FKL, PAPER_STAGE, TUNING } from '../../src/core/study/tuning';
import { tuningOf } from './fairStudy';
import { type Args, intArg } from './cli';

/** Seconds of one 500-sample evaluation (greedy, student preset, wasm): measured 0.7 s on this machine, 2026-12-07. */
const EVAL_SECONDS = 0.7;
/** Start-up of one run's child process (tsx, tfjs, pack parse): measured ≈ 4 s. */
const START_SECONDS = 4;

/** Mean ms/step of a pack's finished run files (hues has none yet: shapes' geometry, so shapes' figure). */
function msPerStep(pack: string): { ms: number; from: string } {
  for (const p of [pack, 'shapes']) {
    const dir = `study/runs/${p}`;
    if (!existsSync(dir)) continue;
    const ms = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => (JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as { msPerStep?: number }).msPerStep)
      .filter((x): x is number => typeof x === 'number');
    if (ms.length) return { ms: mean(ms), from: `${ms.length} run files of ${p}` };
  }
  return { ms: 50, from: 'no run files: 50 ms assumed' };
}

/** The median std over seeds of a pack's study conditions (study/<pack>.json; hues: shapes', the same geometry). */
function medianStd(pack: string): { std: number; from: string } | null {
  for (const p of [pack, 'shapes']) {
    const f = `study/${p}.json`;
    if (!existsSync(f)) continue;
    const stds = Object.values(
      (JSON.parse(readFileSync(f, 'utf8')) as { conditions: Record<string, { overall: { std: number | null } }> })
        .conditions,
    )
      .map((c) => c.overall.std)
      .filter((x): x is number => typeof x === 'number' && x > 0)
      .sort((a, b) => a - b);
    if (stds.length) return { std: stds[stds.length >> 1], from: `study/${p}.json` };
  }
  return null;
}

/** The smallest difference (points, 0.1 steps) that n seeds a side detect at α and 80 % power with this std. */
function detectable(std: number, n: number): number {
  for (let d = 0.1; d < 100; d += 0.1) if (seedsForPower(std, std, d, FAIR_STUDY.alpha, 0.8) <= n) return d;
  return Infinity;
}

/** The finals' runs once a pack's picks are all made: each pick at finalSeeds, less the paper runs a pick reuses. */
function bestRuns(pack: string): number | null {
  const tuning = tuningOf(pack);
  if (Object.values(tuning).some((t) => !t.best)) return null;
  const fin = FAIR_STUDY.finalSeeds[pack] ?? 5;
  const pap = FAIR_STUDY.paperSeeds[pack] ?? 5;
  return finalIds(tuning).reduce((n, id) => n + (PAPER_STAGE.includes(id) ? Math.max(0, fin - pap) : fin), 0);
}

export function printFairPlan(args: Args): void {
  const packs = String(args.packs ?? 'shapes,hues,digits').split(',');
  const jobs = intArg(args, 'jobs', 2, 1, 64);
  console.log(
    `fair study (issue 28): ${FAIR_STUDY.steps} steps a run, val curve every ${FAIR_STUDY.curveEvery}, tuning at ${FAIR_STUDY.tuneSeeds} seeds on val, finals on test; TOST margin ${FAIR_STUDY.margin} points, α ${FAIR_STUDY.alpha} with Holm`,
  );
  for (const [obj, t] of Object.entries(TUNING))
    console.log(`  grid ${obj.padEnd(12)} ${t.grid.length} configs: ${t.about}`);
  for (const [obj, t] of Object.entries(ON_BEST_FKL))
    console.log(`  grid ${obj.padEnd(12)} ${t.grid.length} configs on the best fKL: ${t.about}`);
  // The power calculation behind the seeds (written before the runs): what they can detect at the measured stds.
  for (const pack of packs) {
    const m = medianStd(pack);
    if (!m) continue;
    const fin = FAIR_STUDY.finalSeeds[pack] ?? 5;
    const pap = FAIR_STUDY.paperSeeds[pack] ?? 5;
    console.log(
      `  power ${pack}: median seed std ${m.std.toFixed(1)} points (${m.from}): ${fin} seeds a side detect ${detectable(m.std, fin).toFixed(1)} points, ${pap} seeds ${detectable(m.std, pap).toFixed(1)} (Welch, α ${FAIR_STUDY.alpha} two-sided, 80 % power; Holm raises these)`,
    );
  }
  let total = 0;
  let hours = 0;
  for (const pack of packs) {
    const { ms, from } = msPerStep(pack);
    const perRun =
      START_SECONDS + (FAIR_STUDY.steps * ms) / 1000 + (FAIR_STUDY.steps / FAIR_STUDY.curveEvery + 2) * EVAL_SECONDS;
    for (const r of fairStudyPlan([pack]).map((row) =>
      row.stage === 'best' ? { ...row, runs: bestRuns(pack) ?? row.runs, exact: bestRuns(pack) !== null } : row,
    )) {
      const h = (r.runs * perRun) / 3600;
      total += r.runs;
      hours += h;
      const bound =
        r.stage === 'best' && !('exact' in r && r.exact)
          ? ' (at most: the picks are not all made)'
          : r.stage === 'best'
            ? ' (the picks made; paper runs reused)'
            : '';
      console.log(
        `${pack.padEnd(7)} ${r.stage.padEnd(17)} ${String(r.runs).padStart(4)} runs${bound}  ${h.toFixed(1).padStart(5)} h of one core (${ms.toFixed(0)} ms/step from ${from}; ${perRun.toFixed(0)} s a run)`,
      );
    }
  }
  console.log(
    `total ${total} runs, ${hours.toFixed(1)} h of one core: ${(hours / jobs).toFixed(1)} h at --jobs ${jobs}`,
  );
}
