// `npm run pack:build -- --pack shapes|digits|hues [--seed N] [--topk K] [--steps S] [--fresh] [--smoke] [--teacher-d D --teacher-layers L --teacher-heads H --teacher-seed S] [--out F]`: generates the task,
// trains the vision encoder (stage 0: per-patch labels, CLIP's role) and the teacher mini-LLaVA on the frozen encoder
// (wasm in Node), runs the teacher over every sample and writes public/packs/<name>.safetensors.gz (DESIGN §4).
// Checkpoints to .cache/ so a killed build resumes; deterministic (same seed, same machine → byte-identical pack).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_CONFIG, mergeConfig, type TrainConfig } from '../src/core/config/config';
import { buildPackBytes, type PackInput, type PackMeta } from '../src/core/pack/pack';
import { deriveSeed, Rng } from '../src/core/base/rng';
import { f32ToF16Bits, readSafetensors, type SafeTensor } from '../src/core/pack/safetensors';
import { type Dataset, generateDataset, getTaskSpec, MNIST_LICENSE, type TaskName } from '../src/core/scenes/index';
import { initBackend } from '../src/model/backend';
import { type EncoderConfig, type ModelConfig, modelFor, STUDENT_PRESET, TEACHER_PRESET } from '../src/model/configs';
import { patchHeadClasses, patchLabels } from '../src/core/scenes/patchLabels';
import { encodeAll, initEncoder } from '../src/model/encoder';
import { pretrainEncoder, rescaleEncoderOutput } from '../src/model/encoderPretrain';
import { evaluate } from '../src/model/evaluate';
import {
  countParams,
  disposeParams,
  exportParams,
  loadParams,
  type HostParams,
  type Params,
} from '../src/model/params';
import { readStep, Trainer, type TrainerCheckpoint } from '../src/model/train/trainer';
import { checkpointFromBytes, checkpointToBytes } from '../src/model/train/checkpointFile';
import { computeTeacherOutputs } from '../src/model/teacherRun';
import { loadMnistBank } from './lib/mnistBank';
import { fmtSec, intArg, parseArgs, Progress } from './lib/cli';
import {
  calibrationReport,
  joinRows,
  type LmStage,
  pretrainedLm,
  pretrainSpec,
  studentInitTensors,
  textRows,
} from './lib/packStages';

/** Per-pack recipe: split sizes, teacher-only training data, encoder and teacher shapes, step budget. */
interface Recipe {
  sizes: { trainLabeled: number; trainUnlabeled: number; val: number; test: number };
  teacherTrain: number; // samples of ground truth the teacher (and encoder) learn from; not shipped
  encoder: Omit<EncoderConfig, 'height' | 'width' | 'channels' | 'patch'>;
  teacher: Pick<ModelConfig, 'd' | 'layers' | 'heads' | 'mlpRatio'>;
  pretrain: { steps: number; batch: number; lr: number }; // stage 0: encoder on per-patch labels
  featureNorm: number; // after stage 0 the encoder's final LN (g, b) is rescaled so patch features have this mean L2 norm
  steps: number; // teacher (LM + projector) training steps on the frozen encoder
  batch: number;
  lr: number;
  /** Stage 1 (issue 27): the teacher's LM first learns the text (next-token on prompts and answers), then answers. */
  lmPretrain?: LmStage;
  /** A pretrained student shipped as student_init.*: next-token on the unlabeled prompts + `corpus` generated samples' text. */
  studentInit?: LmStage & { corpus: number };
}

const SHAPES_RECIPE: Recipe = {
  sizes: { trainLabeled: 500, trainUnlabeled: 3000, val: 500, test: 500 },
  teacherTrain: 48000,
  encoder: { dV: 64, layers: 2, heads: 2 },
  teacher: { d: 128, layers: 4, heads: 8, mlpRatio: 4 },
  pretrain: { steps: 600, batch: 32, lr: 2e-3 },
  featureNorm: 0.25,
  steps: 3000,
  batch: 64,
  lr: 7e-4,
};

