// The training loop of one run: seeded batches, stage 1 (projector) / stage 2 (projector + LM + φ), on-policy
// sampling, online or cached teacher, Adam with warmup-cosine and global-norm clipping; every term reported per step.
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, type DeepPartial, lrAt, mergeConfig, type TrainConfig, validateConfig } from '../core/config';
import { FieldError } from '../core/errors';
import { Adam, type OptimizerTensor } from './adam';
import { deriveSeed, Rng } from '../core/rng';
import { nonFiniteValues } from '../core/health';
import { type EncoderConfig, encoderGeometry, type ModelConfig, PAD_ID, validateModelConfig } from './configs';
import { encodeAll, encodeImages } from './encoder';
import { generateIds } from './generate';
import { linearSpecs } from './layers';
import { affinityMatrix, initLlava, llavaForward, llavaSpecs, makeTextIds } from './llava';
import { cloneChecked, disposeParams, exportParams, type HostParams, initParams, loadParams, type Params, pick } from './params';
import { buildHostBatch, EpochIterator, type HostBatch, type TrainData, validateTrainData } from './trainerData';
import { assignHost, checkEnvelope, CHECKPOINT_FORMAT, type TrainerCheckpoint } from './trainerCheckpoint';
import { TERM_NAMES, type TermName, VALUE_NAMES, type ValueName } from '../core/terms';
import { type BatchTerms, computeTerms, type PreBatch } from './trainerTerms';

export type { TrainData, TeacherTargets } from './trainerData';
export type { TrainerCheckpoint } from './trainerCheckpoint';

export interface StepResult {
  values: tf.Tensor1D; // [VALUE_WIDTH] in core/terms VALUE_NAMES order; owned by the caller (readStep reads and disposes it)
  step: number; // 0-based index of this step
  lr: number; // learning rate used
  stage: 1 | 2; // 1 = projector only, 2 = projector + LM (+ φ, + encoder when trainEncoder)
  onPolicy: boolean; // answers sampled from the student this step
  batch: number[]; // sample indices
  trained: boolean; // a gradient step was attempted (false: forward only, no term had a positive weight)
  measured: TermName[]; // the terms computed this step (the others are NaN by contract)
}
/** What reading a step tells: the values that went non-finite; skipped = that step's update never reached the weights. */
export interface StepHealth {
  skipped: boolean;
  nonFinite: ValueName[]; // total / measured terms / gradNorm that are NaN or ±Inf
}
export type StepNumbers = Record<ValueName, number> & Omit<StepResult, 'values'> & StepHealth;

/** Read a step's values with one `await data()`, dispose the tensor and settle the step with its trainer. */
export async function readStep(r: StepResult, trainer?: Trainer): Promise<StepNumbers> {
  const v = await r.values.data();
  r.values.dispose();
  const health = trainer ? trainer.settle(r.step, v) : stepHealth(v, r.measured, r.trained);
  const { values: _v, ...rest } = r;
  const out = { ...rest, ...health } as StepNumbers;
  VALUE_NAMES.forEach((n, i) => (out[n] = v[i]));
  return out;
}

function stepHealth(row: ArrayLike<number>, measured: readonly TermName[], trained: boolean): StepHealth {
  const nonFinite = nonFiniteValues(row, measured, trained);
  return { skipped: trained && nonFinite.length > 0, nonFinite };
}

export interface TrainerInit {
  model: ModelConfig; // the model being trained (student, or the teacher in the pack builder)
  encoder: { config: EncoderConfig; params: Params }; // frozen unless trainEncoder; not owned by the trainer
  config: TrainConfig;
  data: TrainData;
  teacher?: { config: ModelConfig; params: Params }; // online teacher (kd.source 'online', allPositions, on-policy); not owned
  trainEncoder?: boolean; // train the encoder too in stage 2 (teacher training); no feature cache then
  /**
   * Frozen-encoder features of all N samples [N, P, dV], computed by the caller (once per pack, possibly on another
   * backend: see encodeAllVia); not owned. Default: encodeAll on the active backend, owned by the trainer.
   */
  features?: tf.Tensor3D;
  /** Called with a batch's sample indices before `features` is read for them (a cache filled on demand: LazyFeatures). */
  ensureFeatures?: (indices: readonly number[]) => void;
  init?: Params; // initial model values (copied); default: seeded init
  /** Continue from a checkpoint (its config replaces `config`; params, φ, Adam, step, cursor and RNGs are loaded). */
  resume?: TrainerCheckpoint;
}

