// The training configuration of a distillation run: its schema with units and ranges, defaults, and a
// validator whose errors name the field and the allowed range (DESIGN §3). Pure TS: no tfjs, no DOM.
import { FieldError } from '../base/errors';
import { TERM_NAMES } from '../kd/terms';

export const DIVERGENCES = ['fkl', 'rkl', 'jsd', 'tvd', 'sfkl', 'srkl', 'mse'] as const;
export type Divergence = (typeof DIVERGENCES)[number];
/** How the teacher's distribution is represented: the whole vocabulary, or top-K (renormalised or with a tail bucket). */
export const TOPK_MODES = ['dense', 'renorm', 'tail'] as const;
export type TopKMode = (typeof TOPK_MODES)[number];
export type TeacherSource = 'cached' | 'online';
/** With allPositions: which non-answer positions are aligned besides the answer (a probe of where the gain comes from). */
export const EXTRA_POSITIONS = ['image+prompt', 'image', 'prompt'] as const;
export type ExtraPositions = (typeof EXTRA_POSITIONS)[number];
/** The non-answer positions allPositions aligns (a config saved before the field means all of them). */
export const extraPositionsOf = (kd: { extraPositions?: ExtraPositions }): ExtraPositions =>
  kd.extraPositions ?? 'image+prompt';
export type HiddenMode = 'mse' | 'cosine';

/** Options of one logit-divergence term (DESIGN §3). */
export interface KdOptions {
  divergence: Divergence; // which divergence at each position
  T: number; // temperature, (0, 100]; p = softmax(z / T)
  t2: boolean; // multiply every divergence except mse by T²
  normLogits: boolean; // standardise logits (Bessel std + 1e-7) before T, as LLaVADI's code does
  beta: number; // jsd mixing weight, open interval (0, 1)
  alpha: number; // skew of sfkl / srkl, [0, 1)
  topKMode: TopKMode; // dense = full vocabulary (K = V)
  topK: number; // K ≥ 1 teacher entries kept when topKMode ≠ dense (≤ V; checked against the pack)
  allPositions: boolean; // also align prompt and image positions (needs the online teacher)
  extraPositions?: ExtraPositions; // with allPositions: which of them; absent = 'image+prompt' (configs saved before it)
  source: TeacherSource; // cached pack targets, or the pack's teacher run online on each batch
}

export interface LossWeights {
  ce: number; // ground-truth CE on answer tokens, ≥ 0
  seq: number; // CE on the teacher's greedy answers (token/sequence KD), ≥ 0
  kd: number; // logit divergence, ≥ 0
  hidden: number; // hidden-state alignment through a learnable φ, ≥ 0
  affinity: number; // image×answer affinity matrix MSE, ≥ 0
  attention: number; // answer→image attention MSE, ≥ 0
}

export interface OptimOptions {
  lr: number; // peak Adam learning rate, (0, 1]
  beta1: number; // Adam β1, [0, 1)
  beta2: number; // Adam β2, [0, 1)
  epsilon: number; // Adam ε, (0, 1e-2]; explicit so that webgl (backend ε 1e-4) agrees with the others
  clipNorm: number; // global gradient-norm clip; 0 disables; ≥ 0
  warmupSteps: number; // linear warmup steps, ≥ 0 integer
  totalSteps: number; // steps of the cosine schedule (after warmup lr decays to minLrFrac·lr), ≥ 1 integer
  minLrFrac: number; // floor of the cosine schedule as a fraction of lr, [0, 1]
  batchSize: number; // samples per step, integer in [1, 512]
}

export interface TrainConfig {
  seed: number; // one seed for data order, init and sampling; integer in [0, 2^32)
  weights: LossWeights;
  kd: KdOptions;
  hiddenMode: HiddenMode; // hidden term: mse over dims or 1 − cosine
  hiddenProjDim: number; // d_h of φ's hidden layer; 0 = the teacher's hidden width (from the pack)
  onPolicy: { lambda: number; genTemperature: number }; // λ ∈ [0,1] chance a batch is student-sampled; T_gen ∈ (0, 10]
  optim: OptimOptions;
  data: { useUnlabeled: boolean }; // add the unlabeled split (teacher answers, KD and seqCE only)
  stage1Steps: number; // projector-only steps on captions before stage 2; integer ≥ 0
  /** Where a fresh student starts: seeded random weights, or the pack's `student_init.*` (an LM pretrained on text,
   *  DESIGN §4c). Acts when a student is made (a reset, a new lane, a race); absent = 'scratch' (configs before it). */
  studentInit?: StudentInit;
}

export type StudentInit = 'scratch' | 'pretrained';
export const STUDENT_INITS: readonly StudentInit[] = ['scratch', 'pretrained'];
export const studentInitOf = (c: { studentInit?: StudentInit }): StudentInit => c.studentInit ?? 'scratch';

