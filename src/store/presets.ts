// The paper's ablations as config presets (also `?preset=`), each with two lines on what LLAVADI found. The paper's
// numbers are read from the findings table (src/core/study/findings.ts); the study-* presets read this project's quick study.
import {
  configFromPatchJson,
  DEFAULT_CONFIG,
  type DeepPartial,
  mergeConfig,
  type TrainConfig,
} from '../core/config/config';
import { paperText, paperValue } from '../core/study/findings';
import { STUDY_CONDITIONS } from '../core/study/study';
import quickDigits from '../../study/quick-digits.json';
import quickShapes from '../../study/quick-shapes.json';

export interface Preset {
  id: string;
  label: string;
  found: [string, string]; // two lines: what the paper found
  patch: DeepPartial<TrainConfig>;
}

/** The paper's numbers, by finding and label (no paper number is written in this file). */
const P = (finding: string, label: string) => paperText(paperValue(finding, label));
const LOGITS = P('F1', 'CE + fKL (align_logits)');

/** This project's quick study (study/quick-<pack>.json, `npm run study -- --quick`): a condition's mean, one decimal. */
type Quick = { conditions: Record<'a' | 'b' | 'c', { overall: { mean: number } }> };
const Q = (study: Quick, c: 'a' | 'b' | 'c') => study.conditions[c].overall.mean.toFixed(1);
const QS = quickShapes as Quick;
const QD = quickDigits as Quick;

const W0 = { ce: 0, seq: 0, kd: 0, hidden: 0, affinity: 0, attention: 0 };
const KD = (divergence: TrainConfig['kd']['divergence'], T = 1) => ({
  divergence,
  T,
  t2: false,
  normLogits: false,
  topKMode: 'dense' as const,
  allPositions: false,
  source: 'cached' as const,
});

export const PRESETS: Preset[] = [
  {
    id: 'ce-only',
    label: 'CE only (no distillation)',
    found: [
      'Baseline: the student fine-tuned on ground truth alone.',
      `Every distillation recipe in the paper is measured against it (${P('F1', 'CE (no distillation)')}).`,
    ],
    patch: { weights: { ...W0, ce: 1 }, kd: KD('fkl'), data: { useUnlabeled: false } },
  },
  {
    id: 'fkl',
    label: 'Logits: forward KL',
    found: [
      `Logit distillation (KL(p_t‖p_s) on answer tokens): ${LOGITS}.`,
      "The paper's reference point for every other logit divergence.",
    ],
    patch: { weights: { ...W0, ce: 1, kd: 1 }, kd: KD('fkl') },
  },
  {
    id: 'rkl',
    label: 'Logits: reverse KL',
    found: [
      "Reverse KL(p_s‖p_t) is mode-seeking: the student locks onto the teacher's top token.",
      `Compare it here with forward KL (paper: ${LOGITS}).`,
    ],
    patch: { weights: { ...W0, ce: 1, kd: 1 }, kd: KD('rkl') },
  },
  {
    id: 'jsd',
    label: 'Logits: JSD',
    found: [
      'Jensen–Shannon (β = 0.5) is bounded and symmetric.',
      `Compare it here with forward KL (paper: ${LOGITS}).`,
    ],
    patch: { weights: { ...W0, ce: 1, kd: 1 }, kd: { ...KD('jsd'), beta: 0.5 } },
  },
  {
    id: 'hidden-only',
    label: 'Hidden only',
    found: [
      `Aligning last hidden states through φ, no logit term: ${P('F5', 'hidden MSE ×5')}.`,
      `Weaker than logits alone (${LOGITS}).`,
    ],
    patch: { weights: { ...W0, ce: 1, hidden: 1 }, hiddenMode: 'mse', kd: KD('fkl') },
  },
  {
    id: 'affinity-logits',
    label: 'Affinity + logits',
    found: [
      `Adds the image×answer affinity matrix MSE to forward-KL logits: ${P('F7', 'logits + affinity')},`,
      `against logits alone (${LOGITS}).`,
    ],
    patch: { weights: { ...W0, ce: 1, kd: 1, affinity: 1 }, kd: KD('fkl') },
  },
  {
    id: 'llavadi',
    label: 'LLAVADI recipe (CE + logits×5 + hidden×5)',
    found: [
      `Hidden ×5 + logits ×5 on top of CE: ${P('F5', 'logits ×5 + hidden ×5')},`,
      `better than logits only (${LOGITS}) or hidden only (${P('F5', 'hidden MSE ×5')}).`,
    ],
    patch: { weights: { ...W0, ce: 1, kd: 5, hidden: 5 }, hiddenMode: 'mse', kd: KD('fkl') },
  },
  {
    id: 'kd-t01',
    label: 'KD only, T = 0.1',
    found: [
      `Only the logit term (×5 in the paper), at a sharp temperature T = 0.1: ${P('F4', 'T 0.1')};`,
      "the teacher's distribution is nearly one-hot, close to its greedy answer.",
    ],
    patch: { weights: { ...W0, kd: 1 }, kd: KD('fkl', 0.1) },
  },
  {
    id: 'kd-t07',
    label: 'KD only, T = 0.7',
    found: [
      `Only the logit term (×5 in the paper), at T = 0.7: ${P('F4', 'T 0.7')};`,
      `more of the teacher's "dark knowledge" reaches the student than at T = 0.1 (${P('F4', 'T 0.1')}).`,
    ],
    patch: { weights: { ...W0, kd: 1 }, kd: KD('fkl', 0.7) },
  },
  {
    id: 'teacher-data',
    label: 'Teacher data (seqCE + KD on unlabeled)',
    found: [
      'Unlabeled images answered by the teacher: sequence KD plus logit KD.',
      `Paper: ${P('F9', 'fKL + offline teacher data')} against ${P('F9', 'fKL ×1')} without that data.`,
    ],
    patch: { weights: { ...W0, ce: 1, seq: 1, kd: 1 }, kd: KD('fkl'), data: { useUnlabeled: true } },
  },
  {
    id: 'study-b',
    label: 'Quick study (b): CE + 3 × fKL at T 4',
    found: [
      `This lab's quick study (3 seeds, default run): shapes ${Q(QS, 'a')} → ${Q(QS, 'b')} %, digits ${Q(QD, 'a')} → ${Q(QD, 'b')} %`,
      "over CE alone; at T = 1 the confident teacher's targets add almost nothing.",
    ],
    patch: {
      ...STUDY_CONDITIONS.b.patch,
      weights: { ...W0, ...STUDY_CONDITIONS.b.patch.weights },
      data: { useUnlabeled: false },
    },
  },
  {
    id: 'study-c',
    label: 'Quick study (c): (b) + teacher answers on unlabeled',
    found: [
      `This lab's quick study (3 seeds, default run): shapes ${Q(QS, 'c')} %, digits ${Q(QD, 'c')} %,`,
      `against ${Q(QS, 'b')} and ${Q(QD, 'b')} % for (b): the unlabeled images teach the student to read the image.`,
    ],
    patch: { ...STUDY_CONDITIONS.c.patch, weights: { ...W0, ...STUDY_CONDITIONS.c.patch.weights } },
  },
];

