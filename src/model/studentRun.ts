// The one student builder: a pack and a TrainConfig → the Trainer the lab trains (config fitted to the pack, weights
// checked against their specs, the frozen-encoder feature cache, the optional online teacher, the fixed val subset).
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, mergeConfig, studentInitOf, type TrainConfig, validateConfig } from '../core/config/config';
import { featuresGrid, type Pack, PackError } from '../core/pack/pack';
import { checkPackCost, maxBatch, type StepCost } from '../core/pack/packCost';
import { f16BitsToF32 } from '../core/pack/safetensors';
import { SPLIT } from '../core/kd/terms';
import { type EncoderConfig, encoderGeometry, type ModelConfig, modelFor, STUDENT_PRESET } from './configs';
import { encodeAll, encoderSpecs } from './encoder';
import { evaluate, type EvalResult } from './evaluate';
import { LazyFeatures } from './featureCache';
import { encoderConfigOf, indicesOf, isFeaturesPack, teacherConfigOf, trainDataOf, weightsOf } from './fromPack';
import { llavaSpecs } from './llava';
import { disposeParams, loadParams, type Params } from './params';
import { Trainer, type TrainData } from './train/trainer';
import type { TrainerCheckpoint } from './train/checkpoint';

/** Whether a pack carries teacher weights (`teacher.*`): the online teacher, allPositions and on-policy need them. */
export function hasTeacherWeights(pack: Pack): boolean {
  return Object.keys(pack.weights).some((k) => k.startsWith('teacher.'));
}

/**
 * Refuse, before a run, a config whose knobs need what the pack lacks (DESIGN §4b): the online teacher, all positions
 * and on-policy need `teacher.*` weights; the hidden, affinity and attention terms need teacher_hidden,
 * teacher_affinity and teacher_attention (or the online teacher). Throws a ConfigError naming the knob and the pack
 * field; returns the config when the pack can give everything it asks for. `withTeacher` false: the run loads no teacher.
 */
export function checkConfigAgainstPack(c: TrainConfig, pack: Pack, withTeacher = hasTeacherWeights(pack)): TrainConfig {
  const external =
    pack.meta.teacher.config === null ? " (this pack's teacher is external: metadata.teacher.config is null)" : '';
  const online = c.kd.source === 'online' || c.kd.allPositions || c.onPolicy.lambda > 0;
  if (online && !withTeacher) {
    const [field, got, off] =
      c.onPolicy.lambda > 0
        ? ['onPolicy.lambda', c.onPolicy.lambda, '0']
        : c.kd.allPositions
          ? ['kd.allPositions', true, 'false']
          : ['kd.source', c.kd.source, "'cached'"];
    throw new ConfigError(
      field,
      `${off}: this knob runs the teacher online and needs the pack's teacher weights (tensors teacher.*)${external}`,
      got,
      "turn the online teacher, all positions and on-policy off, or load a pack that ships the teacher's weights",
    );
  }
  if (!online || !withTeacher) {
    const t = pack.tensors;
    const terms = [
      ['hidden', t.teacher_hidden, 'teacher_hidden'],
      ['affinity', t.teacher_affinity, 'teacher_affinity'],
      ['attention', t.teacher_attention, 'teacher_attention'],
    ] as const;
    for (const [term, tensor, name] of terms) {
      if (c.weights[term] > 0 && !tensor) {
        throw new ConfigError(
          `weights.${term}`,
          `0: the ${term} term needs tensor ${name}, which this pack lacks${external}`,
          c.weights[term],
          `set the ${term} weight to 0, or export the pack with ${name}`,
        );
      }
    }
  }
  return c;
}

/**
 * Adjust a config to what a pack (and the run) can give: top-K packs have no dense targets; without an online teacher
 * (no teacher weights, or `withTeacher` false) KD reads the cache, on answer positions only, and on-policy is off.
 */
export function fitConfigToPack(c: TrainConfig, pack: Pack, withTeacher = hasTeacherWeights(pack)): TrainConfig {
  const patch: Parameters<typeof mergeConfig>[1] = {};
  if (pack.meta.targets.kind === 'topk' && c.kd.topKMode === 'dense')
    patch.kd = { topKMode: 'renorm', topK: Math.min(c.kd.topK, pack.dims.K) };
  if (!withTeacher) {
    patch.kd = { ...patch.kd, source: 'cached', allPositions: false };
    patch.onPolicy = { lambda: 0 };
  }
  return validateConfig(mergeConfig(c, patch));
}

/**
 * Refuse a pack + config whose training step would pass the lab's bounds (core/packCost: the sequence length, a
 * step's memory at the config's batch size, the models of `lanes` students), before anything is allocated. `as`
 * 'pack': a PackError naming the file (a pack load); 'config': a ConfigError on optim.batchSize (a knob, a new lane).
 */