export const DEFAULT_CONFIG: TrainConfig = {
  seed: 1,
  weights: { ce: 1, seq: 0, kd: 0, hidden: 0, affinity: 0, attention: 0 },
  kd: {
    divergence: 'fkl',
    T: 1,
    t2: false,
    normLogits: false,
    beta: 0.5,
    alpha: 0.1,
    topKMode: 'dense',
    topK: 8,
    allPositions: false,
    extraPositions: 'image+prompt',
    source: 'cached',
  },
  hiddenMode: 'mse',
  hiddenProjDim: 0,
  onPolicy: { lambda: 0, genTemperature: 1 },
  optim: {
    lr: 1e-3,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-7,
    clipNorm: 1,
    warmupSteps: 20,
    totalSteps: 1500,
    minLrFrac: 0.1,
    batchSize: 32,
  },
  data: { useUnlabeled: false },
  stage1Steps: 0,
  studentInit: 'scratch',
};

/** A config error names the field (dotted path) and what was expected. */
export class ConfigError extends FieldError {
  constructor(field: string, expected: string, got: unknown, hint?: string) {
    super({ scope: 'config', field, expected, got, hint });
    this.name = 'ConfigError';
  }
}

type Check = (v: unknown) => boolean;
const isNum: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isInt: Check = (v) => isNum(v) && Number.isInteger(v as number);

function need(ok: boolean, field: string, expected: string, got: unknown): void {
  if (!ok) throw new ConfigError(field, expected, got);
}

function num(v: unknown, field: string, lo: number, hi: number, loOpen: boolean, hiOpen: boolean, int = false) {
  const desc = `${int ? 'an integer' : 'a number'} in ${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}`;
  need((int ? isInt(v) : isNum(v)) as boolean, field, desc, v);
  const x = v as number;
  need((loOpen ? x > lo : x >= lo) && (hiOpen ? x < hi : x <= hi), field, desc, v);
}

function bool(v: unknown, field: string) {
  need(typeof v === 'boolean', field, 'true or false', v);
}

function oneOf(v: unknown, field: string, options: readonly string[]) {
  need(options.includes(v as string), field, `one of ${options.join(' | ')}`, v);
}

/** Check the KD options alone (also used per case by the kd:eval CLI). Throws ConfigError. */
export function validateKdOptions(kd: KdOptions, prefix = 'kd'): void {
  oneOf(kd.divergence, `${prefix}.divergence`, DIVERGENCES);
  num(kd.T, `${prefix}.T`, 0, 100, true, false);
  bool(kd.t2, `${prefix}.t2`);
  bool(kd.normLogits, `${prefix}.normLogits`);
  num(kd.beta, `${prefix}.beta`, 0, 1, true, true);
  num(kd.alpha, `${prefix}.alpha`, 0, 1, false, true);
  oneOf(kd.topKMode, `${prefix}.topKMode`, TOPK_MODES);
  if (kd.topKMode !== 'dense') {
    num(kd.topK, `${prefix}.topK`, 1, 1e6, false, false, true);
    need(
      kd.divergence !== 'mse',
      `${prefix}.divergence`,
      'a divergence other than mse with a top-K teacher (raw logits outside the top K are unknown)',
      kd.divergence,
    );
    need(
      !kd.normLogits,
      `${prefix}.normLogits`,
      'false with a top-K teacher (the full-vocabulary mean and std are unknown)',
      kd.normLogits,
    );
  }
  if (kd.topKMode === 'tail') {
    need(kd.T === 1, `${prefix}.T`, '1 in tail mode (the teacher tail at T ≠ 1 cannot be recovered from top-K)', kd.T);
  }
  oneOf(kd.source, `${prefix}.source`, ['cached', 'online']);
  bool(kd.allPositions, `${prefix}.allPositions`);
  if (kd.extraPositions !== undefined) oneOf(kd.extraPositions, `${prefix}.extraPositions`, EXTRA_POSITIONS);
  if (kd.allPositions) {
    need(
      kd.source === 'online',
      `${prefix}.source`,
      "'online' when allPositions is on (the cache holds answer positions only)",
      kd.source,
    );
  }
}

