// What `npm run pack:inspect` prints of a parsed pack: its splits, vocabulary, targets, teacher accuracy and tensors,
// (version 2) where its features, vocabulary and teacher come from (DESIGN §4b), and its §4c additions.
import type { Pack } from './packTypes';
import type { Dtype } from './safetensors';
import { SPLIT, SPLIT_COUNT } from '../kd/terms';

export interface PackSummary {
  format: string;
  version: string;
  n: { train_labeled: number; train_unlabeled: number; val: number; test: number };
  families: string[];
  vocab_size: number;
  answer_slots: number;
  patches: number;
  targets: { kind: 'dense' | 'topk'; k: number };
  teacher_accuracy: Record<string, number>;
  tensors: Record<string, { dtype: Dtype; shape: number[] }>;
  /** Version 2 only (a version-1 pack's features come from its encoder, its vocabulary is its own, its teacher ships). */
  features?: string; // "image_features from <source>, P×dV, pooling <pooling>" or "images + encoder"
  vocabulary?: string; // "compacted: V of <tokenizer> (original ids in vocab_source)" or "the pack's own"
  teacher?: string; // "weights in the pack (teacher.*)" or "external (no teacher.* weights)"
  /** DESIGN §4c, each only when the pack has it. */
  ambiguity?: { annotator: string; bayes_accuracy: Record<string, number>; bayes_answer_ids: boolean };
  student_init?: { objective: string; steps: number; corpus: string; tensors: number; config: Record<string, unknown> };
  teacher_pretrain?: { objective: string; steps: number; corpus: string };
  teacher_calibration?: { ece: number; median_top_prob: number; mean_entropy: number };
}

/** The object `npm run pack:inspect` prints. */
export function summarizePack(pack: Pack): PackSummary {
  const n = new Array<number>(SPLIT_COUNT).fill(0);
  for (const s of pack.tensors.split) n[s]++;
  return {
    format: pack.meta.format,
    version: pack.meta.version,
    n: {
      train_labeled: n[SPLIT.trainLabeled],
      train_unlabeled: n[SPLIT.trainUnlabeled],
      val: n[SPLIT.val],
      test: n[SPLIT.test],
    },
    families: pack.meta.families,
    vocab_size: pack.dims.V,
    answer_slots: pack.dims.A,
    patches: pack.dims.P,
    targets: { kind: pack.meta.targets.kind, k: pack.meta.targets.k },
    teacher_accuracy: pack.meta.teacher.accuracy,
    tensors: pack.tensorInfo,
    ...(pack.meta.version === '2' ? packSources(pack) : {}),
    ...packExtras(pack),
  };
}

/** The §4c additions a pack carries, as pack:inspect prints them (absent keys: the pack has none). */
function packExtras(
  pack: Pack,
): Pick<PackSummary, 'ambiguity' | 'student_init' | 'teacher_pretrain' | 'teacher_calibration'> {
  const { ambiguity: a, studentInit: si, teacher: t } = pack.meta;
  return {
    ...(a
      ? {
          ambiguity: {
            annotator: a.annotator,
            bayes_accuracy: a.bayesAccuracy,
            bayes_answer_ids: pack.tensors.bayes_answer_ids !== undefined,
          },
        }
      : {}),
    ...(si
      ? {
          student_init: {
            objective: si.objective,
            steps: si.steps,
            corpus: si.corpus,
            tensors: Object.keys(pack.weights).filter((k) => k.startsWith('student_init.')).length,
            config: si.config,
          },
        }
      : {}),
    ...(t.pretrain ? { teacher_pretrain: t.pretrain } : {}),
    ...(t.calibration
      ? {
          teacher_calibration: {
            ece: t.calibration.ece,
            median_top_prob: t.calibration.medianTopProb,
            mean_entropy: t.calibration.meanEntropy,
          },
        }
      : {}),
  };
}

/** Where a pack's features, vocabulary and teacher come from, in words (pack:inspect; DESIGN §4b). */
export function packSources(pack: Pack): { features: string; vocabulary: string; teacher: string } {
  const { features: f, vocabSource: vs } = pack.meta;
  const thumbs = pack.tensors.images ? `, thumbnails ${pack.dims.H}×${pack.dims.W}×${pack.dims.C}` : ', no thumbnails';
  const size = vs?.size ? ` of ${vs.size}` : '';
  const hasWeights = Object.keys(pack.weights).some((k) => k.startsWith('teacher.'));
  return {
    features: f
      ? `image_features from ${f.source}: P ${f.P} × dV ${f.dV}, pooling ${f.pooling}${thumbs}`
      : 'images + encoder (encoder.* in the pack)',
    vocabulary: vs
      ? `compacted: ${pack.dims.V} entries${size} of ${vs.tokenizer} (original ids in vocab_source)`
      : "the pack's own",
    teacher: hasWeights ? 'weights in the pack (teacher.*)' : 'external: no teacher.* weights (cached targets only)',
  };
}
