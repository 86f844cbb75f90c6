// One loaded pack and the student trained on it: the frozen encoder, the optional online teacher, the Trainer, the
// fixed val subset, and what the UI reads from them (val accuracy and loss, the alignment heatmap, the sample view).
import { SPLIT } from '../core/terms';
import { DEFAULT_CONFIG, mergeConfig, type TrainConfig, validateConfig } from '../core/config';
import { type Pack, parsePack } from '../core/pack';
import { deriveSeed, Rng } from '../core/rng';
import { Tokenizer } from '../core/tokenizer';
import { ENCODER_PRESET, type EncoderConfig, type ModelConfig, modelFor, STUDENT_PRESET } from '../model/configs';
import * as tf from '@tensorflow/tfjs-core';
import { backendInfo } from '../model/backend';
import { encodeAll, encodeAllVia, encoderSpecs, initEncoder } from '../model/encoder';
import { evaluate, generateAnswers } from '../model/evaluate';
import { encoderConfigOf, indicesOf, teacherConfigOf, trainDataOf, weightsOf } from '../model/fromPack';
import { alignmentOf, divergenceGrid, studentAffinityOf, valTerms } from '../model/inspect';
import { llavaSpecs } from '../model/llava';
import { disposeParams, loadParams, type Params } from '../model/params';
import { readStep, Trainer, type TrainData } from '../model/trainer';
import { f16BitsToF32, writeSafetensors, type SafeTensor } from '../core/safetensors';
import type { PackInfo, SampleView } from './protocol';

/** Val samples followed by the alignment-over-training view (the first of the fixed val subset). */
export const ALIGN_SAMPLES = 8;

/** Adjust a config to what a pack can give (top-K packs have no dense targets; no teacher weights → no online teacher). */
export function fitConfigToPack(c: TrainConfig, pack: Pack): TrainConfig {
  const hasTeacher = Object.keys(pack.weights).some((k) => k.startsWith('teacher.'));
  const patch: Parameters<typeof mergeConfig>[1] = {};
  if (pack.meta.targets.kind === 'topk' && c.kd.topKMode === 'dense') patch.kd = { topKMode: 'renorm', topK: Math.min(c.kd.topK, pack.dims.K) };
  if (!hasTeacher) {
    patch.kd = { ...patch.kd, source: 'cached', allPositions: false };
    patch.onPolicy = { lambda: 0 };
  }
  return validateConfig(mergeConfig(c, patch));
}

/** Parsed pack and its frozen-encoder features [N, P, dV], prepared asynchronously by Session.load. */
export interface PreparedPack {
  pack: Pack;
  features: tf.Tensor3D; // owned by the Session built from it
}

export class Session {
  readonly pack: Pack;
  /** Frozen-encoder features of every sample [N, P, dV]: computed once per pack, shared by every Trainer (reset). */
  readonly features: tf.Tensor3D;
  readonly info: PackInfo;
  readonly data: TrainData;
  readonly model: ModelConfig;
  readonly evalIdx: number[]; // the fixed val subset
  private readonly encoder: { config: EncoderConfig; params: Params };
  private readonly teacher: { config: ModelConfig; params: Params } | null;
  private readonly tok: Tokenizer;
  trainer: Trainer;

  /**
   * Parse, encode and build. On a software WebGPU adapter the feature cache is computed on wasm (else cpu) and
   * uploaded: SwiftShader took 210 s over the shapes pack's 4,500 images here, wasm 2.6 s.
   */
  static async load(bytes: Uint8Array, name: string, config: TrainConfig, evalSamples: number): Promise<Session> {
    const bi = backendInfo();
    if (!(bi.name === 'webgpu' && bi.isFallbackAdapter)) return new Session(bytes, name, config, evalSamples);
    const pack = parsePack(bytes, name);
    const features = await encodeAllVia(['wasm', 'cpu'], encoderConfigOf(pack), weightsOf(pack, 'encoder.'), pack.tensors.images);
    try {
      return new Session(bytes, name, config, evalSamples, { pack, features });
    } catch (e) {
      features.dispose();
      throw e;
    }
  }

