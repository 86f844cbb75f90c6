// Turns a parsed teacher pack (src/core/pack.ts) into what the model side consumes: encoder and teacher configs
// and weights, and the trainer's TrainData with float16 targets decoded to float32.
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

/** Encoder config from metadata, checked against the image spec. */
export function encoderConfigOf(pack: Pack): EncoderConfig {
  const e = pack.meta.encoder as unknown as EncoderConfig;
  for (const k of ['height', 'width', 'channels', 'patch', 'dV', 'layers', 'heads'] as const) {
    if (!Number.isInteger(e?.[k]) || (e[k] as number) < 0) throw new FieldError({ field: `metadata.encoder.${k}`, expected: 'an integer ≥ 0', got: e?.[k] });
  }
  return e;
}

/** The teacher's ModelConfig from metadata (`teacher.config`). */
export function teacherConfigOf(pack: Pack): ModelConfig {
  return pack.meta.teacher.config as unknown as ModelConfig;
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
  return {
    images: t.images,
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
      hidden: f16BitsToF32(t.teacher_hidden),
      hiddenDim: dh,
      affinity: f16BitsToF32(t.teacher_affinity),
      attention: f16BitsToF32(t.teacher_attention),
    },
    labeled: indicesOf(pack, SPLIT.trainLabeled),
    unlabeled: indicesOf(pack, SPLIT.trainUnlabeled),
    stage1: capFam >= 0 ? indicesOf(pack, SPLIT.trainLabeled, capFam) : undefined,
  };
}
