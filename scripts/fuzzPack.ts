// npm run fuzz:pack -- --runs N [--seed S] [--limit-ms 1000] [--case I --base NAME]: mutate the fixture packs and the
// shipped packs (cut to their first 16 samples) and parse each case; only PackError within the limit passes. Writes bench/results/fuzz-pack.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { buildPackBytes, packToInput, parsePack, type PackInput } from '../src/core/pack/pack';
import type { SafeTensor } from '../src/core/pack/safetensors';
import { fuzzBase, type FuzzBase, mutateCase, MUTATIONS, type Mutation, runCase } from '../src/core/testing/packFuzz';
import { makeTinyFeaturesPack, makeTinyPack } from '../src/core/testing/packFixture';
import { intArg, parseArgs } from './lib/cli';

const args = parseArgs(process.argv.slice(2));
const RUNS = intArg(args, 'runs', 10_000, 1);
const SEED = intArg(args, 'seed', 1, 0);
const LIMIT = intArg(args, 'limit-ms', 1000, 1);
const SHIPPED_N = 16;
/** CPU ms of this process (user + system): the limit is on the parser's own work, not on a shared machine's load. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}; // samples kept of each shipped pack (its header, metadata and weights are kept whole)

/** A shipped pack with only its first n samples: its real vocabulary, metadata and weights, parsed in milliseconds. */
function cutPack(file: string, n: number): Uint8Array {
  const input: PackInput = packToInput(parsePack(new Uint8Array(readFileSync(file)), file));
  for (const [name, t] of Object.entries(input.tensors)) {
    if (name.startsWith('encoder.') || name.startsWith('teacher.')) continue;
    const row = t.shape.slice(1).reduce((a, b) => a * b, 1);
    input.tensors[name] = { ...t, shape: [n, ...t.shape.slice(1)], data: t.data.subarray(0, n * row) } as SafeTensor;
  }
  return buildPackBytes(input, { fileName: `${file} (first ${n})` });
}

function bases(): FuzzBase[] {
  const out = [
    fuzzBase('tiny-dense', buildPackBytes(makeTinyPack({ kind: 'dense' }))),
    fuzzBase('tiny-topk', buildPackBytes(makeTinyPack({ kind: 'topk', n: 4 }))),
    fuzzBase('tiny-features-v2', buildPackBytes(makeTinyFeaturesPack())),
  ];
  for (const p of ['shapes', 'digits']) {
    const f = `public/packs/${p}.safetensors.gz`;
    if (existsSync(f)) out.push(fuzzBase(`${p}-first${SHIPPED_N}`, cutPack(f, SHIPPED_N)));
    else console.log(`(${f} not found: skipped)`);
  }
  return out;
}

interface Cell {
  cases: number;
  packError: number;
  parsed: number;
  failures: number;
  maxMs: number;
  maxWallMs: number;
}
const cell = (): Cell => ({ cases: 0, packError: 0, parsed: 0, failures: 0, maxMs: 0, maxWallMs: 0 });

function main() {
  const all = bases();
  if (args.case !== undefined) {
    const b = all.find((x) => x.name === args.base) ?? all[0];
    const c = mutateCase(b, SEED, Number(args.case));
    const w0 = performance.now();
    const r = runCase(c.bytes, `${b.name}.safetensors`, LIMIT, cpuMs);
    console.log(JSON.stringify({ wallMs: Math.round(performance.now() - w0) }));
    console.log(JSON.stringify({ base: b.name, seed: SEED, case: Number(args.case), kind: c.kind, gz: c.gz, ...r }));
    process.exit(r.outcome === 'failure' ? 1 : 0);
  }
  const byKind = Object.fromEntries(MUTATIONS.map((k) => [k, cell()])) as Record<Mutation, Cell>;
  const byBase: Record<string, Cell> = Object.fromEntries(all.map((b) => [b.name, cell()]));
  const failures: { base: string; seed: number; case: number; kind: Mutation; gz: boolean; error: string }[] = [];
  const t0 = performance.now();
  let slowest = 0;
  let slowestWall = 0;
  for (let i = 0; i < RUNS; i++) {
    const b = all[i % all.length];
    const c = mutateCase(b, SEED, i);
    const w0 = performance.now();
    const r = runCase(c.bytes, `${b.name}.safetensors`, LIMIT, cpuMs);
    const wall = performance.now() - w0;
    slowest = Math.max(slowest, r.ms);
    slowestWall = Math.max(slowestWall, wall);
    for (const x of [byKind[c.kind], byBase[b.name]]) {
      x.cases++;
      x[r.outcome === 'failure' ? 'failures' : r.outcome]++;
      x.maxMs = Math.max(x.maxMs, Math.round(r.ms * 10) / 10);
      x.maxWallMs = Math.max(x.maxWallMs, Math.round(wall * 10) / 10);
    }
    if ((i + 1) % 1000 === 0) console.log(`… ${i + 1} cases, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    if (r.outcome === 'failure') {
      failures.push({ base: b.name, seed: SEED, case: i, kind: c.kind, gz: c.gz, error: r.error! });
      console.log(
        `FAIL base=${b.name} seed=${SEED} case=${i} kind=${c.kind} gz=${c.gz}: ${r.error}  (replay: npm run fuzz:pack -- --seed ${SEED} --base ${b.name} --case ${i})`,
      );
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(
    `fuzz:pack  runs=${RUNS} seed=${SEED} limit=${LIMIT} ms of CPU per case  bases=${all.map((b) => b.name).join(',')}`,
  );
  console.log(
    `${'mutation / base'.padEnd(20)}${pad('cases', 8)}${pad('PackError', 11)}${pad('parsed', 8)}${pad('failures', 10)}${pad('max cpu ms', 12)}${pad('max wall ms', 13)}`,
  );
  for (const [k, x] of [...Object.entries(byKind), ...Object.entries(byBase)]) {
    console.log(
      `${k.padEnd(20)}${pad(x.cases, 8)}${pad(x.packError, 11)}${pad(x.parsed, 8)}${pad(x.failures, 10)}${pad(x.maxMs, 12)}${pad(x.maxWallMs, 13)}`,
    );
  }
  console.log(
    `total ${RUNS} cases in ${seconds.toFixed(1)} s, slowest ${slowest.toFixed(1)} ms CPU (${slowestWall.toFixed(1)} ms wall), failures ${failures.length}`,
  );
  mkdirSync('bench/results', { recursive: true });
  const out = {
    date: new Date().toISOString(),
    node: process.version,
    runs: RUNS,
    seed: SEED,
    limitMs: LIMIT,
    seconds: Math.round(seconds * 10) / 10,
    slowestCpuMs: Math.round(slowest * 10) / 10,
    slowestWallMs: Math.round(slowestWall * 10) / 10,
    clock: 'process CPU time (user + system)',
    bases: all.map((b) => ({ name: b.name, bytes: b.bytes.length })),
    byMutation: byKind,
    byBase,
    failures,
  };
  writeFileSync('bench/results/fuzz-pack.json', `${JSON.stringify(out, null, 2)}\n`);
  process.exit(failures.length ? 1 : 0);
}

main();