  /** Parse (unless prepared) and build; throws (PackError, config errors) before anything is kept. */
  constructor(bytes: Uint8Array, name: string, config: TrainConfig, evalSamples: number, prepared?: PreparedPack) {
    const pack = prepared?.pack ?? parsePack(bytes, name);
    const encCfg = encoderConfigOf(pack);
    const encParams = loadParams(weightsOf(pack, 'encoder.'), '', encoderSpecs(encCfg), `${name} encoder.*`);
    let teacher: Session['teacher'] = null;
    let trainer: Trainer | null = null;
    let features: tf.Tensor3D | null = null;
    try {
      const tw = weightsOf(pack, 'teacher.');
      if (Object.keys(tw).length > 0) {
        const tc = teacherConfigOf(pack);
        teacher = { config: tc, params: loadParams(tw, 'teacher.', llavaSpecs(tc), `${name} teacher.*`) };
      }
      const { Lp, A, V } = pack.dims;
      this.model = modelFor(STUDENT_PRESET, encCfg, { vocabSize: V, Lp, A });
      this.data = trainDataOf(pack);
      this.encoder = { config: encCfg, params: encParams };
      this.teacher = teacher;
      features = prepared?.features ?? encodeAll(encCfg, encParams, pack.tensors.images);
      this.features = features;
      trainer = this.makeTrainer(fitConfigToPack(config, pack));
    } catch (e) {
      disposeParams(encParams);
      if (teacher) disposeParams(teacher.params);
      if (features && !prepared) features.dispose();
      throw e;
    }
    this.trainer = trainer;
    this.pack = pack;
    this.tok = new Tokenizer(pack.meta.vocab);
    this.evalIdx = indicesOf(pack, SPLIT.val).slice(0, Math.max(1, evalSamples));
    const n = [0, 0, 0, 0];
    for (const s of pack.tensors.split) n[s]++;
    const overall = Number(pack.extraMetadata.teacher_overall_accuracy);
    this.info = {
      name,
      bytes: bytes.length,
      families: pack.meta.families,
      vocab: pack.meta.vocab,
      counts: { trainLabeled: n[0], trainUnlabeled: n[1], val: n[2], test: n[3] },
      targets: { kind: pack.meta.targets.kind, k: pack.meta.targets.k },
      V: pack.dims.V,
      A: pack.dims.A,
      image: pack.meta.image,
      teacherAccuracy: pack.meta.teacher.accuracy,
      teacherOverall: Number.isFinite(overall) ? overall : null,
      hasTeacherWeights: teacher != null,
      evalSamples: this.evalIdx.length,
      alignSamples: Math.min(ALIGN_SAMPLES, this.evalIdx.length),
      grid: { rows: encCfg.height / encCfg.patch, cols: encCfg.width / encCfg.patch },
    };
  }

  get config(): TrainConfig {
    return this.trainer.config;
  }

  private makeTrainer(config: TrainConfig): Trainer {
    return new Trainer({ model: this.model, encoder: this.encoder, config, data: this.data, teacher: this.teacher ?? undefined, features: this.features });
  }

  /** A fresh student at step 0 with `config` (seed and hiddenProjDim act here). */
  reset(config: TrainConfig): void {
    const next = this.makeTrainer(fitConfigToPack(config, this.pack));
    this.trainer.dispose();
    this.trainer = next;
  }

  /** Greedy exact match on the val subset, and val CE / KD on its first 64 samples. */
  async evaluate(): Promise<{ overall: number; perFamily: Float32Array; valLoss: Float32Array; alignment: Float32Array }> {
    const t = this.trainer;
    const feats = this.features;
    const pk = this.pack.tensors;
    const ev = await evaluate(
      { config: this.model, params: t.params },
      this.encoder,
      { images: pk.images, promptIds: pk.prompt_ids, answerIds: pk.answer_ids, family: pk.family },
      this.evalIdx,
      this.info.families.length,
      { features: feats },
    );
    const c = t.config;
    const valLoss = await valTerms(this.model, t.params, feats, this.data, this.evalIdx.slice(0, 64), c.kd, c.weights);
    const alignment = await divergenceGrid(this.model, t.params, feats, this.data, this.evalIdx.slice(0, this.info.alignSamples), c.kd);
    return { overall: ev.overall, perFamily: Float32Array.from(ev.perFamily), valLoss, alignment };
  }

