// The quick study (`npm run study -- --quick --pack NAME [--seeds 3] [--steps S]`): the student preset at the lab's
// default step budget under (a) CE on labeled, (b) CE + forward-KL logits, (c) (b) + seqCE and KD on the unlabeled
// split; prints mean ± std val exact match per family and writes study/quick-<pack>.json. `--only a,b --out F` runs a
// subset into another file (two processes use two cores); `--merge F1,F2` joins such files into the study.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_CONFIG, mergeConfig } from '../../src/core/config/config';
import { parsePack } from '../../src/core/pack/pack';
import { mean, std, welch } from '../../src/core/study/stats';
import { STUDY_CONDITIONS } from '../../src/core/study/study';
import { initBackend } from '../../src/model/backend';
import { type Args, intArg } from './cli';
import { runStudent, type StudentRunResult } from './runStudent';

/** The three conditions of the quick study (DEFAULT_CONFIG underneath: the lab's default run; src/core/study/study.ts). */
export const CONDITIONS = STUDY_CONDITIONS as Record<string, (typeof STUDY_CONDITIONS)['a']>;

const fmt = (x: number[]) => `${mean(x).toFixed(1)} ± ${std(x).toFixed(1)}`;

export async function runQuickStudy(args: Args): Promise<void> {
  const name = String(args.pack ?? 'shapes');
  const seeds = intArg(args, 'seeds', 3, 1, 20);
  const file = typeof args.file === 'string' ? args.file : `public/packs/${name}.safetensors.gz`;
  const only = typeof args.only === 'string' ? args.only.split(',') : Object.keys(CONDITIONS);
  const pack = parsePack(new Uint8Array(readFileSync(file)), file);
  const steps = intArg(args, 'steps', DEFAULT_CONFIG.optim.totalSteps, 1);
  // --init pretrained: every student starts from the pack's student_init.* (issue 27); default scratch
  const init = args.init === 'pretrained' ? 'pretrained' : 'scratch';
  if (args.init !== undefined && args.init !== 'pretrained' && args.init !== 'scratch')
    throw new Error(`--init: expected scratch or pretrained, got ${JSON.stringify(args.init)}`);
  const results: Record<string, Pick<StudentRunResult, 'overall' | 'perFamily' | 'seconds' | 'msPerStep'>[]> = {};
  let backend = String(args.backend ?? 'wasm');
  if (typeof args.merge === 'string') {
    only.length = 0;
    for (const f of args.merge.split(',')) {
      const j = JSON.parse(readFileSync(f, 'utf8')) as {
        backend: string;
        conditions: Record<
          string,
          { runs: { overall: number; perFamily: Record<string, number>; seconds: number; msPerStep: number }[] }
        >;
      };
      backend = j.backend;
      for (const [k, c] of Object.entries(j.conditions)) {
        results[k] = c.runs;
        if (!only.includes(k)) only.push(k);
      }
    }
    only.sort();
  }
  if (typeof args.merge !== 'string') backend = await initBackend(backend as 'wasm' | 'cpu');
  process.stderr.write(
    `study ${name}: ${seeds} seeds × ${only.join(',')}, ${steps} steps, backend ${backend}, student init ${init}\n`,
  );
  for (const key of typeof args.merge === 'string' ? [] : only) {
    results[key] = [];
    for (let s = 0; s < seeds; s++) {
      const cfg = mergeConfig(DEFAULT_CONFIG, {
        ...CONDITIONS[key].patch,
        seed: s + 1,
        optim: { totalSteps: steps },
        studentInit: init,
      });
      const r = await runStudent(pack, cfg);
      results[key].push(r);
      process.stderr.write(
        `${CONDITIONS[key].label} seed ${s + 1}: val ${r.overall.toFixed(1)}% in ${r.seconds.toFixed(0)} s (${r.msPerStep.toFixed(0)} ms/step)\n`,
      );
    }
  }
  const fams = pack.meta.families;
  const header = ['condition', 'overall', ...fams];
  const rows = only.map((k) => [
    CONDITIONS[k].label,
    fmt(results[k].map((r) => r.overall)),
    ...fams.map((f) => fmt(results[k].map((r) => r.perFamily[f]))),
  ]);
  const teacherRow = [
    'teacher',
    String(pack.meta.teacher.accuracy && JSON.parse(pack.extraMetadata.teacher_overall_accuracy ?? 'null')),
    ...fams.map((f) => String(pack.meta.teacher.accuracy[f])),
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length), teacherRow[i].length));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  rows.forEach((r) => console.log(line(r)));
  console.log(line(teacherRow));
  // KD's gain over CE (a) with Welch's 95 % interval, for every KD condition measured beside it
  const gains: Record<string, { diff: number; ci95: [number, number]; p: number; df: number }> = {};
  if (results.a) {
    for (const k of only.filter((x) => x !== 'a')) {
      const w = welch(
        results[k].map((r) => r.overall),
        results.a.map((r) => r.overall),
      );
      gains[k] = { diff: w.diff, ci95: w.ci95, p: w.p, df: w.df };
      console.log(
        `${CONDITIONS[k].label} − (a): ${w.diff.toFixed(1)} points, 95 % CI [${w.ci95[0].toFixed(1)}, ${w.ci95[1].toFixed(1)}], Welch df ${w.df.toFixed(1)}, p ${w.p.toPrecision(2)}`,
      );
    }
  }
  mkdirSync('study', { recursive: true });
  const out = typeof args.out === 'string' ? args.out : `study/quick-${name}.json`;
  const summary = Object.fromEntries(
    only.map((k) => [
      k,
      {
        label: CONDITIONS[k].label,
        config: CONDITIONS[k].patch,
        overall: { mean: mean(results[k].map((r) => r.overall)), std: std(results[k].map((r) => r.overall)) },
        perFamily: Object.fromEntries(
          fams.map((f) => [
            f,
            { mean: mean(results[k].map((r) => r.perFamily[f])), std: std(results[k].map((r) => r.perFamily[f])) },
          ]),
        ),
        runs: results[k].map((r, i) => ({
          seed: i + 1,
          overall: r.overall,
          perFamily: r.perFamily,
          seconds: r.seconds,
          msPerStep: r.msPerStep,
        })),
      },
    ]),
  );
  writeFileSync(
    out,
    JSON.stringify(
      {
        pack: name,
        file,
        backend,
        steps,
        seeds,
        studentInit: init,
        date: new Date().toISOString(),
        teacher: pack.meta.teacher.accuracy,
        conditions: summary,
        gainsOverA: gains,
      },
      null,
      2,
    ),
  );
  process.stderr.write(`wrote ${out}\n`);
}