const RECIPES: Record<TaskName, Recipe> = {
  shapes: SHAPES_RECIPE,
  digits: {
    sizes: { trainLabeled: 500, trainUnlabeled: 2000, val: 500, test: 300 }, // images dominate the size: N kept under 16 MB
    teacherTrain: 48000,
    encoder: { dV: 64, layers: 2, heads: 2 },
    teacher: TEACHER_PRESET,
    pretrain: { steps: 2400, batch: 32, lr: 2e-3 },
    featureNorm: 1,
    steps: 4000,
    batch: 64,
    lr: 6e-4,
  },
  // shapes' data, encoder and teacher, with ambiguous labels: a shorter run (labels are draws: a teacher that memorises
  // them is overconfident), the LM's text stage first, and a pretrained student shipped beside it (issue 27)
  hues: {
    ...SHAPES_RECIPE,
    steps: 2000, // 2.7 passes over the 48,000 teacher samples
    lmPretrain: { steps: 300, batch: 64, lr: 2e-3 }, // ≈ 2 min at d 128 on one core
    studentInit: { steps: 1000, batch: 64, lr: 2e-3, corpus: 20000 },
  },
};

const CKPT_EVERY = 100;

function log(msg: string) {
  process.stderr.write(`${msg}\n`);
}

function makeDatasets(task: TaskName, seed: number, r: Recipe): { ds: Dataset; teacherDs: Dataset } {
  const digitBank = task === 'digits' ? loadMnistBank({ size: getTaskSpec('digits').digitSize }) : undefined;
  const ds = generateDataset({ task, seed, sizes: r.sizes, digitBank });
  const teacherDs = generateDataset({
    task,
    seed: deriveSeed(seed, 'teacher-data'),
    sizes: { trainLabeled: r.teacherTrain, trainUnlabeled: 0, val: 0, test: 0 },
    digitBank,
  });
  return { ds, teacherDs };
}

/** The teacher run's checkpoint (the trainer's own, resumed through its one path) and the frozen encoder beside it. */
interface Ckpt {
  checkpoint: TrainerCheckpoint;
  encoder: HostParams; // encoder.*
}

function saveCkpt(file: string, c: Ckpt, fingerprint: string) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, checkpointToBytes(c.checkpoint, c.encoder, { fingerprint }));
  renameSync(`${file}.tmp`, file); // atomic: a kill mid-write leaves the previous checkpoint
}

