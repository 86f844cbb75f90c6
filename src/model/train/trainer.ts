// The training loop of one run: seeded batches, stage 1 (projector) / stage 2 (projector + LM + φ), on-policy
// sampling, online or cached teacher, Adam with warmup-cosine and global-norm clipping; every term reported per step.
import * as tf from '@tensorflow/tfjs-core';
import { type DeepPartial, lrAt, mergeConfig, type TrainConfig, validateConfig } from '../../core/config/config';
import { FieldError } from '../../core/base/errors';
import { Adam, type OptimizerTensor } from '../adam';
import { deriveSeed, Rng } from '../../core/base/rng';
import { type ModelConfig, validateModelConfig } from '../configs';
import { encodeAll, encodeImages } from '../encoder';
import { initLlava, llavaSpecs } from '../llava';
import { cloneChecked, disposeParams, exportParams, type HostParams, type Params, pick } from '../params';
import { buildHostBatch, EpochIterator, type HostBatch } from './data';
import { assignHost, checkEnvelope, CHECKPOINT_FORMAT, takeCheckpoint, type TrainerCheckpoint } from './checkpoint';
import { TERM_NAMES, type TermName } from '../../core/kd/terms';
import { type BatchTerms, computeTerms, type PreBatch } from './terms';
import type { StepInterceptor } from './intercept';
import { prepareBatch, wantedTerms } from './batch';
import { checkPackSupports } from './checks';
import { checkFeatures, checkInitParts, initPhi, type TrainerInit } from './init';
import { type StepHealth, stepHealth, type StepResult, stepValues } from '../stepResult';

export type { TrainData, TeacherTargets } from './data';
export type { TrainerCheckpoint } from './checkpoint';
export type { TrainerInit } from './init';

