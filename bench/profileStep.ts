// npm run profile:step -- --preset student|teacher [--backend wasm|cpu] [--mode ce|all-no-seq|all|teacher-build]:
// where one training step goes — the top kernels by total time and by count, after warm-up. Writes bench/results/profile-*.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { initBackend } from '../src/model/backend';
import { readStep } from '../src/model/train/trainer';
import { type BenchMode, BENCH_MODES, benchTrainer } from './lib/benchTrainer';
import { intArg, parseArgs } from '../scripts/lib/cli';
import { profileStep } from './lib/stepProfile';

const args = parseArgs(process.argv.slice(2));
const preset = String(args.preset ?? 'student');
const backend = String(args.backend ?? 'wasm');
const mode = String(args.mode ?? 'ce') as BenchMode;
const batch = intArg(args, 'batch', 32, 1, 512);
const top = intArg(args, 'top', 15, 1, 200);
if (!['student', 'teacher'].includes(preset)) throw new Error(`--preset: expected student or teacher, got ${preset}`);
if (!['wasm', 'cpu'].includes(backend)) throw new Error(`--backend: expected wasm or cpu, got ${backend}`);
if (!(mode in BENCH_MODES))
  throw new Error(`--mode: expected one of ${Object.keys(BENCH_MODES).join(', ')}, got ${mode}`);

async function main() {
  await initBackend(backend as 'wasm');
  const b = benchTrainer(preset, mode, batch);
  for (let i = 0; i < 3; i++) await readStep(b.tr.step()); // warm-up
  const p = await profileStep(b.tr);
  b.dispose();
  const total = p.byKernel.reduce((s, r) => s + r.ms, 0);
  const line = (r: { name: string; count: number; ms: number }) =>
    `${r.name.padEnd(22)}${String(r.count).padStart(7)}${r.ms.toFixed(2).padStart(10)}${((100 * r.ms) / total).toFixed(1).padStart(8)} %`;
  console.log(
    `profile:step  ${backend} ${preset} ${mode} batch ${batch}: ${p.kernels} kernels (+ ${p.scopes} custom-gradient scopes), ${total.toFixed(1)} ms summed kernel time (profiling syncs each kernel: use the shares)`,
  );
  console.log(
    `\nby total time\n${'kernel'.padEnd(22)}${'count'.padStart(7)}${'ms'.padStart(10)}${'share'.padStart(10)}`,
  );
  for (const r of p.byKernel.slice(0, top)) console.log(line(r));
  console.log(`\nby count\n${'kernel'.padEnd(22)}${'count'.padStart(7)}${'ms'.padStart(10)}${'share'.padStart(10)}`);
  for (const r of [...p.byKernel].sort((a, c) => c.count - a.count).slice(0, top)) console.log(line(r));
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/profile-${backend}-${preset}-${mode}.json`;
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), backend, preset, mode, batch, ...p }, null, 2)}\n`,
  );
  console.log(`\nwrote ${file}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