export function checkRunCost(
  pack: Pack,
  c: TrainConfig,
  lanes = 1,
  as: 'pack' | 'config' = 'pack',
  name = 'pack',
): StepCost {
  const enc = encoderConfigOf(pack, name);
  const { Lp, A, V } = pack.dims;
  const online = hasTeacherWeights(pack) && (c.kd.source === 'online' || c.kd.allPositions || c.onPolicy.lambda > 0);
  const x = {
    seq: { P: encoderGeometry(enc).P, Lp, A, V, dV: enc.dV },
    student: STUDENT_PRESET,
    teacher: online ? teacherConfigOf(pack) : null,
    batch: c.optim.batchSize,
    lanes,
  };
  try {
    return checkPackCost(name, x);
  } catch (e) {
    if (as === 'config' && e instanceof PackError && e.field === 'step memory') {
      const fit = maxBatch(x);
      throw new ConfigError(
        'optim.batchSize',
        `at most ${fit} for this pack (${e.detail})`,
        c.optim.batchSize,
        `use a batch size of at most ${fit}`,
      );
    }
    throw e;
  }
}

export interface StudentRunOptions {
  name?: string; // the pack's name in error messages (default 'pack')
  /** Size of the fixed val subset: the first n val samples (the lab: 100; default: every val sample). */
  evalSamples?: number;
  /** Load the pack's `teacher.*` as the online teacher (DESIGN §6b: F3 all positions, F11 on-policy). Default: when present. */
  teacher?: boolean;
  /** Frozen-encoder features [N, P, dV] computed elsewhere (encodeAllVia); the run owns them once built. */
  features?: tf.Tensor3D;
  /**
   * Encode the images a chunk at a time when first read (LazyFeatures: same values as the eager cache) instead of all
   * at build time: the lab's cold open encodes only what its first steps and evaluations read. Default false.
   */
  lazyFeatures?: boolean;
}

/** Val exact match of the fixed val subset: percent overall and per family (NaN where the subset has none). */
export interface RunAccuracy {
  overall: number;
  perFamily: number[];
}

/** A pack, its frozen encoder and feature cache, the optional online teacher, and the student being trained. */
export class StudentRun {
  readonly model: ModelConfig; // the student preset, sized to the pack
  readonly data: TrainData;
  readonly features: tf.Tensor3D; // [N, P, dV], computed once per pack, shared by every Trainer (reset)
  private readonly lazy: LazyFeatures | null = null; // the cache behind `features` when it fills on demand
  readonly evalIdx: number[]; // the fixed val subset
  readonly encoder: { config: EncoderConfig; params: Params }; // a features pack: a stand-in geometry, no params (never run)
  readonly teacher: { config: ModelConfig; params: Params } | null;
  /** The pack ships image_features (DESIGN §4b): no encoder, features from the file. */
  readonly featuresPack: boolean;
  /** The patch grid (rows·cols = P) for drawing per-patch values on the image. */
  readonly grid: { rows: number; cols: number };
  trainer: Trainer;

  /** Throws (pack, spec and config errors) before anything is kept; frees what it built on the way. */
  constructor(
    readonly pack: Pack,
    config: TrainConfig,
    opts: StudentRunOptions = {},
  ) {
    const name = opts.name ?? 'pack';
    const encCfg = encoderConfigOf(pack, name);
    checkRunCost(pack, config, 1, 'pack', name); // before a byte of the model is allocated
    this.featuresPack = isFeaturesPack(pack);
    const encParams = this.featuresPack
      ? {}
      : loadParams(weightsOf(pack, 'encoder.'), '', encoderSpecs(encCfg), `${name} encoder.*`);
    this.grid = pack.meta.features
      ? featuresGrid(pack.meta.features)
      : { rows: encCfg.height / encCfg.patch, cols: encCfg.width / encCfg.patch };
    let teacher: StudentRun['teacher'] = null;
    let features: tf.Tensor3D | null = null;
    try {
      if ((opts.teacher ?? true) && hasTeacherWeights(pack)) {
        const tc = teacherConfigOf(pack);
        teacher = {
          config: tc,
          params: loadParams(weightsOf(pack, 'teacher.'), 'teacher.', llavaSpecs(tc), `${name} teacher.*`),
        };
      }
      const { Lp, A, V } = pack.dims;
      this.model = modelFor(STUDENT_PRESET, encCfg, { vocabSize: V, Lp, A });
      this.data = trainDataOf(pack);
      this.encoder = { config: encCfg, params: encParams };
      this.teacher = teacher;
      if (!opts.features && opts.lazyFeatures && !this.featuresPack)
        this.lazy = new LazyFeatures(encCfg, encParams, this.data.images);
      features = opts.features ?? this.lazy?.tensor ?? this.cacheOf(pack, encCfg, encParams);
      this.features = features;
      this.trainer = this.makeTrainer(config);
    } catch (e) {
      disposeParams(encParams);
      if (teacher) disposeParams(teacher.params);
      if (features && !opts.features) features.dispose();
      throw e;
    }
    const val = indicesOf(pack, SPLIT.val);
    this.evalIdx = opts.evalSamples === undefined ? val : val.slice(0, Math.max(1, opts.evalSamples));
  }

  get config(): TrainConfig {
    return this.trainer.config;
  }