export { readStep, type StepHealth, type StepNumbers, type StepResult } from '../stepResult';

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
  /** A wrapper's seams into the step (faults.ts in tests and ?e2e); null in production. */
  private interceptor: StepInterceptor | null = null;
  private readonly adam: Adam;
  /** Every parameter the trainer may update, by dotted name (model, φ, and the encoder when it trains). */
  private readonly named: Params;
  private readonly dotted = new Map<string, string>(); // tf variable name → dotted name
  private disposed = false;

  constructor(private readonly init: TrainerInit) {
    this.model = validateModelConfig(init.model);
    this.cfg = validateConfig(init.resume?.config ?? init.config);
    const enc = init.encoder.config;
    const { N, P } = checkInitParts(this.model, init);
    this.N = N;
    this.labeledSet = new Set(init.data.labeled);
    const seed = this.cfg.seed;
    this.policyRng = new Rng(deriveSeed(seed, 'policy'));
    this.sampleRng = new Rng(deriveSeed(seed, 'sample'));
    this.params = init.init
      ? cloneChecked(init.init, llavaSpecs(this.model), 'init', 'projector.', 'lm.')
      : initLlava(this.model, new Rng(deriveSeed(seed, 'init')));
    this.phi = initPhi(this.model, this.cfg, init);
    checkPackSupports(this.cfg, this.init, this.phi != null);
    this.named = { ...this.params, ...(this.phi ?? {}), ...(init.trainEncoder ? init.encoder.params : {}) };
    for (const [k, v] of Object.entries(this.named)) this.dotted.set(v.name, k);
    const o = this.cfg.optim;
    this.adam = new Adam(o.lr, o.beta1, o.beta2, o.epsilon);
    const f = init.features;
    checkFeatures(init, N, P);
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
    checkPackSupports(next, this.init, this.phi != null);
    this.pending = next;
  }

  private applyPending(): void {
    if (this.disposed) throw new Error('Trainer: used after dispose()');
    if (this.pending) {
      this.cfg = this.pending;
      this.pending = null;
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
      const pools: Record<string, readonly number[] | undefined> = {
        stage1: d.stage1,
        'main+unlabeled': [...d.labeled, ...(d.unlabeled ?? [])],
        main: d.labeled,
      };
      const pool = pools[key];
      if (!pool)
        throw new FieldError({
          scope: 'checkpoint',
          field: `iterators.${key}`,
          expected: 'one of stage1, main+unlabeled, main (a pool this data has)',
        });
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

  /** Sequence, masks and online teacher outputs, computed before (outside) the gradient tape. */
  private prepare(h: HostBatch, onPolicy: boolean): PreBatch {
    const ctx = {
      model: this.model,
      params: this.params,
      cfg: this.cfg,
      teacher: this.init.teacher ?? null,
      sampleRng: this.sampleRng,
      teacherOut: this.interceptor?.teacher,
    };
    return prepareBatch(ctx, h, onPolicy, (idx) => this.feats(idx));
  }

  /** The terms batch h can compute, given what was prepared for it. */
  private want(h: HostBatch, pre: PreBatch): Record<TermName, boolean> {
    return wantedTerms(this.cfg, this.init.data.targets, this.phi != null, h, pre);
  }

  /** Terms (and the weighted total) of one batch; with vars, also the gradients (keyed by variable name). */
  private run(h: HostBatch, pre: PreBatch, vars: tf.Variable[] | null, want = this.want(h, pre)) {
    // Frozen features of the batch, gathered before the tape: on the tape the gather would save (copy) the whole cache.
    const batch0 = this.cache ? this.feats(h.idx) : null; // [B, P, dV]
    const seen = this.interceptor?.features;
    const batch = batch0 && seen ? seen(batch0) : batch0;
    const pos = new Map(h.idx.map((n, i) => [n, i]));
    const feats = (i: number[]) =>
      !batch
        ? this.feats(i)
        : i === h.idx
          ? batch
          : (tf.gather(
              batch,
              tf.tensor1d(
                i.map((n) => pos.get(n)!),
                'int32',
              ),
            ) as tf.Tensor3D);
    const ctx = {
      model: this.model,
      params: this.params,
      phi: this.phi,
      cfg: this.cfg,
      feats,
      featsConst: !this.init.trainEncoder,
      want,
    };
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
    this.interceptor?.hostBatch?.(h, onPolicy, c);
    let names: string[] = [];
    let measured: TermName[] = [];
    const values = tf.tidy(() => {
      const pre = this.prepare(h, onPolicy);
      const want = this.want(h, pre);
      const active = TERM_NAMES.some((n) => want[n] && c.weights[n] > 0);
      if (!active) {
        const r = this.run(h, pre, null, want);
        measured = TERM_NAMES.filter((n) => r.terms[n]);
        return stepValues(r.total, r.terms, null);
      }
      const r = this.run(h, pre, this.trainable(stage), want);
      const grads: Record<string, tf.Tensor> = {};
      for (const [vn, g] of Object.entries(r.grads!)) grads[this.dotted.get(vn)!] = g;
      // Explicit ε on every backend (webgl's backend ε is 1e-4, DESIGN §5); β/ε/lr are live knobs. Adam clips by the
      // global norm over one flat buffer (no tf.addN: tfjs-webgpu 4.22 drops a command buffer with > 7 inputs).
      Object.assign(this.adam, { lr, beta1: c.optim.beta1, beta2: c.optim.beta2, epsilon: c.optim.epsilon });
      // Non-finite guard: a NaN/Inf total, term or ‖g‖ leaves weights and moments as they were (selected in-graph).
      measured = TERM_NAMES.filter((n) => r.terms[n]);
      names = Object.keys(grads);
      const norm = this.adam.apply(grads, this.named, c.optim.clipNorm, [
        r.total!,
        ...measured.map((n) => r.terms[n]!),
      ]);
      return stepValues(r.total, r.terms, norm);
    });
    this.interceptor?.afterStep?.();
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

  /** Install a wrapper's seams into step() (faults.ts: withFaults); null removes it. One at a time. */
  intercept(i: StepInterceptor | null): void {
    if (i && this.interceptor && i !== this.interceptor)
      throw new Error('Trainer: a step interceptor is already installed');
    this.interceptor = i;
  }

  /** Forward-only terms of a fixed batch (answers from the data, no sampling), as numbers. For tests and kd:eval. */
  async evalTerms(indices: number[]): Promise<Record<'total' | TermName, number>> {
    this.applyPending();
    const h = buildHostBatch(this.init.data, this.model, indices, this.labeledSet, this.cfg.kd.topK);
    const v = tf.tidy(() => {
      const r = this.run(h, this.prepare(h, false), null);
      return stepValues(r.total, r.terms, null);
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
   * Everything needed to continue this run elsewhere (a new worker, another backend): host copies of the model, φ,
   * the encoder when it trains, Adam's state, the step, the batch cursors and the RNG states. The state is frozen
   * synchronously (clones, no host read), so steps taken while it reads do not leak in; settle the steps read so far
   * first (a skipped step not yet settled would carry Adam counts one too high).
   */
  checkpoint(): Promise<TrainerCheckpoint> {
    if (this.disposed) throw new Error('Trainer: used after dispose()');
    const head = {
      format: CHECKPOINT_FORMAT as typeof CHECKPOINT_FORMAT,
      version: 1 as const,
      step: this.stepNo,
      config: JSON.parse(JSON.stringify(this.config)) as TrainConfig,
      rng: { policy: this.policyRng.state(), sample: this.sampleRng.state() },
      iterators: [...this.iters].map(([key, it]) => ({ key, state: it.state() })),
    };
    const sets = {
      params: this.params,
      phi: this.phi ?? {},
      encoder: this.init.trainEncoder ? this.init.encoder.params : null,
    };
    return takeCheckpoint(head, sets, this.adam.snapshot());
  }

  /**
   * Load a checkpoint (from checkpoint(), of a trainer on the same data and model): the next step continues it exactly.
   * The one resume path: the lab's lanes after a crash or a backend switch, and the pack build (checkpointFile.ts).
   */
  restoreCheckpoint(ck: TrainerCheckpoint): void {
    if (this.disposed) throw new Error('Trainer: used after dispose()');
    checkEnvelope(ck);
    const cfg = validateConfig(ck.config);
    checkPackSupports(cfg, this.init, this.phi != null);
    assignHost(this.params, ck.params, 'params');
    assignHost(this.phi ?? {}, ck.phi, 'phi');
    if (this.init.trainEncoder) assignHost(this.init.encoder.params, ck.encoder, 'encoder');
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
