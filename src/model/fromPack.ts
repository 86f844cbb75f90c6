// Turns a parsed teacher pack (src/core/pack/pack.ts) into what the model side consumes: encoder and teacher configs
// and weights, the trainer's TrainData with float16 targets decoded to float32, and a features pack's stand-ins.
import { FieldError } from '../core/base/errors';
import { SPLIT } from '../core/kd/terms';
import { f16BitsToF32 } from '../core/pack/safetensors';
import type { Pack } from '../core/pack/pack';
import type { EncoderConfig, ModelConfig } from './configs';
import type { HostParams } from './params';
import { checkPackBuildable, isFeaturesPack } from './packBuildable';
import type { TrainData } from './train/data';

export function indicesOf(pack: Pack, code: number, family?: number): number[] {
  const out: number[] = [];
  const { split, family: fam } = pack.tensors;
  for (let i = 0; i < split.length; i++)
    if (split[i] === code && (family === undefined || fam[i] === family)) out.push(i);
  return out;
}

export { featuresEncoderConfig, isFeaturesPack } from './packBuildable';

/** Zero bytes [N, P, 1, 1] standing in for the pixels of a features pack (TrainData.images is sized by the encoder). */
export function placeholderImages(pack: Pack): Uint8Array {
  return new Uint8Array(pack.dims.N * pack.dims.P);
}

/**
 * The encoder config the lab builds from a pack (for a features pack, featuresEncoderConfig), after checkPackBuildable:
 * every loader goes through here first, so the lab refuses exactly what pack:inspect refuses, with the same message.
 * `file` names the pack in errors.
 */
export function encoderConfigOf(pack: Pack, file = 'pack'): EncoderConfig {
  return checkPackBuildable(pack, file).encoder;
}

/** The teacher's ModelConfig from metadata (`teacher.config`); an external teacher (config null) has none. */
export function teacherConfigOf(pack: Pack): ModelConfig {
  const c = pack.meta.teacher.config;
  if (c === null)
    throw new FieldError({
      field: 'metadata.teacher.config',
      expected: "a model config (this pack's teacher is external: config null, no teacher.* weights)",
      got: null,
    });
  return c as unknown as ModelConfig;
}

/** Host weights under a prefix (`encoder.` or `teacher.`), with the prefix kept as in the file. */
export function weightsOf(pack: Pack, prefix: string): HostParams {
  const out: HostParams = {};
  for (const [k, w] of Object.entries(pack.weights)) if (k.startsWith(prefix)) out[k] = w;
  return out;
}

export interface TrainDataOptions {
  stage1Family?: string; // family whose labeled samples feed stage 1 (default 'caption' when present)
}

/** TrainData over the pack's training splits (labeled, unlabeled), targets decoded to float32. */
export function trainDataOf(pack: Pack, opts: TrainDataOptions = {}): TrainData {
  const t = pack.tensors;
  const { dh } = pack.dims;
  const capFam = pack.meta.families.indexOf(opts.stage1Family ?? 'caption');
  const images = isFeaturesPack(pack) ? placeholderImages(pack) : t.images;
  if (!images) throw new FieldError({ field: 'tensor images', expected: 'present in a pack with an encoder' });
  return {
    images,
    promptIds: t.prompt_ids,
    answerIds: t.answer_ids,
    teacherAnswerIds: t.teacher_answer_ids,
    kdIds: t.kd_ids,
    targets: {
      logits: t.teacher_logits ? f16BitsToF32(t.teacher_logits) : undefined,
      topk:
        t.teacher_topk_ids && t.teacher_topk_logits && t.teacher_lse
          ? { ids: t.teacher_topk_ids, logits: f16BitsToF32(t.teacher_topk_logits), lse: t.teacher_lse, k: pack.dims.K }
          : undefined,
      hidden: t.teacher_hidden ? f16BitsToF32(t.teacher_hidden) : undefined,
      hiddenDim: t.teacher_hidden ? dh : undefined,
      affinity: t.teacher_affinity ? f16BitsToF32(t.teacher_affinity) : undefined,
      attention: t.teacher_attention ? f16BitsToF32(t.teacher_attention) : undefined,
    },
    labeled: indicesOf(pack, SPLIT.trainLabeled),
    unlabeled: indicesOf(pack, SPLIT.trainUnlabeled),
    stage1: capFam >= 0 ? indicesOf(pack, SPLIT.trainLabeled, capFam) : undefined,
  };
}