function loadCkpt(file: string, fingerprint: string): Ckpt | null {
  if (!existsSync(file)) return null;
  const bytes = new Uint8Array(readFileSync(file));
  const f = readSafetensors(bytes, file);
  if (f.metadata.fingerprint !== fingerprint) {
    log(`checkpoint ${file} was made with other settings; starting fresh`);
    return null;
  }
  const { checkpoint, extra } = checkpointFromBytes(bytes, file);
  return { checkpoint, encoder: extra };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const task = args.pack as TaskName;
  if (!Object.hasOwn(RECIPES, String(task)))
    throw new Error(`--pack: expected one of ${Object.keys(RECIPES).join(', ')}, got ${JSON.stringify(args.pack)}`);
  // A second teacher of the same data (issue 27): --teacher-d / --teacher-layers / --teacher-heads and --teacher-seed.
  const base = RECIPES[task];
  const smoke = args.smoke === true; // every stage a few steps on little data: checks the pipeline in a minute
  const r: Recipe = {
    ...base,
    ...(smoke
      ? {
          teacherTrain: 1000,
          pretrain: { ...base.pretrain, steps: 5 },
          steps: 10,
          ...(base.lmPretrain ? { lmPretrain: { ...base.lmPretrain, steps: 5 } } : {}),
          ...(base.studentInit ? { studentInit: { ...base.studentInit, steps: 5, corpus: 200 } } : {}),
        }
      : {}),
    teacher: {
      ...base.teacher,
      d: intArg(args, 'teacher-d', base.teacher.d, 8, 1024),
      layers: intArg(args, 'teacher-layers', base.teacher.layers, 1, 16),
      heads: intArg(args, 'teacher-heads', base.teacher.heads, 1, 64),
    },
  };
  const teacherSeed = intArg(args, 'teacher-seed', 0, 0, 2 ** 31);
  const seed = intArg(args, 'seed', 1, 0, 2 ** 32 - 1);
  const topk = args.topk === undefined ? 0 : intArg(args, 'topk', 0, 1, 4096);
  const steps = intArg(args, 'steps', r.steps, 1);
  const out = typeof args.out === 'string' ? args.out : join('public', 'packs', `${task}.safetensors.gz`);
  const backend = await initBackend(((args.backend as string) ?? 'wasm') as 'wasm' | 'cpu');
  const t0 = performance.now();
  log(`pack:build ${task} seed=${seed} steps=${steps} topk=${topk || 'dense'} backend=${backend}`);

  const { ds, teacherDs } = makeDatasets(task, seed, r);
  log(
    `data: ${ds.n} shipped samples, ${teacherDs.n} teacher-training samples, V=${ds.vocab.length} Lp=${ds.promptLen} A=${ds.answerLen}`,
  );
  const spec = ds.spec;
  const encCfg: EncoderConfig = {
    height: spec.height,
    width: spec.width,
    channels: spec.channels,
    patch: spec.patchSize,
    ...r.encoder,
  };
  const model = modelFor(r.teacher, encCfg, { vocabSize: ds.vocab.length, Lp: ds.promptLen, A: ds.answerLen });
  // What the teacher checkpoint depends on (not the shipped split sizes, so they can change without retraining).
  const { sizes: _sizes, ...trainRecipe } = r;
  const fingerprint = JSON.stringify({ task, seed, steps, trainRecipe, backend, teacherSeed, smoke, v: 4 });
  const variant =
    teacherSeed || r.teacher.d !== base.teacher.d || r.teacher.layers !== base.teacher.layers
      ? `-t${teacherSeed}-d${r.teacher.d}x${r.teacher.layers}`
      : '';
  const ckptFile = join('.cache', `pack-${task}-${seed}${variant}${smoke ? '-smoke' : ''}`, 'teacher.ckpt.safetensors');
  const ckpt = args.fresh ? null : loadCkpt(ckptFile, fingerprint);

  // 0. The encoder learns what sits in each cell (per-patch colour / kind / size / digit), then is frozen.
  const encOnly = ckpt
    ? loadParams(ckpt.encoder, '', undefined, ckptFile)
    : initEncoder(encCfg, new Rng(deriveSeed(seed, 'encoder-init')));
  if (!ckpt) {
    const pre = new Progress('encoder', r.pretrain.steps);
    const last = await pretrainEncoder(
      encCfg,
      encOnly,
      teacherDs.images,
      patchLabels(teacherDs.scenes, spec),
      patchHeadClasses(spec),
      {
        ...r.pretrain,
        seed: deriveSeed(seed, 'encoder-pretrain'),
        onStep: (st, loss) => pre.update(st + 1, `per-patch CE ${loss.toFixed(4)}`),
      },
    );
    log(`encoder pretrained: per-patch CE ${last.toFixed(4)}`);
    const scale = await rescaleEncoderOutput(encCfg, encOnly, teacherDs.images, r.featureNorm);
    log(`encoder features rescaled ×${scale.toFixed(4)} to mean patch norm ${r.featureNorm}`);
  }
  const features = encodeAll(encCfg, encOnly, teacherDs.images);

  // 0b. The teacher's LM learns the text first (as an LLM is pretrained on text): next-token on prompts and answers.
  let lmStage: Params | undefined;
  if (!ckpt && r.lmPretrain) {
    const all = [...Array(teacherDs.n).keys()];
    const st = await pretrainedLm(
      model,
      textRows(teacherDs.promptIds, teacherDs.answerIds, model.Lp, model.A, all),
      r.lmPretrain,
      deriveSeed(seed, `teacher-lm${teacherSeed || ''}`),
      'teacher LM',
    );
    log(`teacher LM pretrained on text: next-token CE ${st.loss.toFixed(4)} (${fmtSec(st.seconds)})`);
    lmStage = st.params;
  }

  // 1. The teacher (projector + LM) learns the questions on the frozen encoder's features (CE on ground truth).
  const cfg: TrainConfig = mergeConfig(DEFAULT_CONFIG, {
    seed: deriveSeed(seed, teacherSeed ? `teacher-${teacherSeed}` : 'teacher'),
    optim: { lr: r.lr, batchSize: r.batch, warmupSteps: 100, totalSteps: steps, minLrFrac: 0.05, clipNorm: 1 },
  });
  const tdata = {
    images: teacherDs.images,
    promptIds: teacherDs.promptIds,
    answerIds: teacherDs.answerIds,
    labeled: Array.from({ length: teacherDs.n }, (_, i) => i),
  };
  // A checkpoint resumes the run where it stopped: model, Adam, step, batch order and RNGs (the trainer's one path).
  const trainer = new Trainer({
    model,
    encoder: { config: encCfg, params: encOnly },
    config: cfg,
    data: tdata,
    features,
    init: lmStage,
    resume: ckpt?.checkpoint,
  });
  if (lmStage) disposeParams(lmStage); // the trainer holds a copy
  const encHost = ckpt?.encoder ?? (await exportParams(encOnly)); // frozen from here on
  if (ckpt) log(`resumed from ${ckptFile} at step ${trainer.stepCount}`);
  else saveCkpt(ckptFile, { checkpoint: await trainer.checkpoint(), encoder: encHost }, fingerprint);
  const val = [...ds.split.keys()].filter((i) => ds.split[i] === 2);
  const spy = new Rng(deriveSeed(seed, 'progress-val'));
  const valProbe = spy.shuffle(val).slice(0, 200);
  const dsFeatures = encodeAll(encCfg, encOnly, ds.images);
  const prog = new Progress('teacher', steps, trainer.stepCount);
  let ema = NaN;
  while (trainer.stepCount < steps) {
    const s = await readStep(trainer.step());
    ema = Number.isNaN(ema) ? s.ce : 0.98 * ema + 0.02 * s.ce;
    prog.update(trainer.stepCount, `ce≈${ema.toFixed(4)} lr=${s.lr.toExponential(2)}`);
    if (trainer.stepCount % CKPT_EVERY === 0 || trainer.stepCount === steps) {
      saveCkpt(ckptFile, { checkpoint: await trainer.checkpoint(), encoder: encHost }, fingerprint);
    }
    if (trainer.stepCount % 500 === 0 && trainer.stepCount < steps) {
      const ev = await evaluate(
        { config: model, params: trainer.params },
        { config: encCfg, params: encOnly },
        ds,
        valProbe,
        ds.families.length,
        { features: dsFeatures },
      );
      log(
        `  step ${trainer.stepCount}: val probe ${ev.overall.toFixed(1)}% ${ds.families.map((f, i) => `${f} ${ev.perFamily[i].toFixed(0)}`).join(' ')}`,
      );
    }
  }
  features.dispose();
  const trainSec = (performance.now() - t0) / 1000;

  // 2. Freeze; evaluate on val; run the teacher over every shipped sample.
  const teacher = { config: model, params: trainer.params };
  const encoder = { config: encCfg, params: encOnly };
  const ev = await evaluate(teacher, encoder, ds, val, ds.families.length, { features: dsFeatures });
  const accuracy = Object.fromEntries(ds.families.map((f, i) => [f, Math.round(ev.perFamily[i] * 10) / 10]));
  log(`teacher val exact match: overall ${ev.overall.toFixed(1)}% ${JSON.stringify(accuracy)}`);
  const tp = new Progress('targets', ds.n);
  const to = await computeTeacherOutputs({
    encoder,
    teacher,
    images: ds.images,
    promptIds: ds.promptIds,
    answerIds: ds.answerIds,
    labeled: (n) => ds.split[n] !== 1,
    onProgress: (d) => tp.update(d),
  });

  // 2b. How sure and how calibrated the teacher is (val answer rows), and its answers against the labels and the Bayes answers.
  const calib = calibrationReport({
    logits: to.logits,
    answerIds: ds.answerIds,
    teacherAnswerIds: to.teacherAnswerIds,
    bayesAnswerIds: ds.bayesAnswerIds,
    split: ds.split,
    N: ds.n,
    A: model.A,
    V: model.vocabSize,
  });
  log(
    `teacher calibration on ${calib.rows} val answer rows: ECE ${(100 * calib.ece).toFixed(2)} %, median top-token p ${calib.medianTopProb.toFixed(4)}, mean entropy ${calib.meanEntropy.toFixed(4)} nats; exact match vs labels ${calib.vsLabels.toFixed(1)} %${calib.vsBayes === null ? '' : `, vs Bayes answers ${calib.vsBayes.toFixed(1)} %`}`,
  );

  // 2c. A pretrained student (issue 27): the student preset's LM on the unlabeled prompts and generated text.
  let studentInit: Awaited<ReturnType<typeof studentInitTensors>> | null = null;
  if (r.studentInit) {
    const sModel = modelFor(STUDENT_PRESET, encCfg, { vocabSize: ds.vocab.length, Lp: ds.promptLen, A: ds.answerLen });
    const unl = [...ds.split.keys()].filter((i) => ds.split[i] === 1);
    const textDs = generateDataset({
      task,
      seed: deriveSeed(seed, 'student-text'),
      sizes: { trainLabeled: r.studentInit.corpus, trainUnlabeled: 0, val: 0, test: 0 },
    });
    const rows = joinRows(
      textRows(ds.promptIds, ds.answerIds, model.Lp, model.A, unl, false),
      textRows(textDs.promptIds, textDs.answerIds, model.Lp, model.A, [...Array(textDs.n).keys()]),
    );
    const corpus = `the ${unl.length} unlabeled prompts of this pack and the prompts and drawn answers of ${textDs.n} more generated samples (text only, no images)`;
    const st = await pretrainedLm(sModel, rows, r.studentInit, deriveSeed(seed, 'student-init'), 'student LM');
    log(`student LM pretrained: next-token CE ${st.loss.toFixed(4)} (${fmtSec(st.seconds)})`);
    studentInit = await studentInitTensors(sModel, st.params, {
      objective: 'next-token',
      steps: r.studentInit.steps,
      corpus,
    });
  }

  // 3. Write the pack.
  const N = ds.n,
    A = model.A,
    V = model.vocabSize,
    P = model.P,
    d = model.d;
  const tensors: Record<string, SafeTensor> = {
    images: { dtype: 'U8', shape: [N, spec.height, spec.width, spec.channels], data: ds.images },
    split: { dtype: 'U8', shape: [N], data: ds.split },
    family: { dtype: 'U8', shape: [N], data: ds.family },
    prompt_ids: { dtype: 'I32', shape: [N, model.Lp], data: ds.promptIds },
    answer_ids: { dtype: 'I32', shape: [N, A], data: ds.answerIds },
    teacher_answer_ids: { dtype: 'I32', shape: [N, A], data: to.teacherAnswerIds },
    kd_ids: { dtype: 'I32', shape: [N, A], data: to.kdIds },
    teacher_hidden: { dtype: 'F16', shape: [N, A, d], data: f32ToF16Bits(to.hidden) },
    teacher_affinity: { dtype: 'F16', shape: [N, P, A], data: f32ToF16Bits(to.affinity) },
    teacher_attention: { dtype: 'F16', shape: [N, A, P], data: f32ToF16Bits(to.attention) },
  };
  if (topk > 0) Object.assign(tensors, topkTensors(to.logits, N, A, V, Math.min(topk, V), to.kdIds));
  else tensors.teacher_logits = { dtype: 'F16', shape: [N, A, V], data: f32ToF16Bits(to.logits) };
  for (const [k, w] of Object.entries(await exportParams(encOnly)))
    tensors[k] = { dtype: 'F32', shape: w.shape, data: w.data };
  for (const [k, w] of Object.entries(await trainer.exportModel('teacher.')))
    tensors[k] = { dtype: 'F32', shape: w.shape, data: w.data };
  if (ds.bayesAnswerIds) tensors.bayes_answer_ids = { dtype: 'I32', shape: [N, A], data: ds.bayesAnswerIds };
  if (studentInit) Object.assign(tensors, studentInit.tensors);
  const meta: PackMeta = {
    format: 'llavadi-lab-pack',
    version: '1',
    vocab: ds.vocab,
    image: { height: spec.height, width: spec.width, channels: spec.channels },
    families: ds.families,
    targets: { kind: topk > 0 ? 'topk' : 'dense', k: topk > 0 ? Math.min(topk, V) : V, positions: 'answer' },
    encoder: encCfg as unknown as Record<string, unknown>,
    teacher: {
      config: model as unknown as Record<string, unknown>,
      params: countParams(trainer.params),
      accuracy,
      trainedSteps: steps,
      seed,
      ...(r.lmPretrain
        ? {
            pretrain: pretrainSpec(
              r.lmPretrain,
              `prompts and answers of the ${teacherDs.n} teacher-training samples (text only)`,
            ),
          }
        : {}),
      calibration: { ece: calib.ece, medianTopProb: calib.medianTopProb, meanEntropy: calib.meanEntropy },
    },
    ...(ds.bayesAccuracy && ds.annotator
      ? { ambiguity: { annotator: ds.annotator, bayesAccuracy: ds.bayesAccuracy as Record<string, number> } }
      : {}),
    ...(studentInit ? { studentInit: studentInit.meta } : {}),
    license:
      task === 'digits'
        ? `Scenes generated by LLaVADI Lab (MIT). Digits: ${MNIST_LICENSE}`
        : 'Scenes generated by LLaVADI Lab (MIT); no third-party data.',
  };
  const input: PackInput = {
    meta,
    tensors,
    extraMetadata: {
      task,
      teacher_overall_accuracy: ev.overall.toFixed(2),
      hidden: JSON.stringify({ width: d, note: 'full teacher width; last layer after the final LN' }),
      build: JSON.stringify({
        tool: 'npm run pack:build',
        steps,
        teacherTrainSamples: teacherDs.n,
        recipe: r,
        teacherSeed,
      }),
      teacher_calibration: JSON.stringify({
        rows: calib.rows,
        tokenAccuracy: calib.tokenAccuracy,
        vsLabels: calib.vsLabels,
        vsBayes: calib.vsBayes,
      }),
    },
  };
  const bytes = buildPackBytes(input, { gzip: true, fileName: out });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, bytes);
  trainer.dispose();
  const sec = (performance.now() - t0) / 1000;
  log(
    `wrote ${out}: ${(bytes.length / 1e6).toFixed(2)} MB; teacher training ${fmtSec(trainSec)}, total ${fmtSec(sec)}`,
  );
  console.log(
    JSON.stringify({
      pack: out,
      bytes: bytes.length,
      teacherOverall: ev.overall,
      accuracy,
      calibration: calib,
      bayesAccuracy: ds.bayesAccuracy ?? null,
      trainSeconds: trainSec,
      totalSeconds: sec,
      tensors: tf.memory().numTensors,
    }),
  );
}