/** At most this many read-pending steps are remembered for settle() (older ones settle as not skipped). */
const MAX_UNSETTLED = 1024;

export class Trainer {
  readonly model: ModelConfig;
  /** The trained model's parameters (projector.*, lm.*); owned by the trainer. */
  readonly params: Params;
  /** φ for the hidden term (phi.fc1, phi.fc2); not part of the exported model. Null without a teacher hidden width. */
  readonly phi: Params | null;
  private cfg: TrainConfig;
  private pending: TrainConfig | null = null;
  private stepNo = 0;
  private readonly N: number;
  private readonly labeledSet: Set<number>;
  private readonly cache: tf.Tensor3D | null;
  private readonly ownsCache: boolean;
  private readonly iters = new Map<string, EpochIterator>();
  private policyRng: Rng;
  private sampleRng: Rng;
  /** Steps not yet read: what they computed and which parameters' Adam counts they advanced. */
  private readonly unsettled = new Map<number, { names: string[]; measured: TermName[]; trained: boolean }>();
  private poisonNext = false;
  private poisonNow: 'teacher' | 'feats' | null = null;
  private readonly adam: Adam;
  /** Every parameter the trainer may update, by dotted name (model, φ, and the encoder when it trains). */
  private readonly named: Params;
  private readonly dotted = new Map<string, string>(); // tf variable name → dotted name
  private disposed = false;

  constructor(private readonly init: TrainerInit) {
    this.model = validateModelConfig(init.model);
    this.cfg = validateConfig(init.resume?.config ?? init.config);
    const enc = init.encoder.config;
    const { P } = encoderGeometry(enc);
    if (P !== this.model.P || enc.dV !== this.model.dV) {
      throw new FieldError({ field: 'model.P/dV', expected: `the encoder's ${P}/${enc.dV}`, got: `${this.model.P}/${this.model.dV}` });
    }
    const t = init.teacher?.config;
    if (t) {
      for (const k of ['vocabSize', 'P', 'Lp', 'A', 'dV'] as const) {
        if (t[k] !== this.model[k]) throw new FieldError({ field: `teacher.config.${k}`, expected: `the student's ${this.model[k]}`, got: t[k] });
      }
    }
    this.N = validateTrainData(init.data, this.model, enc.height * enc.width * enc.channels);
    this.labeledSet = new Set(init.data.labeled);
    const seed = this.cfg.seed;
    this.policyRng = new Rng(deriveSeed(seed, 'policy'));
    this.sampleRng = new Rng(deriveSeed(seed, 'sample'));
    this.params = init.init
      ? cloneChecked(init.init, llavaSpecs(this.model), 'init', 'projector.', 'lm.')
      : initLlava(this.model, new Rng(deriveSeed(seed, 'init')));
    const dhCached = init.data.targets?.hiddenDim;
    if (dhCached !== undefined && t && dhCached !== t.d) {
      throw new FieldError({ field: 'data.targets.hiddenDim', expected: `the teacher's d = ${t.d}`, got: dhCached });
    }
    const dh = dhCached ?? t?.d;
    if (dh) {
      const hp = this.cfg.hiddenProjDim || dh;
      const specs = { ...linearSpecs('phi.fc1', this.model.d, hp), ...linearSpecs('phi.fc2', hp, dh) };
      this.phi = initParams(specs, new Rng(deriveSeed(seed, 'phi')));
    } else this.phi = null;
    this.checkAvailability(this.cfg);
    this.named = { ...this.params, ...(this.phi ?? {}), ...(init.trainEncoder ? init.encoder.params : {}) };
    for (const [k, v] of Object.entries(this.named)) this.dotted.set(v.name, k);
    const o = this.cfg.optim;
    this.adam = new Adam(o.lr, o.beta1, o.beta2, o.epsilon);
    const f = init.features;
    if (f && !init.trainEncoder && f.shape.join() !== [this.N, P, enc.dV].join()) {
      throw new FieldError({ field: 'features', expected: `shape [${this.N}, ${P}, ${enc.dV}] (N, P, dV)`, got: f.shape });
    }
    this.ownsCache = !init.trainEncoder && !f;
    this.cache = init.trainEncoder ? null : (f ?? encodeAll(enc, init.encoder.params, init.data.images));
    if (init.resume) this.restoreCheckpoint(init.resume);
  }

