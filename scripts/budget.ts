// `npm run budget -- [--pack shapes] [--steps S] [--every E]`: the lab's default run (default config, student
// preset) on a shipped pack in Node wasm, with val exact match every E steps: when does it plateau, and how long does
// that take? Prints a table and writes bench/results/budget-<pack>.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  const steps = intArg(args, 'steps', DEFAULT_CONFIG.optim.totalSteps, 1);
  const every = intArg(args, 'every', 100, 1);
  const cfg = mergeConfig(DEFAULT_CONFIG, { optim: { totalSteps: steps } });
  const t0 = performance.now();
  const rows: { step: number; val: number; seconds: number }[] = [];
  const r = await runStudent(pack, cfg, {
    evalEvery: every,
    log: (s) => {
      const m = /step (\d+): val ([\d.]+)%/.exec(s);
      if (m) rows.push({ step: Number(m[1]), val: Number(m[2]), seconds: (performance.now() - t0) / 1000 });
      process.stderr.write(`${s}\n`);
    },
  });
  rows.push({ step: steps, val: r.overall, seconds: (performance.now() - t0) / 1000 });
  console.log(
    `default run on ${name} (${backend}, batch ${cfg.optim.batchSize}, ${steps} steps): ${r.msPerStep.toFixed(0)} ms/step, training ${r.seconds.toFixed(0)} s`,
  );
  console.log('step | val % | wall s (incl. evals)');
  for (const x of rows)
    console.log(`${String(x.step).padStart(4)} | ${x.val.toFixed(1).padStart(5)} | ${x.seconds.toFixed(0)}`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    `bench/results/budget-${name}.json`,
    JSON.stringify(
      {
        pack: name,
        backend,
        steps,
        batch: cfg.optim.batchSize,
        msPerStep: r.msPerStep,
        trainSeconds: r.seconds,
        curve: rows,
        perFamily: r.perFamily,
        date: new Date().toISOString(),
      },
      null,
      2,
    ),
  );
}

main().catch((e) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