/** Validate a whole config; throws the first ConfigError found. Returns the config for chaining. */
export function validateConfig(c: TrainConfig): TrainConfig {
  num(c.seed, 'seed', 0, 2 ** 32, false, true, true);
  for (const k of TERM_NAMES) {
    num(c.weights?.[k], `weights.${k}`, 0, 1000, false, false);
  }
  validateKdOptions(c.kd);
  oneOf(c.hiddenMode, 'hiddenMode', ['mse', 'cosine']);
  num(c.hiddenProjDim, 'hiddenProjDim', 0, 4096, false, false, true);
  num(c.onPolicy?.lambda, 'onPolicy.lambda', 0, 1, false, false);
  num(c.onPolicy?.genTemperature, 'onPolicy.genTemperature', 0, 10, true, false);
  const o = c.optim;
  num(o?.lr, 'optim.lr', 0, 1, true, false);
  num(o.beta1, 'optim.beta1', 0, 1, false, true);
  num(o.beta2, 'optim.beta2', 0, 1, false, true);
  num(o.epsilon, 'optim.epsilon', 0, 1e-2, true, false);
  num(o.clipNorm, 'optim.clipNorm', 0, 1e6, false, false);
  num(o.warmupSteps, 'optim.warmupSteps', 0, 1e7, false, false, true);
  num(o.totalSteps, 'optim.totalSteps', 1, 1e7, false, false, true);
  num(o.minLrFrac, 'optim.minLrFrac', 0, 1, false, false);
  num(o.batchSize, 'optim.batchSize', 1, 512, false, false, true);
  bool(c.data?.useUnlabeled, 'data.useUnlabeled');
  num(c.stage1Steps, 'stage1Steps', 0, 1e7, false, false, true);
  if (c.studentInit !== undefined) oneOf(c.studentInit, 'studentInit', STUDENT_INITS);
  if (c.onPolicy.lambda > 0) {
    need(c.kd.topKMode !== 'tail' || c.kd.T === 1, 'kd.T', '1 in tail mode', c.kd.T);
  }
  return c;
}

/** Deep-merge a partial config over a base (defaults), returning a new object. Arrays are not used. */
export function mergeConfig(base: TrainConfig, patch: DeepPartial<TrainConfig>): TrainConfig {
  const out = structuredCloneLike(base) as unknown as Record<string, unknown>;
  mergeInto(out, patch as Record<string, unknown>);
  return out as unknown as TrainConfig;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

function structuredCloneLike<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function mergeInto(dst: Record<string, unknown>, src: Record<string, unknown>) {
  for (const [k, v] of Object.entries(src)) {
    if (UNSAFE_KEYS.has(k)) continue; // never write through to a prototype
    if (
      v !== null &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      Object.hasOwn(dst, k) &&
      typeof dst[k] === 'object' &&
      dst[k] !== null
    ) {
      mergeInto(dst[k] as Record<string, unknown>, v as Record<string, unknown>);
    } else if (v !== undefined) {
      dst[k] = v;
    }
  }
}

/** Learning rate at a step (0-based): linear warmup to lr, then cosine decay to minLrFrac·lr at totalSteps. */
export function lrAt(o: OptimOptions, step: number): number {
  if (o.warmupSteps > 0 && step < o.warmupSteps) return (o.lr * (step + 1)) / o.warmupSteps;
  const span = Math.max(1, o.totalSteps - o.warmupSteps);
  const t = Math.min(1, Math.max(0, (step - o.warmupSteps) / span));
  const floor = o.minLrFrac * o.lr;
  return floor + 0.5 * (o.lr - floor) * (1 + Math.cos(Math.PI * t));
}

/** The leaves of `c` that differ from `base`, as a patch (what a shareable URL carries). */
export function configDiff(base: TrainConfig, c: TrainConfig): DeepPartial<TrainConfig> {
  const walk = (b: Record<string, unknown>, v: Record<string, unknown>): Record<string, unknown> | null => {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const y = b[k];
      if (x !== null && typeof x === 'object' && y !== null && typeof y === 'object') {
        const d = walk(y as Record<string, unknown>, x as Record<string, unknown>);
        if (d) out[k] = d;
      } else if (x !== y) out[k] = x;
    }
    return Object.keys(out).length ? out : null;
  };
  return (walk(base as unknown as Record<string, unknown>, c as unknown as Record<string, unknown>) ??
    {}) as DeepPartial<TrainConfig>;
}

/**
 * A config patch from its JSON text (the URL's `cfg`), merged over `base` and validated. Unknown keys are refused:
 * throws ConfigError naming the dotted field.
 */
export function configFromPatchJson(base: TrainConfig, text: string): TrainConfig {
  let patch: unknown;
  try {
    patch = JSON.parse(text);
  } catch {
    throw new ConfigError('(cfg)', 'a JSON object of config fields', text.slice(0, 80));
  }
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
    throw new ConfigError('(cfg)', 'a JSON object of config fields', patch);
  const check = (b: Record<string, unknown>, v: Record<string, unknown>, path: string) => {
    for (const [k, x] of Object.entries(v)) {
      const field = path ? `${path}.${k}` : k;
      if (!Object.hasOwn(b, k)) throw new ConfigError(field, `a known field (one of ${Object.keys(b).join(', ')})`, x);
      const y = b[k];
      if (y !== null && typeof y === 'object') {
        if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new ConfigError(field, 'an object', x);
        check(y as Record<string, unknown>, x as Record<string, unknown>, field);
      }
    }
  };
  check(base as unknown as Record<string, unknown>, patch as Record<string, unknown>, '');
  return validateConfig(mergeConfig(base, patch as DeepPartial<TrainConfig>));
}