/** Top-K of the dense teacher logits per slot (descending), with the full-vocabulary logsumexp. */
function topkTensors(
  logits: Float32Array,
  N: number,
  A: number,
  V: number,
  K: number,
  kdIds: Int32Array,
): Record<string, SafeTensor> {
  const ids = new Int32Array(N * A * K);
  const lg = new Float32Array(N * A * K);
  const lse = new Float32Array(N * A);
  const order = new Array<number>(V);
  for (let r = 0; r < N * A; r++) {
    const z = logits.subarray(r * V, (r + 1) * V);
    if (kdIds[r] === 0) continue; // <pad> slot: zeros (never used)
    for (let v = 0; v < V; v++) order[v] = v;
    order.sort((a, b) => z[b] - z[a] || a - b);
    let m = -Infinity;
    for (let v = 0; v < V; v++) m = Math.max(m, z[v]);
    let s = 0;
    for (let v = 0; v < V; v++) s += Math.exp(z[v] - m);
    lse[r] = m + Math.log(s);
    for (let k = 0; k < K; k++) {
      ids[r * K + k] = order[k];
      lg[r * K + k] = z[order[k]];
    }
  }
  return {
    teacher_topk_ids: { dtype: 'I32', shape: [N, A, K], data: ids },
    teacher_topk_logits: { dtype: 'F16', shape: [N, A, K], data: f32ToF16Bits(lg) },
    teacher_lse: { dtype: 'F32', shape: [N, A], data: lse },
  };
}

main().catch((e) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