  get config(): TrainConfig {
    return this.pending ?? this.cfg;
  }
  get stepCount(): number {
    return this.stepNo;
  }
  /** Frozen-encoder features of all N samples [N, P, dV] (null when the encoder trains); reuse it for evaluation. */
  get features(): tf.Tensor3D | null {
    return this.cache;
  }

  /** Merge a partial config; validated now, applied at the next step. Seed and hiddenProjDim act only at construction. */
  setConfig(patch: DeepPartial<TrainConfig>): void {
    const next = validateConfig(mergeConfig(this.pending ?? this.cfg, patch));
    this.checkAvailability(next);
    this.pending = next;
  }

  private applyPending(): void {
    if (this.disposed) throw new Error('Trainer: used after dispose()');
    if (this.pending) {
      this.cfg = this.pending;
      this.pending = null;
    }
  }

  private checkAvailability(c: TrainConfig): void {
    const t = this.init.data.targets;
    const online = c.kd.source === 'online' || c.kd.allPositions || c.onPolicy.lambda > 0;
    // Each refusal names the knob, what it would need from the pack, and what to do (DESIGN §4b).
    const err = (field: string, got: unknown, expected: string, hint: string) => {
      throw new ConfigError(field, expected, got, hint);
    };
    const ONLINE_HINT = "turn the online teacher, all positions and on-policy off, or load a pack that ships the teacher's weights";
    if (online && !this.init.teacher) {
      const lam = c.onPolicy.lambda > 0;
      err(lam ? 'onPolicy.lambda' : 'kd.source', lam ? c.onPolicy.lambda : c.kd.source,
        `${lam ? '0' : "'cached'"}: running the teacher online needs the pack's teacher weights (tensors teacher.*)`, ONLINE_HINT);
    }
    if (!online) {
      const need = (term: 'kd' | 'hidden' | 'affinity' | 'attention', ok: boolean, tensor: string) => {
        if (!ok) err(`weights.${term}`, c.weights[term], `0: this pack has no ${tensor}`, `set the ${term} weight to 0, use the online teacher, or rebuild the pack with \`npm run pack:build\``);
      };
      if (c.weights.kd > 0) need('kd', !!(t?.logits || t?.topk), 'teacher targets (teacher_logits or teacher_topk_*)');
      if (c.weights.kd > 0 && !t?.logits && c.kd.topKMode === 'dense') {
        err('kd.topKMode', c.kd.topKMode, "'renorm' or 'tail': 'dense' needs dense teacher_logits and this pack holds top-K targets", 'choose renorm or tail');
      }
      if (c.weights.hidden > 0) need('hidden', !!t?.hidden, 'teacher_hidden');
      if (c.weights.affinity > 0) need('affinity', !!t?.affinity, 'teacher_affinity');
      if (c.weights.attention > 0) need('attention', !!t?.attention, 'teacher_attention');
    }
    if (c.weights.hidden > 0 && !this.phi) {
      err('weights.hidden', c.weights.hidden, '0: the hidden term needs the teacher\'s hidden width (teacher_hidden or teacher.config)', 'set the hidden weight to 0');
    }
    if (c.weights.seq > 0 && !this.init.data.teacherAnswerIds) {
      err('weights.seq', c.weights.seq, '0: seqCE needs the teacher\'s answers (teacher_answer_ids)', 'set the seqCE weight to 0');
    }
  }

  private iterator(stage: 1 | 2): EpochIterator {
    const d = this.init.data;
    const useU = this.cfg.data.useUnlabeled && (d.unlabeled?.length ?? 0) > 0;
    return this.iteratorFor(stage === 1 && d.stage1?.length ? 'stage1' : useU ? 'main+unlabeled' : 'main');
  }