  /** The sample view and alignment heatmap data of val-subset sample `index`, K teacher tokens per position. */
  async sampleView(index: number, k: number): Promise<SampleView> {
    const t = this.trainer;
    const i = Math.min(Math.max(0, index), this.evalIdx.length - 1);
    const n = this.evalIdx[i];
    const { A, Lp } = this.model;
    const pk = this.pack.tensors;
    const al = await alignmentOf(this.model, t.params, this.features, this.data, n, t.config.kd, k);
    const ans = await generateAnswers({ config: this.model, params: t.params }, this.encoder, { images: pk.images, promptIds: pk.prompt_ids }, [n], {
      features: this.features,
    });
    const row = (a: Int32Array) => a.subarray(n * A, (n + 1) * A);
    const kd = row(pk.kd_ids);
    const positions: string[] = [];
    for (let a = 0; a < A; a++) {
      if (kd[a] === 0) break; // <pad>
      positions.push(this.pack.meta.vocab[kd[a]]);
    }
    const { height: H, width: W, channels: C } = this.info.image;
    const S = H * W * C;
    const P = this.model.P;
    const studentAffinity = await studentAffinityOf(this.model, t.params, this.features, this.data, n);
    const teacherAffinity = f16BitsToF32(pk.teacher_affinity.subarray(n * P * A, (n + 1) * P * A));
    return {
      step: t.stepCount,
      index: i,
      sample: n,
      image: pk.images.slice(n * S, (n + 1) * S),
      question: this.tok.decode(pk.prompt_ids.subarray(n * Lp, (n + 1) * Lp)),
      truth: this.tok.decode(row(pk.answer_ids)),
      teacherAnswer: this.tok.decode(row(pk.teacher_answer_ids)),
      studentAnswer: this.tok.decode(ans),
      family: this.info.families[pk.family[n]] ?? String(pk.family[n]),
      positions,
      topTokens: Array.from(al.topIds, (id) => this.pack.meta.vocab[id]),
      teacher: al.teacher,
      student: al.student,
      divergence: al.divergence,
      k: al.k,
      teacherAffinity,
      studentAffinity,
    };
  }

  /** The student's weights as a safetensors file (F32, names `student.*`) with its config and step in the metadata. */
  async weightsFile(): Promise<Uint8Array> {
    const t = this.trainer;
    const tensors: Record<string, SafeTensor> = {};
    for (const [k, w] of Object.entries(await t.exportModel('student.'))) tensors[k] = { dtype: 'F32', shape: w.shape, data: w.data };
    return writeSafetensors(tensors, {
      format: 'llavadi-lab-student',
      pack: this.info.name,
      step: String(t.stepCount),
      model: JSON.stringify(this.model),
      config: JSON.stringify(t.config),
    });
  }

  dispose(): void {
    this.trainer.dispose();
    this.features.dispose();
    disposeParams(this.encoder.params);
    if (this.teacher) disposeParams(this.teacher.params);
  }
}

/**
 * Milliseconds per training step of the student preset at batch 16 on the active backend, on random data
 * (for `auto` on a software adapter): one warm-up step (shader compilation), then the mean of two. Infinity when the
 * whole measurement passes `budgetMs`: the read in flight is abandoned (its trainer freed when it lands) and no
 * further step is queued, so nothing runs on this backend once the caller has switched to the next.
 */
export async function measureStepMs(budgetMs = Infinity): Promise<number> {
  const start = performance.now();
  const rng = new Rng(deriveSeed(1, 'measure'));
  const enc = ENCODER_PRESET;
  const m = modelFor(STUDENT_PRESET, enc, { vocabSize: 48, Lp: 8, A: 4 });
  const N = 32;
  const images = new Uint8Array(N * enc.height * enc.width * enc.channels).map(() => rng.int(256));
  const promptIds = new Int32Array(N * m.Lp).map(() => 4 + rng.int(44));
  const answerIds = new Int32Array(N * m.A).map((_, i) => (i % m.A === m.A - 1 ? 2 : 4 + rng.int(44)));
  const encParams = initEncoder(enc, rng.fork());
  const cfg = validateConfig(mergeConfig(DEFAULT_CONFIG, { optim: { batchSize: 16 } }));
  const tr = new Trainer({ model: m, encoder: { config: enc, params: encParams }, config: cfg, data: { images, promptIds, answerIds, labeled: [...Array(N).keys()] } });
  const free = () => {
    tr.dispose();
    disposeParams(encParams);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const within = <T>(p: Promise<T>): Promise<T | typeof OVER> =>
    Promise.race([p, new Promise<typeof OVER>((r) => (timer = setTimeout(() => r(OVER), Math.max(0, start + budgetMs - performance.now()))))]).finally(() => clearTimeout(timer));
  let t0 = 0;
  for (let i = 0; i < 3; i++) {
    if (i === 1) t0 = performance.now();
    let read: Promise<unknown>;
    try {
      read = readStep(tr.step());
    } catch (e) {
      free();
      throw e;
    }
    if ((await within(read)) === OVER) {
      void read.then(free, free);
      return Infinity;
    }
  }
  free();
  return (performance.now() - t0) / 2;
}

const OVER = Symbol('over budget');
