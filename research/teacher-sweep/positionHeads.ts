// Diagnostic (shapes): does a position-aware stage-0 encoder (extra row/col heads, POS=1) make the position
// lookups (caption, sqa) learnable? NORM=1 rescales each patch's features to norm 2; ORACLE=1 uses one-hot labels.
// Teacher L4H8, lr 1e-3, STEPS (500) steps. `POS=1 npx tsx research/teacher-sweep/positionHeads.ts`
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_CONFIG, mergeConfig } from '../../src/core/config/config';
import { deriveSeed, Rng } from '../../src/core/base/rng';
import { generateDataset, getTaskSpec } from '../../src/core/scenes/index';
import { patchHeadClasses, patchLabels } from '../../src/core/scenes/patchLabels';
import { initBackend } from '../../src/model/backend';
import { modelFor } from '../../src/model/configs';
import { encodeAll, initEncoder } from '../../src/model/encoder';
import { pretrainEncoder } from '../../src/model/encoderPretrain';
import { evaluate } from '../../src/model/evaluate';
import { readStep, Trainer } from '../../src/model/train/trainer';

const POS = process.env.POS === '1';
const STEPS = Number(process.env.STEPS ?? 500);
await initBackend('wasm');
const spec = getTaskSpec('shapes');
const seed = 1;
const teacherDs = generateDataset({
  task: 'shapes',
  seed: deriveSeed(seed, 'teacher-data'),
  sizes: { trainLabeled: 48000, trainUnlabeled: 0, val: 0, test: 0 },
});
const ds = generateDataset({ task: 'shapes', seed, sizes: { trainLabeled: 0, trainUnlabeled: 0, val: 500, test: 0 } });
const encCfg = {
  height: spec.height,
  width: spec.width,
  channels: spec.channels,
  patch: spec.patchSize,
  dV: 64,
  layers: 2,
  heads: 2,
};
const enc = initEncoder(encCfg, new Rng(deriveSeed(seed, 'encoder-init')));
let labels = patchLabels(teacherDs.scenes, spec);
let classes = patchHeadClasses(spec);
const P = spec.grid * spec.grid;
if (POS) {
  const H = classes.length,
    out = new Int32Array(teacherDs.n * P * (H + 2));
  for (let n = 0; n < teacherDs.n; n++)
    for (let p = 0; p < P; p++) {
      const o = (n * P + p) * (H + 2);
      out.set(labels.subarray((n * P + p) * H, (n * P + p + 1) * H), o);
      out[o + H] = Math.floor(p / spec.grid);
      out[o + H + 1] = p % spec.grid;
    }
  labels = out;
  classes = [...classes, spec.grid, spec.grid];
}
const last = await pretrainEncoder(encCfg, enc, teacherDs.images, labels, classes, {
  steps: 600,
  batch: 32,
  lr: 2e-3,
  seed: deriveSeed(seed, 'encoder-pretrain'),
});
// NORM=1: rescale each patch's feature vector to norm 2 (the one-hot oracle's) before the projector.
const NORM = process.env.NORM === '1';
const norm2 = (f: tf.Tensor3D): tf.Tensor3D =>
  NORM ? (tf.tidy(() => tf.mul(tf.div(f, tf.norm(f, 'euclidean', -1, true)), 2)) as tf.Tensor3D) : f;
// ORACLE=1: one-hot per-patch labels (colour, kind, size, digit) in place of the encoder's features.
const oracle = (d: typeof ds): tf.Tensor3D => {
  const lab = patchLabels(d.scenes, spec),
    cls = patchHeadClasses(spec),
    f = new Float32Array(d.n * P * 64);
  for (let i = 0; i < d.n * P; i++) {
    let off = 0;
    cls.forEach((c, h) => {
      f[i * 64 + off + lab[i * 4 + h]] = 1;
      off += c;
    });
  }
  return tf.tensor3d(f, [d.n, P, 64]);
};
const ORACLE = process.env.ORACLE === '1';
const features = ORACLE ? oracle(teacherDs) : norm2(encodeAll(encCfg, enc, teacherDs.images));
const dsFeatures = ORACLE ? oracle(ds) : norm2(encodeAll(encCfg, enc, ds.images));
const fd = (await features.data()).subarray(0, 64 * P * 64);
let s2 = 0;
for (const x of fd) s2 += x * x;
console.log(
  `POS=${POS} NORM=${NORM} ORACLE=${ORACLE} encoder CE ${last.toFixed(4)} feature rms ${Math.sqrt(s2 / fd.length).toFixed(3)}`,
);
const model = modelFor({ d: 128, layers: 4, heads: 8, mlpRatio: 4 }, encCfg, {
  vocabSize: ds.vocab.length,
  Lp: ds.promptLen,
  A: ds.answerLen,
});
const cfg = mergeConfig(DEFAULT_CONFIG, {
  seed: deriveSeed(seed, 'teacher'),
  optim: { lr: 1e-3, batchSize: 64, warmupSteps: 100, totalSteps: STEPS, minLrFrac: 0.05, clipNorm: 1 },
});
const tr = new Trainer({
  model,
  encoder: { config: encCfg, params: enc },
  config: cfg,
  features,
  data: {
    images: teacherDs.images,
    promptIds: teacherDs.promptIds,
    answerIds: teacherDs.answerIds,
    labeled: Array.from({ length: teacherDs.n }, (_, i) => i),
  },
});
const val = [...ds.split.keys()].filter((i) => ds.split[i] === 2);
const t0 = performance.now();
let ema = NaN;
while (tr.stepCount < STEPS) {
  const s = await readStep(tr.step());
  ema = Number.isNaN(ema) ? s.ce : 0.98 * ema + 0.02 * s.ce;
  if (tr.stepCount % 250 === 0 || tr.stepCount === STEPS) {
    const ev = await evaluate(
      { config: model, params: tr.params },
      { config: encCfg, params: enc },
      ds,
      val,
      ds.families.length,
      { features: dsFeatures },
    );
    console.log(
      `POS=${POS} NORM=${NORM} ORACLE=${ORACLE} step ${tr.stepCount} ce ${ema.toFixed(3)} val ${ev.overall.toFixed(1)} ${ds.families.map((f, i) => `${f} ${ev.perFamily[i].toFixed(0)}`).join(' ')} ${((performance.now() - t0) / tr.stepCount).toFixed(0)} ms/step`,
    );
  }
}