  private iteratorFor(key: string): EpochIterator {
    const d = this.init.data;
    let it = this.iters.get(key);
    if (!it) {
      const pools: Record<string, readonly number[] | undefined> = { stage1: d.stage1, 'main+unlabeled': [...d.labeled, ...(d.unlabeled ?? [])], main: d.labeled };
      const pool = pools[key];
      if (!pool) throw new FieldError({ scope: 'checkpoint', field: `iterators.${key}`, expected: 'one of stage1, main+unlabeled, main (a pool this data has)' });
      it = new EpochIterator(pool, new Rng(deriveSeed(this.cfg.seed, `order:${key}`)));
      this.iters.set(key, it);
    }
    return it;
  }

  private trainable(stage: 1 | 2): tf.Variable[] {
    return Object.values(stage === 1 ? pick(this.params, 'projector.') : this.named);
  }

  private feats(idx: number[]): tf.Tensor3D {
    if (this.cache) {
      this.init.ensureFeatures?.(idx);
      return tf.gather(this.cache, tf.tensor1d(idx, 'int32')) as tf.Tensor3D;
    }
    return encodeImages(this.init.encoder.config, this.init.encoder.params, this.init.data.images, idx);
  }

  private wanted(h: HostBatch, pre: PreBatch): Record<TermName, boolean> {
    const t = this.init.data.targets;
    const on = pre.teacher != null;
    return {
      ce: !pre.onPolicy,
      seq: this.cfg.weights.seq > 0 && h.teacherAns != null,
      kd: on || h.logits != null || (h.topk != null && this.cfg.kd.topKMode !== 'dense'),
      hidden: this.phi != null && (on || t?.hidden != null),
      affinity: on || t?.affinity != null,
      attention: on || t?.attention != null,
    };
  }

  /** Sequence, masks and online teacher outputs, computed before (outside) the gradient tape. */
  private prepare(h: HostBatch, onPolicy: boolean): PreBatch {
    const m = this.model;
    const c = this.cfg;
    const needTeacher = onPolicy || c.kd.source === 'online' || c.kd.allPositions;
    let textIds: tf.Tensor2D;
    let ansMask: tf.Tensor2D;
    let feats: tf.Tensor3D | null = null;
    if (onPolicy || needTeacher) feats = tf.tidy(() => this.feats(h.idx));
    if (onPolicy) {
      const prompt = tf.tensor2d(h.prompt, [h.B, m.Lp], 'int32');
      const opts = { temperature: c.onPolicy.genTemperature, rng: this.sampleRng };
      const sampled = generateIds(m, this.params, feats!, prompt, opts);
      textIds = makeTextIds(prompt, sampled);
      ansMask = tf.cast(tf.notEqual(sampled, PAD_ID), 'float32') as tf.Tensor2D;
    } else {
      textIds = tf.tensor2d(h.textKd, [h.B, m.Lp + m.A], 'int32');
      ansMask = tf.tensor2d(h.kdMask, [h.B, m.A]);
    }
    let teacher: PreBatch['teacher'] = null;
    if (needTeacher) {
      const t = this.init.teacher!;
      const out0 = llavaForward(t.config, t.params, feats!, textIds, { allPositions: c.kd.allPositions });
      // poisonNextStep(): a NaN in the teacher's logits of this batch (test hook for the non-finite guard).
      const out = this.poisonNow === 'teacher' ? { ...out0, logits: tf.add(out0.logits, tf.scalar(NaN)) as tf.Tensor3D } : out0;
      teacher = { out, affinity: affinityMatrix(out.hiddenImg, out.hiddenAns) };
    }
    return { textIds, ansMask, ansMaskHost: onPolicy ? null : h.kdMask, onPolicy, teacher };
  }

