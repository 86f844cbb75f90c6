// The one check that a parsed pack can be built into the lab's models: the encoder config, the `encoder.*` and `teacher.*`
// weights (names and shapes from the builder's own specs), and the data the trainer reads. pack:inspect and the lab's loader both run it.
import { FieldError, PackError } from '../core/base/errors';
import type { Pack } from '../core/pack/pack';
import { SPLIT } from '../core/kd/terms';
import {
  ENCODER_PRESET,
  type EncoderConfig,
  encoderGeometry,
  type ModelConfig,
  modelFor,
  STUDENT_PRESET,
  validateEncoderConfig,
  validateModelConfig,
} from './configs';
import { encoderSpecs } from './encoder';
import { llavaSpecs } from './llava';
import type { ParamSpecs } from './params';
import { validateTrainData } from './train/data';

/** What the builder makes of a pack that passes: the encoder config, the online teacher's config (null: none), the student's. */
export interface BuildablePack {
  encoder: EncoderConfig;
  teacher: ModelConfig | null;
  student: ModelConfig;
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

/** Whether a pack carries teacher weights (`teacher.*`): the lab then builds the online teacher from them. */
const hasTeacher = (pack: Pack): boolean => Object.keys(pack.weights).some((k) => k.startsWith('teacher.'));

const DOC = 'docs/pack-format.md lists the encoder and teacher configs and their weights';

/** Run a builder check; its FieldError becomes a PackError naming the file and the pack field (`fieldOf` maps the builder's name). */
function asPackError<T>(
  file: string,
  fn: () => T,
  fieldOf: (f: string) => [string, string?] = (f) => [f],
  hint?: string,
): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof FieldError) || e instanceof PackError) throw e;
    const [field, where] = fieldOf(e.field);
    const got = e.got !== undefined ? ` (got ${e.got})` : '';
    throw new PackError(file, field, `${e.expected}${where ?? ''}${got}`, hint ?? e.hint);
  }
}

/**
 * Every weight the builder loads under `prefix` must be there with the spec's shape, and nothing else under it:
 * `specs` are the builder's own (encoderSpecs, llavaSpecs), keyed by full tensor name.
 */
function checkWeights(pack: Pack, file: string, prefix: string, specs: ParamSpecs, owner: string): void {
  for (const [name, s] of Object.entries(specs)) {
    const w = pack.weights[name];
    if (!w)
      throw new PackError(
        file,
        `tensor ${name}`,
        `present: an F32 weight of shape [${s.shape.join(', ')}] for ${owner} (it is missing)`,
        DOC,
      );
    if (w.shape.length !== s.shape.length || w.shape.some((d, i) => d !== s.shape[i])) {
      throw new PackError(
        file,
        `tensor ${name}`,
        `shape [${s.shape.join(', ')}] for ${owner} (got [${w.shape.join(', ')}])`,
        DOC,
      );
    }
  }
  for (const name of Object.keys(pack.weights)) {
    if (name.startsWith(prefix) && !specs[name]) {
      throw new PackError(
        file,
        `tensor ${name}`,
        `absent: ${owner} has no such weight (it has ${Object.keys(specs).length} ${prefix}* weights)`,
        DOC,
      );
    }
  }
}

/** The encoder config of a pixels + encoder pack, checked against the builder's rules and the pack's images. */
function encoderOf(pack: Pack, file: string): EncoderConfig {
  const e = pack.meta.encoder as unknown as EncoderConfig;
  const keys = Object.keys(ENCODER_PRESET);
  const hint = `metadata.encoder is a JSON object {${keys.join(', ')}} (got keys ${Object.keys(e ?? {}).join(', ') || 'none'}); ${DOC}`;
  asPackError(
    file,
    () => validateEncoderConfig(e, 'metadata.encoder'),
    (f) => [f],
    hint,
  );
  const img = pack.meta.image;
  if (img) {
    for (const k of ['height', 'width', 'channels'] as const) {
      if (e[k] !== img[k])
        throw new PackError(
          file,
          `metadata.encoder.${k}`,
          `${img[k]} = metadata.image.${k} (the encoder reads the pack's images; got ${e[k]})`,
        );
    }
  }
  const { P } = encoderGeometry(e);
  if (pack.dims.P > 0 && pack.dims.P !== P) {
    throw new PackError(
      file,
      'metadata.encoder.patch',
      `a patch size that cuts the image into the pack's P = ${pack.dims.P} patches (teacher_affinity, teacher_attention); got patch ${e.patch}: ${P} patches`,
    );
  }
  checkWeights(pack, file, 'encoder.', encoderSpecs(e), 'metadata.encoder');
  return e;
}

