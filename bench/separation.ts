// npm run race:separation -- --packs shapes,hues [--race ce-vs-kd] [--seeds 1,2,3] [--steps 1500] [--summary]: when do a race's two
// lanes separate? Both lanes step in lockstep from one seed, as the lab races them, and are evaluated on the lab's 250
// fixed val samples every 10 steps up to 300, then every 50; "separated" = the first evaluation where their exact
// matches differ by more than 1.96·√(p₁(1−p₁)/n + p₂(1−p₂)/n). Writes bench/results/separation.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parsePack } from '../src/core/pack/pack';
import { initBackend } from '../src/model/backend';
import { buildStudentRun } from '../src/model/studentRun';
import { readStep } from '../src/model/train/trainer';
import { raceById, raceLanes } from '../src/store/races';
import { DEFAULT_CONFIG, mergeConfig } from '../src/core/config/config';
import { separated } from '../src/core/race/separation'; // the rule, shared with the lab's lessons and charts
import { intArg, parseArgs } from '../scripts/lib/cli';

const args = parseArgs(process.argv.slice(2));
const packs = String(args.packs ?? 'shapes,hues').split(',');
const raceId = String(args.race ?? 'ce-vs-kd');
const seeds = String(args.seeds ?? '1,2,3')
  .split(',')
  .map(Number);
const STEPS = intArg(args, 'steps', 1500, 10);
const EVAL_SAMPLES = 250; // the lab's live race evaluation (DESIGN §6b)

const evalAt = (s: number) => (s <= 300 ? s % 10 === 0 : s % 50 === 0);

/** The first evaluated step from which the second lane stays ahead beyond the interval at every later evaluation. */
function aheadFrom(curve: Row['curve'], n: number): number | null {
  for (let i = 0; i < curve.length; i++)
    if (curve.slice(i).every((x) => x.acc[1] > x.acc[0] && separated(x.acc[0], x.acc[1], n))) return curve[i].step;
  return null;
}

interface Row {
  pack: string;
  seed: number;
  separatedAtStep: number | null;
  accAtSeparation: [number, number] | null;
  final: [number, number];
  curve: { step: number; acc: [number, number] }[];
}

async function main(): Promise<void> {
  if (args.summary === true) {
    // --summary: the saved curves of bench/results/separation.json, both readings of "separated"
    const j = JSON.parse(readFileSync(String(args.out ?? 'bench/results/separation.json'), 'utf8')) as {
      evalSamples: number;
      rows: Row[];
    };
    for (const r of j.rows)
      console.log(
        `${r.pack} seed ${r.seed}: first separated at step ${r.separatedAtStep ?? '—'}; second lane ahead for good from step ${aheadFrom(r.curve, j.evalSamples) ?? '— (not within the run)'}; at the end ${r.final[0].toFixed(1)} vs ${r.final[1].toFixed(1)} %`,
      );
    return;
  }
  await initBackend('wasm');
  const race = raceById(raceId);
  if (!race || race.lanes.length !== 2) throw new Error(`--race: a two-lane race preset expected, got ${raceId}`);
  const rows: Row[] = [];
  for (const name of packs) {
    const file = `public/packs/${name}.safetensors.gz`;
    const pack = parsePack(new Uint8Array(readFileSync(file)), file);
    for (const seed of seeds) {
      const [la, lb] = raceLanes(race.lanes, mergeConfig(DEFAULT_CONFIG, { seed })).map((l) =>
        mergeConfig(l.config, { optim: { totalSteps: STEPS } }),
      );
      const run = buildStudentRun(pack, la, { name, evalSamples: EVAL_SAMPLES });
      const tb = run.makeTrainer(lb);
      const curve: Row['curve'] = [];
      let sep: Row['separatedAtStep'] = null;
      let accSep: Row['accAtSeparation'] = null;
      for (let s = 1; s <= STEPS; s++) {
        await readStep(run.trainer.step());
        await readStep(tb.step());
        if (!evalAt(s) && s !== STEPS) continue;
        const a = (await run.accuracy(run.trainer)).overall;
        const b = (await run.accuracy(tb)).overall;
        curve.push({ step: s, acc: [a, b] });
        if (sep === null && separated(a, b, run.evalIdx.length)) {
          sep = s;
          accSep = [a, b];
        }
      }
      tb.dispose();
      run.dispose();
      const final = curve[curve.length - 1].acc;
      rows.push({ pack: name, seed, separatedAtStep: sep, accAtSeparation: accSep, final, curve });
      console.log(
        `${name} seed ${seed}: ${race.lanes[0].name} vs ${race.lanes[1].name} separated at step ${sep ?? '— (never)'}${accSep ? ` (${accSep[0].toFixed(1)} vs ${accSep[1].toFixed(1)} %)` : ''}; at ${STEPS}: ${final[0].toFixed(1)} vs ${final[1].toFixed(1)} %`,
      );
    }
  }
  mkdirSync('bench/results', { recursive: true });
  // Merged by pack into the file: packs measured in separate processes (one per core) end up side by side.
  const out = typeof args.out === 'string' ? args.out : 'bench/results/separation.json';
  let old: Row[] = [];
  try {
    old = (JSON.parse(readFileSync(out, 'utf8')) as { rows: Row[] }).rows.filter((r) => !packs.includes(r.pack));
  } catch {
    // no file yet
  }
  writeFileSync(
    out,
    `${JSON.stringify({ race: raceId, evalSamples: EVAL_SAMPLES, steps: STEPS, rows: [...old, ...rows] }, null, 1)}\n`,
  );
}
void main();
