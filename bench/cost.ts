// npm run bench:cost — the step-memory estimate of core/packCost.ts against tfjs's measured peak tensor bytes
// (tf.profile, Node wasm) for growing image-token counts P, CE only and with the online teacher. Writes bench/results/cost.json.
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { stepCost } from '../src/core/pack/packCost';
import { deriveSeed, Rng } from '../src/core/base/rng';
import { initBackend } from '../src/model/backend';
import { type EncoderConfig, modelFor, STUDENT_PRESET, TEACHER_PRESET } from '../src/model/configs';
import { initEncoder } from '../src/model/encoder';
import { initLlava } from '../src/model/llava';
import { disposeParams } from '../src/model/params';
import { readStep, Trainer } from '../src/model/train/trainer';
import { syntheticData, tinyConfig } from '../src/model/testing/tiny';
import { BENCH_TEXT } from './lib/benchTrainer';
import { intArg, parseArgs } from '../scripts/lib/cli';

const args = parseArgs(process.argv.slice(2));
const BATCH = intArg(args, 'batch', 32, 1, 512);
const SIDES = String(args.sides ?? '3,8,12,16')
  .split(',')
  .map(Number); // P = side² (patch 1)

interface Row {
  P: number;
  seqLen: number;
  mode: string;
  batch: number;
  estimatedMiB: number;
  measuredPeakMiB: number;
  ratio: number;
}
const rows: Row[] = [];

async function main(): Promise<void> {
  await initBackend('wasm');
  for (const side of SIDES) {
    const enc: EncoderConfig = { height: side, width: side, channels: 1, patch: 1, dV: 8, layers: 1, heads: 2 };
    const model = modelFor(STUDENT_PRESET, enc, BENCH_TEXT);
    const tmodel = modelFor(TEACHER_PRESET, enc, BENCH_TEXT);
    const data = syntheticData(enc, model, { N: 64, targets: 'dense', hiddenDim: TEACHER_PRESET.d, seed: 3 });
    const encParams = initEncoder(enc, new Rng(deriveSeed(1, 'enc')));
    const tparams = initLlava(tmodel, new Rng(deriveSeed(1, 'teacher')));
    for (const mode of ['ce', 'online teacher, all positions'] as const) {
      const online = mode !== 'ce';
      const config = tinyConfig({
        weights: { ce: 1, kd: online ? 1 : 0 },
        kd: online ? { allPositions: true, source: 'online' } : {},
        optim: { batchSize: BATCH, lr: 1e-3 },
      });
      const tr = new Trainer({
        model,
        encoder: { config: enc, params: encParams },
        config,
        data,
        teacher: { config: tmodel, params: tparams },
      });
      await readStep(tr.step()); // warm-up (feature cache, kernels)
      const prof = await tf.profile(async () => {
        await readStep(tr.step());
      });
      tr.dispose();
      const seq = { P: model.P, Lp: model.Lp, A: model.A, V: model.vocabSize, dV: model.dV };
      const est = stepCost({
        seq,
        student: STUDENT_PRESET,
        teacher: online ? TEACHER_PRESET : null,
        batch: BATCH,
        lanes: 1,
      }).stepBytes;
      const row = {
        P: model.P,
        seqLen: model.P + model.Lp + model.A,
        mode,
        batch: BATCH,
        estimatedMiB: est / 2 ** 20,
        measuredPeakMiB: prof.peakBytes / 2 ** 20,
        ratio: est / prof.peakBytes,
      };
      rows.push(row);
      console.log(
        `P ${String(row.P).padStart(4)}  L ${String(row.seqLen).padStart(4)}  ${mode.padEnd(30)} estimated ${row.estimatedMiB.toFixed(1).padStart(8)} MiB  measured peak ${row.measuredPeakMiB.toFixed(1).padStart(8)} MiB  ratio ${row.ratio.toFixed(2)}`,
      );
    }
    disposeParams(encParams);
    disposeParams(tparams);
  }
  writeFileSync('bench/results/cost.json', `${JSON.stringify({ backend: 'wasm', batch: BATCH, rows }, null, 2)}\n`);
}
void main();