export function presetById(id: string | null | undefined): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}

/** Config of a preset: the preset's patch over the current optimiser and seed, other knobs back to defaults. */
export function presetConfig(id: string, base: TrainConfig): TrainConfig | null {
  const p = presetById(id);
  if (!p) return null;
  const reset = { ...DEFAULT_CONFIG, seed: base.seed, optim: base.optim, stage1Steps: base.stage1Steps };
  return mergeConfig(reset, p.patch);
}

/** The URL fields a run's config is built from (a subset of core/urlState's UrlState). */
export interface UrlConfigFields {
  seed: number;
  batch: number | null;
  preset: string | null;
  cfg: DeepPartial<TrainConfig>;
}

/**
 * The config a link starts the lab with: defaults with the link's seed and batch, then its preset, then its `cfg`
 * patch. A patch the preset makes invalid is dropped (the config stays the preset's) and `error` says why.
 */
export function configOfUrl(u: UrlConfigFields): { config: TrainConfig; presetId: string | null; error: unknown } {
  let config = mergeConfig(DEFAULT_CONFIG, {
    seed: u.seed,
    optim: { batchSize: u.batch ?? DEFAULT_CONFIG.optim.batchSize },
  });
  const presetId = u.preset && presetById(u.preset) ? u.preset : null;
  if (presetId) config = presetConfig(presetId, config) ?? config;
  let error: unknown = null;
  if (Object.keys(u.cfg).length) {
    try {
      config = configFromPatchJson(config, JSON.stringify(u.cfg));
    } catch (e) {
      error = e;
    }
  }
  return { config, presetId, error };
}

/** Formula of each term, for the info tips (DESIGN §3). */
export const TERM_FORMULAS: Record<string, string> = {
  ce: 'CE = mean over answer tokens of −log p_s(y_t)',
  seq: "seqCE = mean over the teacher's greedy answer tokens of −log p_s(ŷ_t)",
  kd: 'KD = mean over answer positions of D(p_t, p_s), p = softmax(z / T); fkl = Σ p_t log(p_t / p_s)',
  hidden: 'hidden = mean of (φ(h_s) − h_t)² (mse) or 1 − cos(φ(h_s), h_t); φ = Linear→GELU→Linear',
  affinity: 'affinity = mean of (S_s − S_t)², S = ĥ_img · ĥ_ansᵀ with ĥ = h / ‖h‖',
  attention: 'attention = mean of (A_s − A_t)², A = last-layer answer→image attention, head mean',
};
