// Test fixture: the tiny pack of src/core/testing/packFixture.ts with real-format weights (a valid encoder config,
// `encoder.*` and `teacher.*` from seeded init), so the worker can build a Session from it. Needs a tfjs backend.
import { buildPackBytes, type PackInput, type PackMeta } from '../../core/pack/pack';
import { Rng } from '../../core/base/rng';
import { f32ToF16Bits } from '../../core/pack/safetensors';
import { makeTinyPack, TINY_DIMS } from '../../core/testing/packFixture';
import type { EncoderConfig, ModelConfig } from '../../model/configs';
import { initEncoder } from '../../model/encoder';
import { initLlava } from '../../model/llava';
import { disposeParams, exportParams } from '../../model/params';

export const LAB_ENC: EncoderConfig = { height: 8, width: 8, channels: 3, patch: 4, dV: 8, layers: 1, heads: 2 };
export const LAB_TEACHER: ModelConfig = {
  vocabSize: TINY_DIMS.V,
  d: TINY_DIMS.dh,
  layers: 1,
  heads: 2,
  mlpRatio: 2,
  P: 4,
  Lp: TINY_DIMS.Lp,
  A: TINY_DIMS.A,
  dV: 8,
};

/** The §4c additions a lab pack can carry (DESIGN §4c; all off by default: the pack is then exactly as before). */
export interface LabPackExtras {
  /** bayes_answer_ids and metadata.ambiguity: the Bayes answers are a copy of the ground truth ('answers') or of the
   *  teacher's answers ('teacher'); bayesAccuracy is `ceilings` (family → percent; default 60 and 45). */
  bayes?: 'answers' | 'teacher';
  ceilings?: Record<string, number>;
  /** metadata.student_init and student_init.* — a copy of the teacher's LM weights with the teacher's config (it fits the
   *  lab's student only if the configs agree: enough for PackInfo.hasStudentInit; 'pretrained' may be refused by name). */
  studentInit?: boolean;
  /** metadata.teacher.calibration (fixed numbers). */
  calibration?: boolean;
}

/** Bytes of a small valid pack (n samples, dense or top-K targets) with teacher weights (and any §4c extras). */
export async function labPackBytes(
  opts: { n?: number; kind?: 'dense' | 'topk'; gzip?: boolean } & LabPackExtras = {},
): Promise<Uint8Array> {
  const input = makeTinyPack({ n: opts.n ?? 24, kind: opts.kind, k: 4 });
  const meta = await withWeights(input, LAB_ENC, LAB_TEACHER);
  if (opts.bayes) {
    const src = input.tensors[opts.bayes === 'answers' ? 'answer_ids' : 'teacher_answer_ids'];
    input.tensors.bayes_answer_ids = {
      dtype: 'I32',
      shape: [...src.shape],
      data: new Int32Array(src.data as Int32Array),
    };
    const [f0, f1] = meta.families;
    meta.ambiguity = {
      annotator: 'test: each label one draw from a known answer distribution',
      bayesAccuracy: opts.ceilings ?? { [f0]: 60, [f1]: 45 },
    };
  }
  if (opts.studentInit) {
    for (const k of Object.keys(input.tensors))
      if (k.startsWith('teacher.')) input.tensors[`student_init.${k.slice('teacher.'.length)}`] = input.tensors[k];
    meta.studentInit = {
      config: LAB_TEACHER as unknown as Record<string, unknown>,
      objective: 'next-token',
      steps: 0,
      corpus: 'test',
    };
  }
  if (opts.calibration)
    meta.teacher = { ...meta.teacher, calibration: { ece: 0.125, medianTopProb: 0.5, meanEntropy: 1.25 } };
  return buildPackBytes({ ...input, meta, extraMetadata: { teacher_overall_accuracy: '62.5' } }, { gzip: opts.gzip });
}

/**
 * A v1 pack of `side`×`side` grey images with 1-pixel patches: P = side² image tokens (the hostile corpus: side 32 gives
 * the 1,024, which the validators refuse; side 12 gives 144, valid, whose step limits the batch size).
 * `validate` false skips the writer's own re-parse (for packs that are meant to be refused).
 */
export async function bigPatchPackBytes(side: number, validate = true): Promise<Uint8Array> {
  const N = 8;
  const { Lp, A, V, dh } = TINY_DIMS;
  const P = side * side;
  const input = makeTinyPack({ n: N });
  const rng = new Rng(5);
  input.tensors.images = {
    dtype: 'U8',
    shape: [N, side, side, 1],
    data: new Uint8Array(N * P).map(() => rng.int(256)),
  };
  input.tensors.teacher_attention = {
    dtype: 'F16',
    shape: [N, A, P],
    data: f32ToF16Bits(new Float32Array(N * A * P).fill(1 / P)),
  };
  input.tensors.teacher_affinity = { dtype: 'F16', shape: [N, P, A], data: f32ToF16Bits(new Float32Array(N * P * A)) };
  const enc: EncoderConfig = { height: side, width: side, channels: 1, patch: 1, dV: 8, layers: 1, heads: 2 };
  const teacher: ModelConfig = { vocabSize: V, d: dh, layers: 1, heads: 2, mlpRatio: 2, P, Lp, A, dV: 8 };
  const meta: PackMeta = {
    ...(await withWeights(input, enc, teacher)),
    image: { height: side, width: side, channels: 1 },
  };
  return buildPackBytes({ ...input, meta }, { validate, gzip: true });
}

/** Replace the fixture's fake weights by seeded `encoder.*` and `teacher.*` of these configs; the metadata naming them. */
async function withWeights(input: PackInput, enc: EncoderConfig, teacher: ModelConfig): Promise<PackMeta> {
  for (const k of Object.keys(input.tensors))
    if (k.startsWith('encoder.') || k.startsWith('teacher.')) delete input.tensors[k];
  const ep = initEncoder(enc, new Rng(11));
  const tp = initLlava(teacher, new Rng(12));
  for (const [k, w] of Object.entries({ ...(await exportParams(ep)), ...(await exportParams(tp, 'teacher.')) })) {
    input.tensors[k] = { dtype: 'F32', shape: w.shape, data: w.data };
  }
  disposeParams(ep);
  disposeParams(tp);
  return {
    ...input.meta,
    encoder: enc as unknown as Record<string, unknown>,
    teacher: { ...input.meta.teacher, config: teacher as unknown as Record<string, unknown> },
  };
}
