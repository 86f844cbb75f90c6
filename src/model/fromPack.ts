// Turns a parsed teacher pack (src/core/pack.ts) into what the model side consumes: encoder and teacher configs
// and weights, the trainer's TrainData with float16 targets decoded to float32, and a features pack's stand-ins.
import { FieldError } from '../core/errors';
import { SPLIT } from '../core/terms';
import { f16BitsToF32 } from '../core/safetensors';
import type { Pack } from '../core/pack';
import type { EncoderConfig, ModelConfig } from './configs';
import type { HostParams } from './params';
import type { TrainData } from './trainerData';



export function indicesOf(pack: Pack, code: number, family?: number): number[] {
  const out: number[] = [];
  const { split, family: fam } = pack.tensors;
  for (let i = 0; i < split.length; i++) if (split[i] === code && (family === undefined || fam[i] === family)) out.push(i);
  return out;
}

/** Whether a pack ships frozen-encoder features (`image_features`, DESIGN §4b) instead of pixels + encoder. */
export function isFeaturesPack(pack: Pack): boolean {
  return pack.meta.features !== undefined;
}

/**
 * The encoder geometry a features pack implies: a stand-in that is never run (no weights), whose only use is to give
 * the model and the trainer P = features.P patches of width dV = features.dV: height P, width 1, 1 channel, patch 1,
 * 0 layers. Its "images" are the placeholder of placeholderImages ([N, P, 1, 1] zeros).
 */
export function featuresEncoderConfig(P: number, dV: number): EncoderConfig {
  return { height: P, width: 1, channels: 1, patch: 1, dV, layers: 0, heads: 1 };
}

/** Zero bytes [N, P, 1, 1] standing in for the pixels of a features pack (TrainData.images is sized by the encoder). */
export function placeholderImages(pack: Pack): Uint8Array {
  return new Uint8Array(pack.dims.N * pack.dims.P);
}

/** Encoder config from metadata, checked against the image spec; for a features pack, featuresEncoderConfig. */
export function encoderConfigOf(pack: Pack): EncoderConfig {
  const f = pack.meta.features;
  if (f) return featuresEncoderConfig(f.P, f.dV);
  const e = pack.meta.encoder as unknown as EncoderConfig;
  for (const k of ['height', 'width', 'channels', 'patch', 'dV', 'layers', 'heads'] as const) {
    if (!Number.isInteger(e?.[k]) || (e[k] as number) < 0) throw new FieldError({ field: `metadata.encoder.${k}`, expected: 'an integer ≥ 0', got: e?.[k] });
  }
  return e;
}

/** The teacher's ModelConfig from metadata (`teacher.config`); an external teacher (config null) has none. */
export function teacherConfigOf(pack: Pack): ModelConfig {
  const c = pack.meta.teacher.config;
  if (c === null) throw new FieldError({ field: 'metadata.teacher.config', expected: 'a model config (this pack\'s teacher is external: config null, no teacher.* weights)', got: null });
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
