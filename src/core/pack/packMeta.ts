// Teacher pack metadata (DESIGN §4, §4b, §4c): the `__metadata__` schema as types, its parser with errors that name
// the file and the key, and its writer. The tensors and the whole-pack reader are pack.ts.
import { brief, nameOf, PackError } from './safetensors';
import {
  type FeaturesSpec,
  type HiddenSpec,
  type VocabSource,
  parseFeaturesSpec,
  parseHiddenSpec,
  parseVocabSource,
} from './packV2';
import {
  type AmbiguitySpec,
  type CalibrationSpec,
  parseAmbiguity,
  parseStudentInit,
  parseTeacherExtras,
  type PretrainSpec,
  type StudentInitSpec,
} from './packExtras';

export const PACK_FORMAT = 'llavadi-lab-pack';
/** The version the lab's own builder writes (pixels + encoder); readers accept PACK_VERSIONS. */
export const PACK_VERSION = '1';
export const PACK_VERSIONS = ['1', '2'] as const;
export type PackVersion = (typeof PACK_VERSIONS)[number];
export const SPECIAL_TOKENS = ['<pad>', '<bos>', '<eos>', '<unk>'] as const;
/** Metadata keys every version-1 pack carries (all string values; JSON where DESIGN §4 says so). */
export const REQUIRED_METADATA = [
  'format',
  'version',
  'vocab',
  'image',
  'families',
  'targets',
  'encoder',
  'teacher',
  'license',
] as const;
/** Version 2 (DESIGN §4b): `image` and `encoder` only in a pixels + encoder pack; `features` in a features pack. */
export const REQUIRED_METADATA_V2 = [
  'format',
  'version',
  'vocab',
  'families',
  'targets',
  'teacher',
  'license',
] as const;
/** Version-2 metadata keys that PackMeta holds (not kept in extraMetadata). */
export const V2_METADATA = ['features', 'vocab_source', 'hidden'] as const;

export interface ImageSpec {
  height: number;
  width: number;
  channels: number;
} // pixels, pixels, 1..n
export interface TargetsSpec {
  kind: 'dense' | 'topk';
  k: number;
  positions: 'answer';
} // k = V for dense, 1..V for topk
export interface TeacherInfo {
  config: Record<string, unknown> | null; // null (version 2 only): an external teacher without `teacher.*` weights
  params: number | null; // parameter count, ≥ 0; null only with config null (an external teacher: informational)
  accuracy: Record<string, number>; // family → percent on val, 0..100
  trainedSteps: number | null; // ≥ 0; null only with config null (DESIGN §4b)
  seed: number; // integer
  pretrain?: PretrainSpec; // §4c: a language-model stage before the answer training
  calibration?: CalibrationSpec; // §4c: on val answer rows
}
export interface PackMeta {
  format: typeof PACK_FORMAT;
  version: PackVersion;
  vocab: string[]; // index = token id
  image?: ImageSpec; // always in version 1; in a version-2 features pack only with the `images` thumbnails
  families: string[]; // index = value in `family`
  targets: TargetsSpec;
  encoder?: Record<string, unknown>; // vision-encoder config (weights: `encoder.*`); absent in a features pack
  teacher: TeacherInfo;
  license: string;
  features?: FeaturesSpec; // version 2: `image_features` [N, P, dV] replace pixels + encoder
  vocabSource?: VocabSource; // version 2: the compacted vocabulary's original ids
  hidden?: HiddenSpec; // version 2: how teacher_hidden was reduced in width
  ambiguity?: AmbiguitySpec; // §4c: labels drawn from a known distribution; the Bayes ceiling per family
  studentInit?: StudentInitSpec; // §4c: what the `student_init.*` weights are
}
/** §4c metadata keys any version may carry (held in PackMeta, not in extraMetadata). */
export const EXTRA_METADATA = ['ambiguity', 'student_init'] as const;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

// ---------------------------------------------------------------- metadata

