// `npm exec tsx scripts/studyCurve.ts -- --pack shapes --patch JSON --steps S --every E --seed N --out F`: one student
// run with val exact match on all val samples every E steps — the evidence for the full study's step budget.
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG, mergeConfig } from '../src/core/config/config';
import { parsePack } from '../src/core/pack/pack';
import { initBackend } from '../src/model/backend';
import { intArg, parseArgs } from './lib/cli';
import { runStudent } from './lib/runStudent';

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const name = String(args.pack ?? 'shapes');
  const file = `public/packs/${name}.safetensors.gz`;
  const backend = await initBackend('wasm');
  const pack = parsePack(new Uint8Array(readFileSync(file)), file);
  const steps = intArg(args, 'steps', 3000, 1);
  const every = intArg(args, 'every', 250, 1);
  const seed = intArg(args, 'seed', 1, 0);
  const patch = JSON.parse(String(args.patch ?? '{}'));
  const cfg = mergeConfig(mergeConfig(DEFAULT_CONFIG, patch), { seed, optim: { totalSteps: steps } });
  const t0 = performance.now();
  const curve: { step: number; val: number; seconds: number }[] = [];
  const r = await runStudent(pack, cfg, {
    evalEvery: every,
    log: (s) => {
      const m = /step (\d+): val ([\d.]+)%/.exec(s);
      if (m) curve.push({ step: Number(m[1]), val: Number(m[2]), seconds: (performance.now() - t0) / 1000 });
      process.stderr.write(`${s}\n`);
    },
  });
  curve.push({ step: steps, val: r.overall, seconds: (performance.now() - t0) / 1000 });
  const out = String(args.out ?? `study/curve-${name}-s${seed}.json`);
  mkdirSync('study', { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        pack: name,
        backend,
        steps,
        seed,
        patch,
        msPerStep: r.msPerStep,
        curve,
        perFamily: r.perFamily,
        date: new Date().toISOString(),
      },
      null,
      2,
    ),
  );
  console.log(JSON.stringify({ overall: r.overall, curve: curve.map((c) => [c.step, c.val]) }));
}

main().catch((e) => {
  process.stderr.write(`error: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
