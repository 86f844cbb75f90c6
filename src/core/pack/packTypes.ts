// A parsed teacher pack's types (DESIGN §4): its dims, tensors, weights and what the writer takes. Their own file so
// that pack.ts (the reader and writer) and packSummary.ts (pack:inspect) both read them without importing each other.
import type { PackMeta } from './packMeta';
import type { Dtype, SafeTensor } from './safetensors';

/**
 * N samples, image H×W×C (0 when a features pack has no thumbnails), Lp prompt tokens, A answer slots, V vocab, K targets
 * per slot (V when dense), P patches (0 when no tensor carries them), dh teacher hidden width (0 without teacher_hidden),
 * dV feature width (features packs only).
 */
export interface PackDims {
  N: number;
  H: number;
  W: number;
  C: number;
  Lp: number;
  A: number;
  V: number;
  K: number;
  P: number;
  dh: number;
  dV?: number;
}
export interface PackTensors {
  images?: Uint8Array; // [N, H, W, C] pixels (version 1 and pixels + encoder packs) or optional thumbnails (features packs)
  image_features?: Uint16Array; // [N, P, dV] F16 bits: frozen-encoder features (features packs)
  split: Uint8Array; // [N] 0 train-labeled, 1 train-unlabeled, 2 val, 3 test
  family: Uint8Array; // [N] index into meta.families
  prompt_ids: Int32Array; // [N, Lp]
  answer_ids: Int32Array; // [N, A]
  teacher_answer_ids: Int32Array; // [N, A]
  kd_ids: Int32Array; // [N, A]
  teacher_logits?: Uint16Array; // [N, A, V] F16 bits (dense)
  teacher_topk_ids?: Int32Array; // [N, A, K] (topk)
  teacher_topk_logits?: Uint16Array; // [N, A, K] F16 bits, descending along K (topk)
  teacher_lse?: Float32Array; // [N, A] logsumexp of the full teacher logits (topk)
  teacher_hidden?: Uint16Array; // [N, A, dh] F16 bits (required in version 1)
  teacher_affinity?: Uint16Array; // [N, P, A] F16 bits (required in version 1)
  teacher_attention?: Uint16Array; // [N, A, P] F16 bits (required in version 1)
  bayes_answer_ids?: Int32Array; // [N, A] §4c: the generator's most probable answer (ambiguous data only)
}
export interface PackWeight {
  shape: number[];
  data: Float32Array;
}
export interface Pack {
  meta: PackMeta;
  dims: PackDims;
  special: { pad: number; bos: number; eos: number; unk: number }; // token ids
  tensors: PackTensors;
  weights: Record<string, PackWeight>; // every `encoder.*` and `teacher.*` tensor
  tensorInfo: Record<string, { dtype: Dtype; shape: number[] }>; // every tensor in the file, sorted by name
  extraMetadata: Record<string, string>; // metadata keys beyond REQUIRED_METADATA, kept verbatim
}
/** What buildPackBytes writes: metadata plus every tensor (targets and `encoder.*`/`teacher.*` weights alike). */
export interface PackInput {
  meta: PackMeta;
  tensors: Record<string, SafeTensor>;
  extraMetadata?: Record<string, string>;
}
