// `npm run study:bands [-- --pack NAME]`: study/bands-<pack>.json from the fair study's run files (study/runs/<pack>/*.json
// with a val curve): each config's band of val curves, which the accuracy chart draws behind matching lanes. Re-runnable.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { studyBands } from '../src/core/study/bands';
import { fairConfig, pickBest } from '../src/core/study/fairStudy';
import type { StudyRun } from '../src/core/study/study';

function readRuns(pack: string): StudyRun[] {
  const dir = `study/runs/${pack}`;
  if (!existsSync(dir)) return [];
  const out: StudyRun[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.json')) continue;
    try {
      out.push(JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as StudyRun);
    } catch {
      process.stderr.write(`skipping unreadable ${dir}/${f}\n`);
    }
  }
  return out;
}

/** One band per line: the file diffs by band as seeds come in. */
function compact(j: ReturnType<typeof studyBands>): string {
  const { bands, ...head } = j;
  const lines = bands.map((b) => `    ${JSON.stringify(b)}`);
  return `${JSON.stringify(head).slice(0, -1)},\n  "bands": [\n${lines.join(',\n')}\n  ]\n}\n`;
}

const argv = process.argv.slice(2);
const at = argv.indexOf('--pack');
const packs =
  at >= 0 ? [argv[at + 1]] : readdirSync('study/runs').filter((p) => readRuns(p).some((r) => r.curve?.length));
for (const pack of packs) {
  const runs = readRuns(pack);
  const tuning = pickBest(runs);
  const j = studyBands(pack, runs, (r) => r.config ?? fairConfig(r.condition, tuning));
  const skipped = runs
    .filter((r) => r.curve?.length && !r.config && !fairConfig(r.condition, tuning))
    .map((r) => `${r.condition}-s${r.seed}`);
  writeFileSync(`study/bands-${pack}.json`, compact(j));
  const withCurve = runs.filter((r) => r.curve?.length).length;
  console.log(
    `study/bands-${pack}.json: ${j.bands.length} bands from ${withCurve} runs with a curve${skipped.length ? `; no config for ${skipped.join(', ')}` : ''}`,
  );
  for (const b of j.bands)
    console.log(
      `  ${b.ids.join('+')}: seeds ${b.seeds.join(',')}, ${b.rows.length} steps, last ${b.rows.at(-1)?.slice(2).join(' / ')}`,
    );
}