/** Parse and check the `__metadata__` strings of a pack (missing keys, format, version, JSON and its shape). */
export function parsePackMeta(md: Record<string, string>, file: string): PackMeta {
  const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(md, key);
  const present = (keys: readonly string[]): void => {
    for (const key of keys)
      if (!has(key))
        throw new PackError(file, `metadata.${key}`, 'present (a required metadata key; see docs/pack-format.md)');
  };
  present(['format', 'version']);
  if (md.format !== PACK_FORMAT)
    throw new PackError(file, 'metadata.format', `"${PACK_FORMAT}" (got ${brief(md.format)})`);
  if (!(PACK_VERSIONS as readonly string[]).includes(md.version)) {
    throw new PackError(
      file,
      'metadata.version',
      `"1" or "2", the versions this reader supports (got ${brief(md.version)})`,
      'rebuild the pack with `npm run pack:build`, or export it again in version 1 or 2',
    );
  }
  const v2 = md.version === '2';
  present(v2 ? REQUIRED_METADATA_V2 : REQUIRED_METADATA);
  // Version 2: either pixels + encoder or features, never both, never neither (DESIGN §4b).
  const featuresStyle = v2 && has('features');
  if (v2 && has('encoder') && has('features')) {
    throw new PackError(
      file,
      'metadata.features',
      'absent when metadata.encoder is present: a pack has either images + encoder or image_features + features (DESIGN §4b)',
    );
  }
  if (v2 && !has('encoder') && !has('features')) {
    throw new PackError(
      file,
      'metadata.encoder',
      'present (with tensor images), or metadata.features (with tensor image_features): a pack has one of the two (DESIGN §4b)',
    );
  }
  if (v2 && !featuresStyle) present(['image']);
  const json = (key: string): unknown => {
    try {
      return JSON.parse(md[key]);
    } catch (e) {
      throw new PackError(file, `metadata.${key}`, `a JSON string (${e instanceof Error ? e.message : String(e)})`);
    }
  };
  const bad = (key: string, expected: string): never => {
    throw new PackError(file, `metadata.${key}`, expected);
  };

  const vocab = json('vocab');
  const vocabWant = `a JSON array of unique token strings containing ${SPECIAL_TOKENS.join(' ')}`;
  if (!Array.isArray(vocab) || !vocab.every((t) => typeof t === 'string')) bad('vocab', vocabWant);
  const vocabArr = vocab as string[];
  if (new Set(vocabArr).size !== vocabArr.length) bad('vocab', `${vocabWant} (it has duplicates)`);
  for (const s of SPECIAL_TOKENS) if (!vocabArr.includes(s)) bad('vocab', `${vocabWant} (${s} is missing)`);

  let img: Record<string, number> | null = null;
  if (has('image')) {
    const image = json('image');
    const imageWant = 'a JSON object {height, width, channels} of positive integers';
    if (!isObj(image) || !isInt(image.height, 1) || !isInt(image.width, 1) || !isInt(image.channels, 1))
      bad('image', imageWant);
    img = image as Record<string, number>;
  }

  const families = json('families');
  if (
    !Array.isArray(families) ||
    families.length < 1 ||
    families.length > 256 ||
    !families.every((f) => typeof f === 'string' && f.length > 0) ||
    new Set(families).size !== families.length
  ) {
    bad('families', 'a JSON array of 1..256 unique non-empty family names');
  }

  const targets = json('targets');
  const V = vocabArr.length;
  if (!isObj(targets) || (targets.kind !== 'dense' && targets.kind !== 'topk'))
    bad('targets', 'a JSON object {kind: "dense" | "topk", k, positions: "answer"}');
  const tg = targets as Record<string, unknown>;
  if (tg.positions !== 'answer') bad('targets', `positions "answer" (got ${brief(tg.positions)})`);
  if (tg.kind === 'dense' && tg.k !== V)
    bad('targets', `k = V = ${V} (the vocab size) for a dense pack (got ${brief(tg.k)})`);
  if (tg.kind === 'topk' && !(isInt(tg.k, 1) && tg.k <= V))
    bad('targets', `k an integer in 1..${V} for a topk pack (got ${brief(tg.k)})`);

  let encoder: unknown;
  if (!featuresStyle) {
    encoder = json('encoder');
    if (!isObj(encoder)) bad('encoder', 'a JSON object (the vision-encoder config)');
  }

  const teacher = json('teacher');
  const teacherWant = `a JSON object {config: object${v2 ? ' or null (an external teacher)' : ''}, params: integer ≥ 0${v2 ? ' (or null with config null)' : ''}, accuracy: {family: percent 0..100}, trainedSteps: integer ≥ 0${v2 ? ' (or null with config null)' : ''}, seed: integer}`;
  const configOk = (c: unknown): boolean => isObj(c) || (v2 && c === null);
  // An external teacher (config null, DESIGN §4b): params and trainedSteps are informational and may be null.
  const external = isObj(teacher) && teacher.config === null;
  const countOk = (c: unknown): boolean => isInt(c, 0) || (external && c === null);
  if (
    !isObj(teacher) ||
    !configOk(teacher.config) ||
    !countOk(teacher.params) ||
    !isObj(teacher.accuracy) ||
    !countOk(teacher.trainedSteps) ||
    !isInt(teacher.seed, Number.MIN_SAFE_INTEGER)
  ) {
    bad('teacher', teacherWant);
  }
  const th = teacher as Record<string, unknown>;
  for (const [fam, acc] of Object.entries(th.accuracy as Record<string, unknown>)) {
    if (typeof acc !== 'number' || !(acc >= 0 && acc <= 100))
      bad('teacher', `accuracy.${nameOf(fam)} a percent in 0..100 (got ${brief(acc)})`);
  }

  const out: PackMeta = {
    format: PACK_FORMAT,
    version: md.version as PackVersion,
    vocab: vocabArr,
    ...(img ? { image: { height: img.height, width: img.width, channels: img.channels } } : {}),
    families: families as string[],
    targets: { kind: tg.kind as 'dense' | 'topk', k: tg.k as number, positions: 'answer' },
    ...(featuresStyle ? {} : { encoder: encoder as Record<string, unknown> }),
    teacher: {
      config: th.config as Record<string, unknown> | null,
      params: th.params as number | null,
      accuracy: th.accuracy as Record<string, number>,
      trainedSteps: th.trainedSteps as number | null,
      seed: th.seed as number,
      ...parseTeacherExtras(th, file),
    },
    license: md.license,
  };
  if (v2) {
    if (featuresStyle) out.features = parseFeaturesSpec(md, file);
    if (has('vocab_source')) {
      out.vocabSource = parseVocabSource(md, file, V);
      if (out.targets.kind !== 'topk') {
        bad(
          'targets',
          'kind "topk": a compacted vocabulary (metadata.vocab_source) needs top-K targets whose teacher_lse covers the full original vocabulary (DESIGN §4b)',
        );
      }
    }
    if (has('hidden')) out.hidden = parseHiddenSpec(md, file);
  }
  if (has('ambiguity')) out.ambiguity = parseAmbiguity(md, file, out.families);
  if (has('student_init')) out.studentInit = parseStudentInit(md, file);
  return out;
}

/** PackMeta → the `__metadata__` strings of DESIGN §4 (JSON where the contract says so). */
export function serializePackMeta(meta: PackMeta, extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = { ...extra };
  out.format = meta.format;
  out.version = meta.version;
  out.vocab = JSON.stringify(meta.vocab);
  if (meta.image)
    out.image = JSON.stringify({ height: meta.image.height, width: meta.image.width, channels: meta.image.channels });
  out.families = JSON.stringify(meta.families);
  out.targets = JSON.stringify({ kind: meta.targets.kind, k: meta.targets.k, positions: meta.targets.positions });
  if (meta.encoder) out.encoder = JSON.stringify(meta.encoder);
  out.teacher = JSON.stringify(meta.teacher);
  out.license = meta.license;
  if (meta.features) out.features = JSON.stringify(meta.features);
  if (meta.vocabSource) out.vocab_source = JSON.stringify(meta.vocabSource);
  if (meta.hidden) out.hidden = JSON.stringify(meta.hidden);
  if (meta.ambiguity) out.ambiguity = JSON.stringify(meta.ambiguity);
  if (meta.studentInit) out.student_init = JSON.stringify(meta.studentInit);
  return out;
}
