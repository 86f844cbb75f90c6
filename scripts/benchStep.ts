// npm run bench:step — median ms per training step, tokens/s and tensors after a step, for the student and teacher
// presets on Node cpu and wasm, CE-only vs every term on (synthetic data, random teacher targets). Writes bench/results/step.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed, Rng } from '../src/core/rng';
import { initBackend } from '../src/model/backend';
import { ENCODER_PRESET, modelFor, type ModelConfig, STUDENT_PRESET, TEACHER_PRESET } from '../src/model/configs';
import { initEncoder } from '../src/model/encoder';
import { disposeParams } from '../src/model/params';
import { readStep, Trainer } from '../src/model/trainer';
import { syntheticData, tinyConfig } from '../src/model/testing/tiny';
import { intArg, parseArgs } from './lib/cli';

const args = parseArgs(process.argv.slice(2));
const STEPS = intArg(args, 'steps', 20, 1); // timed steps after warm-up (≥ 20 for the reported table)
const WARMUP = intArg(args, 'warmup', 3, 0);
const BATCH = intArg(args, 'batch', 32, 1, 512);
const backends = String(args.backends ?? 'wasm,cpu').split(',') as ('cpu' | 'wasm')[];
const presets = String(args.presets ?? 'student,teacher').split(',');
const TEXT = { vocabSize: 80, Lp: 14, A: 10 }; // typical pack sizes (DESIGN §2): V≈60–90, Lp≈14, A≈10

type Mode = 'ce' | 'all-no-seq' | 'all' | 'teacher-build';
const MODES: Record<Mode, string> = {
  ce: 'CE only (frozen encoder, cached features)',
  'all-no-seq': 'CE + KD fkl dense + hidden + affinity + attention (cached targets)',
  all: 'all + seqCE (20 % of labeled rows with a differing teacher answer → second forward on a bucketed sub-batch)',
  'teacher-build': 'pack build: CE only, encoder trained jointly (no feature cache)',
};

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
}

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function bench(backend: string, preset: string, mode: Mode): Promise<Row> {
  const enc = ENCODER_PRESET;
  const shape = preset === 'teacher' ? TEACHER_PRESET : STUDENT_PRESET;
  const model: ModelConfig = modelFor(shape, enc, TEXT);
  const teacherD = TEACHER_PRESET.d;
  const data = syntheticData(enc, model, { N: 512, labeled: 448, targets: 'dense', hiddenDim: teacherD, teacherAgree: 0.8, seed: 3 });
  const encParams = initEncoder(enc, new Rng(deriveSeed(1, 'enc')));
  const weights =
    mode === 'all'
      ? { ce: 1, seq: 1, kd: 1, hidden: 1, affinity: 1, attention: 1 }
      : mode === 'all-no-seq'
        ? { ce: 1, seq: 0, kd: 1, hidden: 1, affinity: 1, attention: 1 }
        : { ce: 1, seq: 0, kd: 0, hidden: 0, affinity: 0, attention: 0 };
  const config = tinyConfig({ weights, optim: { batchSize: BATCH, lr: 1e-3 }, data: { useUnlabeled: mode === 'all' } });
  const trainData = mode === 'teacher-build' ? { ...data, targets: undefined, teacherAnswerIds: undefined, kdIds: undefined } : data;
  const tr = new Trainer({ model, encoder: { config: enc, params: encParams }, config, data: trainData, trainEncoder: mode === 'teacher-build' });
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
  const nParams = Object.values(tr.params).reduce((s, v) => s + v.size, 0);
  tr.dispose();
  disposeParams(encParams);
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
  };
}

async function main() {
  const rows: Row[] = [];
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(`bench:step  batch=${BATCH} steps=${STEPS} (after ${WARMUP} warm-up)  encoder=${JSON.stringify(ENCODER_PRESET)}  text=${JSON.stringify(TEXT)}`);
  console.log(`${'backend'.padEnd(8)}${'preset'.padEnd(9)}${'mode'.padEnd(15)}${pad('params', 8)}${pad('ms/step', 10)}${pad('min', 8)}${pad('tok/s', 9)}${pad('tensors', 9)}  flat`);
  for (const backend of backends) {
    await initBackend(backend);
    for (const preset of presets) {
      const modes: Mode[] = preset === 'teacher' ? ['ce', 'all-no-seq', 'all', 'teacher-build'] : ['ce', 'all-no-seq', 'all'];
      for (const mode of modes) {
        const r = await bench(backend, preset, mode);
        rows.push(r);
        console.log(`${backend.padEnd(8)}${preset.padEnd(9)}${mode.padEnd(15)}${pad(r.params, 8)}${pad(r.msMedian, 10)}${pad(r.msMin, 8)}${pad(r.tokensPerSec, 9)}${pad(r.tensorsAfterStep, 9)}  ${r.tensorsFlat}`);
      }
    }
  }
  // Keep the rows of backends not run this time (e.g. `--backends cpu` after a wasm run).
  const FILE = 'bench/results/step.json';
  if (existsSync(FILE)) {
    try {
      const prev = JSON.parse(readFileSync(FILE, 'utf8')) as { rows?: Row[]; batch?: number };
      if (prev.batch === BATCH) rows.unshift(...(prev.rows ?? []).filter((r) => !backends.includes(r.backend as 'cpu')));
    } catch {
      // unreadable previous results: overwrite
    }
  }
  const ratios = rows
    .filter((r) => r.mode !== 'ce' && r.mode !== 'teacher-build')
    .map((r) => {
      const base = rows.find((b) => b.backend === r.backend && b.preset === r.preset && b.mode === 'ce')!;
      return { backend: r.backend, preset: r.preset, mode: r.mode, ratioToCe: Math.round((r.msMedian / base.msMedian) * 100) / 100 };
    });
  for (const q of ratios.filter((x) => backends.includes(x.backend as 'cpu'))) console.log(`${q.backend} ${q.preset} ${q.mode}: ${q.ratioToCe}× CE-only`);
  mkdirSync('bench/results', { recursive: true });
  const out = { date: new Date().toISOString(), node: process.version, batch: BATCH, steps: STEPS, warmup: WARMUP, modes: MODES, rows, ratios };
  writeFileSync(FILE, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${FILE}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