  /** Terms (and the weighted total) of one batch; with vars, also the gradients (keyed by variable name). */
  private run(h: HostBatch, pre: PreBatch, vars: tf.Variable[] | null) {
    // Frozen features of the batch, gathered before the tape: on the tape the gather would save (copy) the whole cache.
    const batch0 = this.cache ? this.feats(h.idx) : null; // [B, P, dV]
    const batch = batch0 && this.poisonNow === 'feats' ? (tf.add(batch0, tf.scalar(NaN)) as tf.Tensor3D) : batch0; // poisonNextStep() fallback
    const pos = new Map(h.idx.map((n, i) => [n, i]));
    const feats = (i: number[]) =>
      !batch ? this.feats(i) : i === h.idx ? batch : (tf.gather(batch, tf.tensor1d(i.map((n) => pos.get(n)!), 'int32')) as tf.Tensor3D);
    const ctx = { model: this.model, params: this.params, phi: this.phi, cfg: this.cfg, feats, featsConst: !this.init.trainEncoder, want: this.wanted(h, pre) };
    let terms: Partial<Record<TermName, tf.Scalar>> = {};
    let hasTotal = false;
    let diagnostics: BatchTerms['diagnostics'] = null;
    const f = () => {
      const r = computeTerms(ctx, h, pre, vars != null);
      terms = r.terms;
      diagnostics = r.diagnostics;
      Object.values(terms).forEach((t) => tf.keep(t!));
      hasTotal = r.total != null;
      return r.total ?? tf.scalar(0);
    };
    if (!vars) {
      const total = tf.tidy(f);
      return { total: hasTotal ? total : null, terms, grads: null };
    }
    const { value, grads } = tf.variableGrads(f, vars);
    // Weight-0 terms: measured off the tape, from the forward above (DESIGN §3).
    const late = (diagnostics as BatchTerms['diagnostics'])?.() ?? {};
    return { total: hasTotal ? value : null, terms: { ...terms, ...late }, grads };
  }

  private valuesTensor(total: tf.Scalar | null, terms: Partial<Record<TermName, tf.Scalar>>, gradNorm: tf.Scalar | null): tf.Tensor1D {
    const nan = () => tf.scalar(NaN);
    const t = tf.stack([total ?? nan(), ...TERM_NAMES.map((n) => terms[n] ?? nan()), gradNorm ?? nan()]) as tf.Tensor1D;
    Object.values(terms).forEach((s) => s!.dispose());
    return t;
  }

  /** One optimisation step (no host reads). Uses `indices` as the batch when given, else the seeded iterator. */
  step(indices?: number[]): StepResult {
    this.applyPending();
    const c = this.cfg;
    const stage: 1 | 2 = this.stepNo < c.stage1Steps ? 1 : 2;
    const batch = indices ?? this.iterator(stage).next(c.optim.batchSize);
    const coin = this.policyRng.next(); // drawn every step so λ never shifts the other streams
    const onPolicy = c.onPolicy.lambda > 0 && coin < c.onPolicy.lambda;
    const lr = lrAt(c.optim, this.stepNo);
    const h = buildHostBatch(this.init.data, this.model, batch, this.labeledSet, c.kd.topK);
    this.poisonNow = this.poisonNext ? this.poisonTargets(h, onPolicy) : null;
    this.poisonNext = false;
    let names: string[] = [];
    let measured: TermName[] = [];
    const values = tf.tidy(() => {
      const pre = this.prepare(h, onPolicy);
      const want = this.wanted(h, pre);
      const active = TERM_NAMES.some((n) => want[n] && c.weights[n] > 0);
      if (!active) {
        const r = this.run(h, pre, null);
        measured = TERM_NAMES.filter((n) => r.terms[n]);
        return this.valuesTensor(r.total, r.terms, null);
      }
      const r = this.run(h, pre, this.trainable(stage));
      const grads: Record<string, tf.Tensor> = {};
      for (const [vn, g] of Object.entries(r.grads!)) grads[this.dotted.get(vn)!] = g;
      // Explicit ε on every backend (webgl's backend ε is 1e-4, DESIGN §5); β/ε/lr are live knobs. Adam clips by the
      // global norm over one flat buffer (no tf.addN: tfjs-webgpu 4.22 drops a command buffer with > 7 inputs).
      Object.assign(this.adam, { lr, beta1: c.optim.beta1, beta2: c.optim.beta2, epsilon: c.optim.epsilon });
      // Non-finite guard: a NaN/Inf total, term or ‖g‖ leaves weights and moments as they were (selected in-graph).
      measured = TERM_NAMES.filter((n) => r.terms[n]);
      names = Object.keys(grads);
      const norm = this.adam.apply(grads, this.named, c.optim.clipNorm, [r.total!, ...measured.map((n) => r.terms[n]!)]);
      return this.valuesTensor(r.total, r.terms, norm);
    });
    this.poisonNow = null;
    const trained = names.length > 0;
    const res: StepResult = { values, step: this.stepNo, lr, stage, onPolicy, batch, trained, measured };
    this.unsettled.set(this.stepNo, { names, measured, trained });
    if (this.unsettled.size > MAX_UNSETTLED) this.unsettled.delete(this.unsettled.keys().next().value!);
    this.stepNo++;
    return res;
  }

