// What `npm run pack:inspect` prints of a parsed pack: its splits, vocabulary, targets, teacher accuracy and tensors,
// and (version 2) where its features, vocabulary and teacher come from, in words (DESIGN §4b).
import type { Pack } from './pack';
import type { Dtype } from './safetensors';
import { SPLIT, SPLIT_COUNT } from './terms';

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
}

/** The object `npm run pack:inspect` prints. */
export function summarizePack(pack: Pack): PackSummary {
  const n = new Array<number>(SPLIT_COUNT).fill(0);
  for (const s of pack.tensors.split) n[s]++;
  return {
    format: pack.meta.format,
    version: pack.meta.version,
    n: { train_labeled: n[SPLIT.trainLabeled], train_unlabeled: n[SPLIT.trainUnlabeled], val: n[SPLIT.val], test: n[SPLIT.test] },
    families: pack.meta.families,
    vocab_size: pack.dims.V,
    answer_slots: pack.dims.A,
    patches: pack.dims.P,
    targets: { kind: pack.meta.targets.kind, k: pack.meta.targets.k },
    teacher_accuracy: pack.meta.teacher.accuracy,
    tensors: pack.tensorInfo,
    ...(pack.meta.version === '2' ? packSources(pack) : {}),
  };
}

/** Where a pack's features, vocabulary and teacher come from, in words (pack:inspect; DESIGN §4b). */
export function packSources(pack: Pack): { features: string; vocabulary: string; teacher: string } {
  const { features: f, vocabSource: vs } = pack.meta;
  const thumbs = pack.tensors.images ? `, thumbnails ${pack.dims.H}×${pack.dims.W}×${pack.dims.C}` : ', no thumbnails';
  const size = vs?.size ? ` of ${vs.size}` : '';
  const hasWeights = Object.keys(pack.weights).some((k) => k.startsWith('teacher.'));
  return {
    features: f ? `image_features from ${f.source}: P ${f.P} × dV ${f.dV}, pooling ${f.pooling}${thumbs}` : 'images + encoder (encoder.* in the pack)',
    vocabulary: vs ? `compacted: ${pack.dims.V} entries${size} of ${vs.tokenizer} (original ids in vocab_source)` : "the pack's own",
    teacher: hasWeights ? 'weights in the pack (teacher.*)' : 'external: no teacher.* weights (cached targets only)',
  };
}
