// Experiment: the tfjs teacher LM (L4H8) on oracle per-patch features (one-hot labels) in place of the encoder.
// `STEPS=500 LR=1e-3 BATCH=64 npx tsx research/teacher-sweep/oracleTfjs.ts` (TASK, FAMS optional).
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_CONFIG, mergeConfig } from '../../src/core/config/config';
import { Rng } from '../../src/core/base/rng';
import { generateDataset, getTaskSpec, type TaskName } from '../../src/core/scenes/index';
import { patchHeadClasses, patchLabels } from '../../src/core/scenes/patchLabels';
import { initBackend } from '../../src/model/backend';
import { modelFor } from '../../src/model/configs';
import { initEncoder } from '../../src/model/encoder';
import { evaluate } from '../../src/model/evaluate';
import { readStep, Trainer } from '../../src/model/train/trainer';
import { loadMnistBank } from '../../scripts/lib/mnistBank';

const task = (process.env.TASK ?? 'shapes') as TaskName;
const steps = Number(process.env.STEPS ?? 3000);
const lr = Number(process.env.LR ?? 3e-3);
const batch = Number(process.env.BATCH ?? 32);
const fams = process.env.FAMS ? process.env.FAMS.split(',') : undefined;
const preset = { d: 128, layers: 4, heads: 8, mlpRatio: 4 };
await initBackend('wasm');
const spec = getTaskSpec(task);
const digitBank = task === 'digits' ? loadMnistBank({ size: spec.digitSize }) : undefined;
const ds = generateDataset({
  task,
  seed: 7,
  sizes: { trainLabeled: 48000, trainUnlabeled: 0, val: 600, test: 0 },
  digitBank,
  families: fams as never,
});
const classes = patchHeadClasses(spec);
const lab = patchLabels(ds.scenes, spec);
const P = spec.grid * spec.grid,
  dV = 64;
const feat = new Float32Array(ds.n * P * dV);
for (let n = 0; n < ds.n; n++)
  for (let p = 0; p < P; p++) {
    let off = 0;
    classes.forEach((c, h) => {
      feat[(n * P + p) * dV + off + lab[(n * P + p) * 4 + h]] = 1;
      off += c;
    });
  }
const features = tf.tensor3d(feat, [ds.n, P, dV]);
const encCfg = { height: spec.height, width: spec.width, channels: 3, patch: spec.patchSize, dV, layers: 1, heads: 2 };
const enc = initEncoder(encCfg, new Rng(1));
const model = modelFor(preset, encCfg, { vocabSize: ds.vocab.length, Lp: ds.promptLen, A: ds.answerLen });
const cfg = mergeConfig(DEFAULT_CONFIG, {
  seed: 3,
  optim: { lr, batchSize: batch, warmupSteps: 100, totalSteps: steps, minLrFrac: 0.05, clipNorm: 1 },
});
const train = [...ds.split.keys()].filter((i) => ds.split[i] === 0);
const val = [...ds.split.keys()].filter((i) => ds.split[i] === 2);
const tr = new Trainer({
  model,
  encoder: { config: encCfg, params: enc },
  config: cfg,
  data: { images: ds.images, promptIds: ds.promptIds, answerIds: ds.answerIds, labeled: train },
  features,
});
console.log(
  `task=${task} fams=${ds.families} Lp=${ds.promptLen} A=${ds.answerLen} V=${ds.vocab.length} lr=${lr} batch=${batch}`,
);
console.log('data ready', performance.now().toFixed(0));
const t0 = performance.now();
let ema = NaN;
while (tr.stepCount < steps) {
  const s = await readStep(tr.step());
  ema = Number.isNaN(ema) ? s.ce : 0.95 * ema + 0.05 * s.ce;
  if (tr.stepCount % 25 === 0)
    console.log(`  ${tr.stepCount} ${ema.toFixed(3)} ${((performance.now() - t0) / tr.stepCount).toFixed(0)}ms`);
  if (tr.stepCount % 250 === 0) {
    const ev = await evaluate(
      { config: model, params: tr.params },
      { config: encCfg, params: enc },
      ds,
      val,
      ds.families.length,
      { features },
    );
    const pf = ds.families.map((f, i) => `${f}:${ev.perFamily[i].toFixed(0)}`).join(' ');
    console.log(
      `${tr.stepCount} ce ${ema.toFixed(3)} val ${ev.overall.toFixed(1)} ${pf} ${((performance.now() - t0) / tr.stepCount).toFixed(0)} ms/step`,
    );
  }
}