  /**
   * Tell the trainer what a step's values row (VALUE_NAMES order) turned out to be, once read: when a measured value
   * is non-finite the guard discarded that update, and Adam's host step counts are taken back so that the next
   * steps' bias correction is exact (steps already dispatched used a count one higher). Call once per step, in any
   * order; readStep(r, trainer) does. Returns what went non-finite.
   */
  settle(step: number, row: ArrayLike<number>): StepHealth {
    const u = this.unsettled.get(step);
    this.unsettled.delete(step);
    const health = stepHealth(row, u?.measured ?? [], u?.trained ?? false);
    if (u && health.skipped) this.adam.unstep(u.names);
    return health;
  }

  /** Test hook (window.__lab.fault('nan')): the next step computes a NaN term (its teacher targets carry a NaN). */
  poisonNextStep(): void {
    this.poisonNext = true;
  }

  /** Put the NaN of poisonNextStep() into this batch: cached targets on the host, else the online teacher, else the features. */
  private poisonTargets(h: HostBatch, onPolicy: boolean): 'teacher' | 'feats' | null {
    const c = this.cfg;
    if (onPolicy || c.kd.source === 'online' || c.kd.allPositions) return 'teacher';
    if (h.logits) h.logits[0] = NaN;
    else if (h.topk && c.kd.topKMode !== 'dense') h.topk.logits[0] = NaN;
    else return 'feats';
    return null;
  }

  /** Forward-only terms of a fixed batch (answers from the data, no sampling), as numbers. For tests and kd:eval. */
  async evalTerms(indices: number[]): Promise<Record<'total' | TermName, number>> {
    this.applyPending();
    const h = buildHostBatch(this.init.data, this.model, indices, this.labeledSet, this.cfg.kd.topK);
    const v = tf.tidy(() => {
      const r = this.run(h, this.prepare(h, false), null);
      return this.valuesTensor(r.total, r.terms, null);
    });
    const a = await v.data();
    v.dispose();
    const out = { total: a[0] } as Record<'total' | TermName, number>;
    TERM_NAMES.forEach((n, i) => (out[n] = a[i + 1]));
    return out;
  }

  /** Gradients of the weighted total on a fixed batch w.r.t. the stage-2 parameters, by dotted name. For tests. */
  async gradients(indices: number[]): Promise<Record<string, Float32Array>> {
    this.applyPending();
    const h = buildHostBatch(this.init.data, this.model, indices, this.labeledSet, this.cfg.kd.topK);
    const grads = tf.tidy(() => this.run(h, this.prepare(h, false), Object.values(this.named)).grads!);
    const out: Record<string, Float32Array> = {};
    for (const [vn, g] of Object.entries(grads)) {
      out[this.dotted.get(vn)!] = (await g.data()) as Float32Array;
      g.dispose();
    }
    return out;
  }

  /** Adam's moments and per-parameter step counts (`<param>/m`, `/v`, `/t`) for a checkpoint. */
  optimizerState(): Promise<OptimizerTensor[]> {
    return this.adam.state();
  }

  /**
   * Resume a checkpoint taken after `step` steps: load Adam's state and replay the seeded streams (batch order,
   * on-policy coins, sampling noise) so the next step is the one the uninterrupted run would take. The model's
   * parameters come in through TrainerInit.init, φ through `phi` (exportPhi); the config must be the checkpoint's.
   */
  async restore(step: number, state: OptimizerTensor[], phi?: HostParams): Promise<void> {
    this.applyPending();
    if (this.stepNo !== 0) throw new Error('Trainer: restore() must come before the first step');
    if (phi && this.phi) {
      const specs = Object.fromEntries(Object.entries(this.phi).map(([k, v]) => [k, { shape: v.shape, init: 'zeros' as const }]));
      const loaded = loadParams(phi, '', specs, 'restore(phi)');
      for (const [k, v] of Object.entries(this.phi)) v.assign(loaded[k]);
      disposeParams(loaded);
    }
    const c = this.cfg;
    for (let s = 0; s < step; s++) {
      this.iterator(s < c.stage1Steps ? 1 : 2).next(c.optim.batchSize);
      const coin = this.policyRng.next();
      if (c.onPolicy.lambda > 0 && coin < c.onPolicy.lambda) {
        const n = c.optim.batchSize * this.model.A * this.model.vocabSize; // Gumbel draws of generateIds
        for (let i = 0; i < n; i++) this.sampleRng.next();
      }
    }
    this.adam.load(state);
    this.stepNo = step;
  }

