// npm run soak -- --steps N [--packs shapes,digits] [--warmup W] [--batch B] [--out FILE]: the lab's student on each shipped pack in
// turn (wasm, every term on, online teacher, on-policy λ 0.5): tensors, tf.memory() bytes and the wasm heap after warm-up, every loss finite. Writes bench/results/soak.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_CONFIG, mergeConfig } from '../src/core/config/config';
import { parsePack } from '../src/core/pack/pack';
import { VALUE_NAMES } from '../src/core/kd/terms';
import { initBackend } from '../src/model/backend';
import { buildStudentRun } from '../src/model/studentRun';
import { readStep } from '../src/model/train/trainer';
import { intArg, parseArgs } from '../scripts/lib/cli';

const args = parseArgs(process.argv.slice(2));
const STEPS = intArg(args, 'steps', 10_000, 1);
const WARMUP = intArg(args, 'warmup', Math.min(50, Math.max(1, Math.floor(STEPS / 10))), 1);
const BATCH = intArg(args, 'batch', DEFAULT_CONFIG.optim.batchSize, 1, 512);
const PACKS = String(args.packs ?? 'shapes,digits').split(',');
const SOAK = {
  weights: { ce: 1, seq: 0.5, kd: 1, hidden: 0.5, affinity: 1, attention: 1 },
  kd: { source: 'online' as const },
  onPolicy: { lambda: 0.5 },
  data: { useUnlabeled: true },
};

/** Bytes of the wasm module's linear memory (it only grows). */
function wasmHeap(): number {
  const b = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return b.wasm?.HEAPU8?.buffer.byteLength ?? NaN;
}

interface Row {
  pack: string;
  steps: number;
  warmup: number;
  batch: number;
  msPerStep: number;
  tensorsAfterWarmup: number;
  tensorsEnd: number;
  tensorsMax: number;
  bytesAfterWarmup: number;
  bytesEnd: number;
  bytesMax: number;
  heapAfterWarmup: number;
  heapEnd: number;
  heapGrowthPct: number;
  nonFiniteSteps: number;
  skippedSteps: number;
  onPolicySteps: number;
  pass: boolean;
}

async function soak(name: string): Promise<Row> {
  const file = `public/packs/${name}.safetensors.gz`;
  const pack = parsePack(new Uint8Array(readFileSync(file)), file);
  const cfg = mergeConfig(DEFAULT_CONFIG, {
    ...SOAK,
    optim: { batchSize: BATCH, totalSteps: Math.max(STEPS, DEFAULT_CONFIG.optim.totalSteps) },
  });
  const run = buildStudentRun(pack, cfg, { name, evalSamples: 8, teacher: true });
  const tr = run.trainer;
  let at = { tensors: 0, bytes: 0, heap: 0 };
  let max = { tensors: 0, bytes: 0 };
  let nonFinite = 0;
  let skipped = 0;
  let onPolicy = 0;
  const t0 = performance.now();
  let tWarm = t0;
  for (let s = 1; s <= STEPS; s++) {
    const r = await readStep(tr.step(), tr);
    if (
      VALUE_NAMES.some((n) => n !== 'seq' && n !== 'ce' && !Number.isFinite(r[n])) ||
      (!r.onPolicy && !Number.isFinite(r.ce))
    )
      nonFinite++;
    if (r.skipped) skipped++;
    if (r.onPolicy) onPolicy++;
    const m = tf.memory();
    if (s === WARMUP) {
      at = { tensors: m.numTensors, bytes: m.numBytes, heap: wasmHeap() };
      tWarm = performance.now();
    }
    if (s > WARMUP) max = { tensors: Math.max(max.tensors, m.numTensors), bytes: Math.max(max.bytes, m.numBytes) };
    if (s % 500 === 0)
      console.log(
        `  ${name} step ${s}: ${m.numTensors} tensors, ${(m.numBytes / 2 ** 20).toFixed(1)} MiB, heap ${(wasmHeap() / 2 ** 20).toFixed(0)} MiB`,
      );
  }
  const m = tf.memory();
  const heapEnd = wasmHeap();
  const timed = STEPS - WARMUP;
  run.dispose();
  const growth = ((heapEnd - at.heap) / at.heap) * 100;
  const flat = timed === 0 || (max.tensors === at.tensors && max.bytes === at.bytes);
  return {
    pack: name,
    steps: STEPS,
    warmup: WARMUP,
    batch: BATCH,
    msPerStep:
      Math.round(((timed > 0 ? performance.now() - tWarm : performance.now() - t0) / Math.max(1, timed)) * 10) / 10,
    tensorsAfterWarmup: at.tensors,
    tensorsEnd: m.numTensors,
    tensorsMax: max.tensors,
    bytesAfterWarmup: at.bytes,
    bytesEnd: m.numBytes,
    bytesMax: max.bytes,
    heapAfterWarmup: at.heap,
    heapEnd,
    heapGrowthPct: Math.round(growth * 100) / 100,
    nonFiniteSteps: nonFinite,
    skippedSteps: skipped,
    onPolicySteps: onPolicy,
    pass: flat && growth <= 5 && nonFinite === 0,
  };
}

const OUT = String(args.out ?? 'bench/results/soak.json'); // --out FILE: another results file (a second soak beside the first)

/** Merge one pack's row into soak.json (rows of other packs, from an earlier run with the same config, are kept). */
function writeResults(row: Row): void {
  let rows: Row[] = [];
  try {
    const old = JSON.parse(readFileSync(OUT, 'utf8')) as { config?: unknown; rows?: Row[] };
    if (JSON.stringify(old.config) === JSON.stringify(SOAK) && Array.isArray(old.rows))
      rows = old.rows.filter((r) => r.pack !== row.pack);
  } catch {
    // no earlier results
  }
  rows.push(row);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    OUT,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, backend: tf.getBackend(), config: SOAK, rows }, null, 2)}\n`,
  );
}

async function main() {
  await initBackend('wasm');
  console.log(
    `soak  steps=${STEPS} warmup=${WARMUP} batch=${BATCH} backend=${tf.getBackend()}  config=${JSON.stringify(SOAK)}`,
  );
  const rows: Row[] = [];
  for (const p of PACKS) {
    rows.push(await soak(p));
    writeResults(rows[rows.length - 1]); // each pack's row as soon as it is measured (a long soak loses nothing)
  }
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(
    `${'pack'.padEnd(8)}${pad('steps', 7)}${pad('ms/step', 9)}${pad('tensors warm→max', 18)}${pad('MiB warm→max', 15)}${pad('heap MiB warm→end', 19)}${pad('growth %', 10)}${pad('non-finite', 12)}${pad('on-policy', 11)}  pass`,
  );
  for (const r of rows) {
    const mib = (b: number) => (b / 2 ** 20).toFixed(1);
    console.log(
      `${r.pack.padEnd(8)}${pad(r.steps, 7)}${pad(r.msPerStep, 9)}${pad(`${r.tensorsAfterWarmup}→${r.tensorsMax}`, 18)}${pad(`${mib(r.bytesAfterWarmup)}→${mib(r.bytesMax)}`, 15)}${pad(`${mib(r.heapAfterWarmup)}→${mib(r.heapEnd)}`, 19)}${pad(r.heapGrowthPct, 10)}${pad(r.nonFiniteSteps, 12)}${pad(r.onPolicySteps, 11)}  ${r.pass}`,
    );
  }
  process.exit(rows.every((r) => r.pass) ? 0 : 1);
}

main();