  /** Make `features` final for these samples (a no-op unless the cache fills on demand); call before reading them. */
  ensureFeatures(indices: readonly number[], fillAhead = false): void {
    this.lazy?.ensure(indices, fillAhead);
  }

  /** Whether `features` is final for these samples (always, unless the cache fills on demand). */
  featuresReady(indices: readonly number[]): boolean {
    return this.lazy ? this.lazy.has(indices) : true;
  }

  /** Make `features` final for every sample (benchmarks that time steps, not encoding). */
  ensureAllFeatures(): void {
    this.lazy?.ensureAll();
  }

  /** Whether the pack has pixels to show (a features pack's thumbnails are optional). */
  get hasImages(): boolean {
    return this.pack.tensors.images !== undefined;
  }

  /** The feature cache [N, P, dV]: a features pack's image_features as float32, else the frozen encoder over the images. */
  private cacheOf(pack: Pack, e: EncoderConfig, p: Params): tf.Tensor3D {
    const f = pack.tensors.image_features;
    if (f) return tf.tensor3d(f16BitsToF32(f), [pack.dims.N, e.height, e.dV]); // P = e.height (featuresEncoderConfig)
    return encodeAll(e, p, this.data.images);
  }

  /**
   * A new student on this run's shared pack, features, encoder and teacher (a race lane); the caller owns it. With a
   * checkpoint (crash resume) it continues that run: its config, weights, optimizer, step and data cursor.
   */
  makeTrainer(config: TrainConfig, resume?: TrainerCheckpoint): Trainer {
    const c = fitConfigToPack(resume?.config ?? config, this.pack, this.teacher != null);
    const ck = resume ? { ...resume, config: c } : undefined;
    const ensureFeatures = this.lazy ? (idx: readonly number[]) => this.ensureFeatures(idx, true) : undefined; // steps fill ahead
    const init = !resume && studentInitOf(c) === 'pretrained' ? this.pretrainedInit() : undefined;
    return new Trainer({
      model: this.model,
      encoder: this.encoder,
      config: c,
      data: this.data,
      teacher: this.teacher ?? undefined,
      features: this.features,
      ensureFeatures,
      resume: ck,
      init,
    });
  }

  private studentInit: Params | null = null; // the pack's student_init.*, loaded when a student first asks for it

  /**
   * The pack's pretrained student (DESIGN §4c), checked against the student this run builds: a pack without one, or
   * one made for another student config, is refused by name (ConfigError on studentInit).
   */
  private pretrainedInit(): Params {
    if (this.studentInit) return this.studentInit;
    const si = this.pack.meta.studentInit;
    if (!si)
      throw new ConfigError(
        'studentInit',
        "'scratch': this pack ships no pretrained student (metadata.student_init and tensors student_init.*)",
        'pretrained',
        'use student init: scratch, or a pack built with a pretrained student',
      );
    for (const [k, v] of Object.entries(this.model)) {
      if (si.config[k] !== v) {
        throw new ConfigError(
          'studentInit',
          `'scratch': the pack's student_init was made for another student (metadata.student_init.config.${k} = ${JSON.stringify(si.config[k])}; the lab's student has ${v})`,
          'pretrained',
        );
      }
    }
    this.studentInit = loadParams(
      weightsOf(this.pack, 'student_init.'),
      'student_init.',
      llavaSpecs(this.model),
      'student_init.*',
    );
    return this.studentInit;
  }

  /** A fresh student at step 0 with `config` (seed and hiddenProjDim act here); the old one is freed once built. */
  reset(config: TrainConfig): void {
    const next = this.makeTrainer(config);
    this.trainer.dispose();
    this.trainer = next;
  }

  /** Greedy exact match of a student (default: this run's trainer) on the fixed val subset. */
  async accuracy(trainer: Trainer = this.trainer): Promise<RunAccuracy> {
    const ev = await this.score(this.evalIdx, trainer.params);
    return { overall: ev.overall, perFamily: Array.from(ev.perFamily) };
  }

  /** Greedy exact match of a student's weights (a trainer's, or a snapshot of them) on any samples: percent and counts. */
  async score(indices: readonly number[], params: Params): Promise<EvalResult> {
    const pk = this.pack.tensors;
    this.ensureFeatures(indices);
    return evaluate(
      { config: this.model, params },
      this.encoder,
      { images: this.data.images, promptIds: pk.prompt_ids, answerIds: pk.answer_ids, family: pk.family },
      indices,
      this.pack.meta.families.length,
      { features: this.features },
    );
  }

  /** Free the trainer, the features, the encoder and the teacher. */
  dispose(): void {
    this.trainer.dispose();
    this.features.dispose();
    disposeParams(this.encoder.params);
    if (this.teacher) disposeParams(this.teacher.params);
    if (this.studentInit) disposeParams(this.studentInit);
  }
}

/** Build a student run from a pack and a config (the lab's session, `npm run study` and `npm run budget` alike). */
export function buildStudentRun(pack: Pack, config: TrainConfig, opts: StudentRunOptions = {}): StudentRun {
  return new StudentRun(pack, config, opts);
}