  /**
   * Everything needed to continue this run elsewhere (a new worker, another backend): host copies of the model, φ,
   * the encoder when it trains, Adam's state, the step, the batch cursors and the RNG states. The state is frozen
   * synchronously (clones, no host read), so steps taken while it reads do not leak in; settle the steps read so far
   * first (a skipped step not yet settled would carry Adam counts one too high).
   */
  async checkpoint(): Promise<TrainerCheckpoint> {
    if (this.disposed) throw new Error('Trainer: used after dispose()');
    const freeze = (ps: Params) => Object.fromEntries(Object.entries(ps).map(([k, v]) => [k, tf.clone(v)]));
    const frozen = { params: freeze(this.params), phi: freeze(this.phi ?? {}), encoder: this.init.trainEncoder ? freeze(this.init.encoder.params) : null };
    const readOptimizer = this.adam.snapshot();
    const head = {
      format: CHECKPOINT_FORMAT as typeof CHECKPOINT_FORMAT,
      version: 1 as const,
      step: this.stepNo,
      config: JSON.parse(JSON.stringify(this.config)) as TrainConfig,
      rng: { policy: this.policyRng.state(), sample: this.sampleRng.state() },
      iterators: [...this.iters].map(([key, it]) => ({ key, state: it.state() })),
    };
    try {
      const [params, phi, encoder, optimizer] = [await exportParams(frozen.params), await exportParams(frozen.phi), frozen.encoder && (await exportParams(frozen.encoder)), await readOptimizer()];
      return { ...head, params, phi, encoder, optimizer };
    } finally {
      for (const ps of [frozen.params, frozen.phi, frozen.encoder ?? {}]) disposeParams(ps);
    }
  }

  /** Load a checkpoint (from checkpoint(), of a trainer on the same data and model): the next step continues it exactly. */
  restoreCheckpoint(ck: TrainerCheckpoint): void {
    if (this.disposed) throw new Error('Trainer: used after dispose()');
    checkEnvelope(ck);
    const cfg = validateConfig(ck.config);
    this.checkAvailability(cfg);
    const assign = (v: tf.Variable, h: HostParams[string]) => tf.tidy(() => v.assign(tf.tensor(Float32Array.from(h.data), h.shape)));
    assignHost(this.params, ck.params, 'params', assign);
    assignHost(this.phi ?? {}, ck.phi, 'phi', assign);
    if (this.init.trainEncoder) assignHost(this.init.encoder.params, ck.encoder, 'encoder', assign);
    this.adam.load(ck.optimizer);
    this.policyRng = Rng.fromState(ck.rng?.policy);
    this.sampleRng = Rng.fromState(ck.rng?.sample);
    this.cfg = cfg;
    this.pending = null;
    this.iters.clear();
    for (const { key, state } of ck.iterators) this.iteratorFor(key).restore(state, `checkpoint.iterators.${key}`);
    this.unsettled.clear();
    this.stepNo = ck.step;
  }

  /** φ's parameters on the host (phi.fc1, phi.fc2), for a checkpoint; {} without φ. */
  exportPhi(): Promise<HostParams> {
    return this.phi ? exportParams(this.phi) : Promise.resolve({});
  }

  /** The trained model's parameters on the host (φ excluded), names prefixed with `prefix`. */
  exportModel(prefix = ''): Promise<HostParams> {
    return exportParams(this.params, prefix);
  }

  /** Free the model, φ, the optimizer and its own feature cache (not the encoder, teacher or features passed in). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeParams(this.params);
    if (this.phi) disposeParams(this.phi);
    this.adam.dispose();
    if (this.ownsCache) this.cache?.dispose();
  }
}