/** The online teacher's config: a full model config that fits the pack, with exactly its llavaSpecs weights under `teacher.`. */
function teacherOf(pack: Pack, file: string, enc: EncoderConfig): ModelConfig {
  const tc = pack.meta.teacher.config as unknown as ModelConfig;
  const field = 'metadata.teacher.config';
  asPackError(
    file,
    () => validateModelConfig(tc, field),
    (f) => [f],
    `with teacher.* weights, ${field} is the teacher's full model config; ${DOC}`,
  );
  const { V, Lp, A } = pack.dims;
  const want = modelFor(tc, enc, { vocabSize: V, Lp, A }); // what the builder sizes a model on this pack to
  const why: Record<string, string> = {
    vocabSize: 'the vocab size',
    Lp: 'the width of prompt_ids',
    A: 'the answer slots',
    P: "the encoder's patches",
    dV: "the encoder's feature width",
  };
  for (const [k, v] of Object.entries(want)) {
    const got = (tc as unknown as Record<string, unknown>)[k];
    if (got !== v)
      throw new PackError(
        file,
        `${field}.${k}`,
        `${v}, ${why[k] ?? 'as the pack implies'} (got ${JSON.stringify(got)})`,
      );
  }
  const specs: ParamSpecs = {};
  for (const [name, s] of Object.entries(llavaSpecs(tc))) specs[`teacher.${name}`] = s;
  checkWeights(pack, file, 'teacher.', specs, field);
  if (pack.tensors.teacher_hidden && pack.dims.dh !== tc.d) {
    throw new PackError(
      file,
      'tensor teacher_hidden',
      `width d_h = ${field}.d = ${tc.d} (the teacher's hidden states; got ${pack.dims.dh})`,
    );
  }
  return tc;
}

/** Trainer-data names → the pack tensors they come from. */
const DATA_FIELD: Record<string, string> = {
  images: 'tensor images',
  promptIds: 'tensor prompt_ids',
  answerIds: 'tensor answer_ids',
  teacherAnswerIds: 'tensor teacher_answer_ids',
  kdIds: 'tensor kd_ids',
  labeled: 'tensor split',
};

/**
 * Check that the lab can build its models and trainer from a parsed pack (parsePack already checked the format), and
 * return the configs it will use. Throws a PackError naming the file, the field and what was expected: encoder config
 * keys and ranges and its agreement with `image` and P; every `encoder.*` weight of encoderSpecs and no other; with
 * `teacher.*` weights, a teacher config that fits the pack and every weight of its llavaSpecs; kd_ids = answer_ids on
 * labeled samples; at least one train-labeled sample. The one check pack:inspect and the lab's loader (fromPack) share.
 */
export function checkPackBuildable(pack: Pack, file: string): BuildablePack {
  const known = passed.get(pack);
  if (known) return known;
  const features = pack.meta.features;
  const encoder = features ? featuresEncoderConfig(features.P, features.dV) : encoderOf(pack, file);
  const { V, Lp, A, N, P } = pack.dims;
  const student = asPackError(file, () => modelFor(STUDENT_PRESET, encoder, { vocabSize: V, Lp, A }));
  const teacher = hasTeacher(pack) ? teacherOf(pack, file, encoder) : null;
  const t = pack.tensors;
  const labeled: number[] = [];
  for (let i = 0; i < t.split.length; i++) if (t.split[i] === SPLIT.trainLabeled) labeled.push(i);
  if (labeled.length === 0)
    throw new PackError(
      file,
      'tensor split',
      `at least one train-labeled sample (value ${SPLIT.trainLabeled}): the student's CE batches are drawn from them`,
    );
  const images = features ? new Uint8Array(N * P) : t.images;
  if (!images) throw new PackError(file, 'tensor images', 'present in a pack with an encoder');
  const data = {
    images,
    promptIds: t.prompt_ids,
    answerIds: t.answer_ids,
    teacherAnswerIds: t.teacher_answer_ids,
    kdIds: t.kd_ids,
    labeled,
  };
  const fieldOf = (f: string): [string, string?] => {
    const m = /^(\w+)(?:\[(\d+)\])?$/.exec(f);
    const base = m ? DATA_FIELD[m[1]] : undefined;
    return base ? [base, m![2] !== undefined ? ` at ${base.slice(7)}[${m![2]}]` : undefined] : [`data.${f}`];
  };
  asPackError(file, () => validateTrainData(data, student, encoder.height * encoder.width * encoder.channels), fieldOf);
  const out = { encoder, teacher, student };
  passed.set(pack, out);
  return out;
}

/** Packs that passed (a parsed pack is not changed afterwards): the loader asks again per lane and per config. */
const passed = new WeakMap<Pack, BuildablePack>();
