// Test fixture: the tiny pack of src/core/testing/packFixture.ts with real-format weights (a valid encoder config,
// `encoder.*` and `teacher.*` from seeded init), so the worker can build a Session from it. Needs a tfjs backend.
import { buildPackBytes, type PackMeta } from '../../core/pack';
import { Rng } from '../../core/rng';
import { makeTinyPack, TINY_DIMS } from '../../core/testing/packFixture';
import type { EncoderConfig, ModelConfig } from '../../model/configs';
import { initEncoder } from '../../model/encoder';
import { initLlava } from '../../model/llava';
import { disposeParams, exportParams } from '../../model/params';

export const LAB_ENC: EncoderConfig = { height: 8, width: 8, channels: 3, patch: 4, dV: 8, layers: 1, heads: 2 };
export const LAB_TEACHER: ModelConfig = { vocabSize: TINY_DIMS.V, d: TINY_DIMS.dh, layers: 1, heads: 2, mlpRatio: 2, P: 4, Lp: TINY_DIMS.Lp, A: TINY_DIMS.A, dV: 8 };

/** Bytes of a small valid pack (n samples, dense or top-K targets) with teacher weights. */
export async function labPackBytes(opts: { n?: number; kind?: 'dense' | 'topk'; gzip?: boolean } = {}): Promise<Uint8Array> {
  const input = makeTinyPack({ n: opts.n ?? 24, kind: opts.kind, k: 4 });
  for (const k of Object.keys(input.tensors)) if (k.startsWith('encoder.') || k.startsWith('teacher.')) delete input.tensors[k];
  const enc = initEncoder(LAB_ENC, new Rng(11));
  const teacher = initLlava(LAB_TEACHER, new Rng(12));
  for (const [k, w] of Object.entries({ ...(await exportParams(enc)), ...(await exportParams(teacher, 'teacher.')) })) {
    input.tensors[k] = { dtype: 'F32', shape: w.shape, data: w.data };
  }
  disposeParams(enc);
  disposeParams(teacher);
  const meta: PackMeta = {
    ...input.meta,
    encoder: LAB_ENC as unknown as Record<string, unknown>,
    teacher: { ...input.meta.teacher, config: LAB_TEACHER as unknown as Record<string, unknown> },
  };
  return buildPackBytes({ ...input, meta, extraMetadata: { teacher_overall_accuracy: '62.5' } }, { gzip: opts.gzip });
}
