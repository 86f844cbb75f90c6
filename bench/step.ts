// npm run bench:step — median ms per training step, tokens/s, kernels and tensors after a step, for the student and teacher
// presets on Node cpu and wasm, CE-only vs every term on (synthetic data, random teacher targets). Writes bench/results/step.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/model/backend';
import { ENCODER_PRESET } from '../src/model/configs';
import { readStep } from '../src/model/train/trainer';
import { BENCH_MODES, BENCH_TEXT, type BenchMode, benchTrainer } from './lib/benchTrainer';
import { intArg, parseArgs } from '../scripts/lib/cli';
import { profileStep } from './lib/stepProfile';

const args = parseArgs(process.argv.slice(2));
const STEPS = intArg(args, 'steps', 20, 1); // timed steps after warm-up (≥ 20 for the reported table)
const WARMUP = intArg(args, 'warmup', 3, 0);
const BATCH = intArg(args, 'batch', 32, 1, 512);
const backends = String(args.backends ?? 'wasm,cpu').split(',') as ('cpu' | 'wasm')[];
const presets = String(args.presets ?? 'student,teacher').split(',');
const TEXT = BENCH_TEXT;
type Mode = BenchMode;
const MODES = BENCH_MODES;

interface Row {
  backend: string;
  preset: string;
  mode: Mode;
  batch: number;
  seqLen: number;
  params: number;
  msMedian: number;
  msMin: number;
  tokensPerSec: number;
  tensorsAfterStep: number;
  tensorsFlat: boolean;
  kernelsPerStep: number; // kernels one step dispatches after warm-up (tf.profile)
}

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function bench(backend: string, preset: string, mode: Mode): Promise<Row> {
  const { tr, model, dispose } = benchTrainer(preset, mode, BATCH);
  for (let i = 0; i < WARMUP; i++) await readStep(tr.step());
  const ms: number[] = [];
  let tensors = 0;
  let flat = true;
  for (let i = 0; i < STEPS; i++) {
    const t0 = performance.now();
    await readStep(tr.step()); // includes the one host read a report needs
    ms.push(performance.now() - t0);
    const n = tf.memory().numTensors;
    if (i > 0 && n !== tensors) flat = false;
    tensors = n;
  }
  const kernelsPerStep = (await profileStep(tr)).kernels;
  const nParams = Object.values(tr.params).reduce((s, v) => s + v.size, 0);
  dispose();
  const med = median(ms);
  const L = model.P + model.Lp + model.A;
  return {
    backend,
    preset,
    mode,
    batch: BATCH,
    seqLen: L,
    params: nParams,
    msMedian: Math.round(med * 10) / 10,
    msMin: Math.round(Math.min(...ms) * 10) / 10,
    tokensPerSec: Math.round((BATCH * L) / (med / 1000)),
    tensorsAfterStep: tensors,
    tensorsFlat: flat,
    kernelsPerStep,
  };
}

async function main() {
  const rows: Row[] = [];
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(
    `bench:step  batch=${BATCH} steps=${STEPS} (after ${WARMUP} warm-up)  encoder=${JSON.stringify(ENCODER_PRESET)}  text=${JSON.stringify(TEXT)}`,
  );
  console.log(
    `${'backend'.padEnd(8)}${'preset'.padEnd(9)}${'mode'.padEnd(15)}${pad('params', 8)}${pad('ms/step', 10)}${pad('min', 8)}${pad('tok/s', 9)}${pad('tensors', 9)}${pad('kernels', 9)}  flat`,
  );
  for (const backend of backends) {
    await initBackend(backend);
    for (const preset of presets) {
      const modes: Mode[] =
        preset === 'teacher' ? ['ce', 'all-no-seq', 'all', 'teacher-build'] : ['ce', 'all-no-seq', 'all'];
      for (const mode of modes) {
        const r = await bench(backend, preset, mode);
        rows.push(r);
        console.log(
          `${backend.padEnd(8)}${preset.padEnd(9)}${mode.padEnd(15)}${pad(r.params, 8)}${pad(r.msMedian, 10)}${pad(r.msMin, 8)}${pad(r.tokensPerSec, 9)}${pad(r.tensorsAfterStep, 9)}${pad(r.kernelsPerStep, 9)}  ${r.tensorsFlat}`,
        );
      }
    }
  }
  // Keep the rows of backends not run this time (e.g. `--backends cpu` after a wasm run).
  const FILE = 'bench/results/step.json';
  if (existsSync(FILE)) {
    try {
      const prev = JSON.parse(readFileSync(FILE, 'utf8')) as { rows?: Row[]; batch?: number };
      if (prev.batch === BATCH)
        rows.unshift(...(prev.rows ?? []).filter((r) => !backends.includes(r.backend as 'cpu')));
    } catch {
      // unreadable previous results: overwrite
    }
  }
  const ratios = rows
    .filter((r) => r.mode !== 'ce' && r.mode !== 'teacher-build')
    .map((r) => {
      const base = rows.find((b) => b.backend === r.backend && b.preset === r.preset && b.mode === 'ce')!;
      return {
        backend: r.backend,
        preset: r.preset,
        mode: r.mode,
        ratioToCe: Math.round((r.msMedian / base.msMedian) * 100) / 100,
      };
    });
  for (const q of ratios.filter((x) => backends.includes(x.backend as 'cpu')))
    console.log(`${q.backend} ${q.preset} ${q.mode}: ${q.ratioToCe}× CE-only`);
  mkdirSync('bench/results', { recursive: true });
  const out = {
    date: new Date().toISOString(),
    node: process.version,
    batch: BATCH,
    steps: STEPS,
    warmup: WARMUP,
    modes: MODES,
    rows,
    ratios,
  };
  writeFileSync(FILE, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${FILE}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
