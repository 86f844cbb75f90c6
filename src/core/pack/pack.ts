// Teacher pack (DESIGN §4): the tensors' schema over safetensors, the full validating reader and the writer; the types
// are packTypes.ts, the metadata schema packMeta.ts, pack:inspect's summary packSummary.ts. Rejections name file and field.
import {
  PackError,
  readSafetensors,
  writeSafetensors,
  maybeGunzip,
  gzip,
  isF16NonFinite,
  f16BitsToF32,
  checkHeaderPrefix,
  DEFAULT_MAX_GUNZIP_BYTES,
  nameOf,
  type Dtype,
  type SafeTensor,
  type SafetensorsFile,
} from './safetensors';
import { checkPackFileSize, checkSeqLen, PACK_LIMITS } from './packCost';
import {
  EXTRA_METADATA,
  parsePackMeta,
  type PackMeta,
  REQUIRED_METADATA,
  serializePackMeta,
  V2_METADATA,
} from './packMeta';
import type { Pack, PackDims, PackInput, PackTensors, PackWeight } from './packTypes';
import { SPLIT_COUNT } from '../kd/terms';

export * from './packMeta';
export { featuresGrid, type FeaturesSpec, type HiddenSpec, type VocabSource } from './packV2';
export type { AmbiguitySpec, CalibrationSpec, PretrainSpec, StudentInitSpec } from './packExtras';
export { PackError } from './safetensors';
export { packSources, type PackSummary, summarizePack } from './packSummary';
export type { Pack, PackDims, PackInput, PackTensors, PackWeight } from './packTypes';
/** Values of the `split` tensor. */
export { SPLIT } from '../kd/terms';

type Sym = 'N' | 'H' | 'W' | 'C' | 'Lp' | 'A' | 'V' | 'K' | 'P' | 'dh' | 'dV';
/** Named tensors: dtype and symbolic shape, in the order their dims are bound. */
const SPEC: readonly [keyof PackTensors, Dtype, Sym[]][] = [
  ['images', 'U8', ['N', 'H', 'W', 'C']],
  ['image_features', 'F16', ['N', 'P', 'dV']],
  ['split', 'U8', ['N']],
  ['family', 'U8', ['N']],
  ['prompt_ids', 'I32', ['N', 'Lp']],
  ['answer_ids', 'I32', ['N', 'A']],
  ['teacher_answer_ids', 'I32', ['N', 'A']],
  ['kd_ids', 'I32', ['N', 'A']],
  ['teacher_logits', 'F16', ['N', 'A', 'V']],
  ['teacher_topk_ids', 'I32', ['N', 'A', 'K']],
  ['teacher_topk_logits', 'F16', ['N', 'A', 'K']],
  ['teacher_lse', 'F32', ['N', 'A']],
  ['teacher_hidden', 'F16', ['N', 'A', 'dh']],
  ['teacher_affinity', 'F16', ['N', 'P', 'A']],
  ['teacher_attention', 'F16', ['N', 'A', 'P']],
  ['bayes_answer_ids', 'I32', ['N', 'A']],
];
const ALWAYS_REQUIRED: readonly string[] = [
  'images',
  'split',
  'family',
  'prompt_ids',
  'answer_ids',
  'teacher_answer_ids',
  'kd_ids',
  'teacher_hidden',
  'teacher_affinity',
  'teacher_attention',
];
/** Version 2: the text tensors always; `images` (pixels + encoder) or `image_features` (features) by the pack's style. */
const REQUIRED_V2: readonly string[] = ['split', 'family', 'prompt_ids', 'answer_ids', 'teacher_answer_ids', 'kd_ids'];
const TARGET_TENSORS = {
  dense: ['teacher_logits'],
  topk: ['teacher_topk_ids', 'teacher_topk_logits', 'teacher_lse'],
} as const;
const ID_TENSORS = [
  'prompt_ids',
  'answer_ids',
  'teacher_answer_ids',
  'kd_ids',
  'teacher_topk_ids',
  'bayes_answer_ids',
] as const;
const WEIGHT_PREFIXES = ['encoder.', 'teacher.', 'student_init.'] as const;
const isWeightName = (name: string): boolean => WEIGHT_PREFIXES.some((p) => name.startsWith(p));

// ---------------------------------------------------------------- the reader, section by section

type Tensors = SafetensorsFile['tensors'];
type Dims = Partial<Record<Sym, number>>;

function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
const tfield = (name: string): string => `tensor ${nameOf(name)}`;
const has = (all: Tensors, name: string): boolean => Object.prototype.hasOwnProperty.call(all, name);

/** Parse a pack (gzipped or not, detected by magic bytes) and perform every check of DESIGN §4. */
export function parsePack(bytes: Uint8Array, fileName: string, opts: { maxGunzipBytes?: number } = {}): Pack {
  const F = fileName;
  const file = readPackFile(bytes, F, opts.maxGunzipBytes ?? DEFAULT_MAX_GUNZIP_BYTES);
  const meta = parsePackMeta(file.metadata, F);
  const all = file.tensors;
  checkRequiredTensors(all, meta, F);
  checkImageStyleAndWeightOwners(all, meta, F);
  const { dims, tensors } = bindShapes(all, meta, F);
  checkIdsAndLabels(tensors, meta, F);
  const weights = checkFloatsAndTakeWeights(all, F);
  checkTopkOrder(all, tensors, F);
  checkStudentInit(all, meta, F);
  const sortedNames = Object.keys(all).sort();
  const tensorInfo = Object.fromEntries(sortedNames.map((n) => [n, { dtype: all[n].dtype, shape: all[n].shape }]));
  const id = (tok: string): number => meta.vocab.indexOf(tok);
  return {
    meta,
    dims: packDims(dims, meta),
    special: { pad: id('<pad>'), bos: id('<bos>'), eos: id('<eos>'), unk: id('<unk>') },
    tensors,
    weights,
    tensorInfo,
    extraMetadata: extraMetadataOf(file.metadata, meta),
  };
}

/** The file: its size, then (gunzipped within bounds) the safetensors header and tensors; limits apply before any parse. */
function readPackFile(bytes: Uint8Array, F: string, maxGunzipBytes: number): SafetensorsFile {
  checkPackFileSize(F, bytes.length);
  const limits = { maxHeaderBytes: PACK_LIMITS.headerBytes, maxEntries: PACK_LIMITS.headerEntries }; // before any parse
  const raw = maybeGunzip(bytes, F, maxGunzipBytes, (prefix) => checkHeaderPrefix(prefix, F, limits));
  return readSafetensors(raw, F, limits);
}

/** Every tensor the pack's version, image style (pixels + encoder or features) and targets kind require. */
function checkRequiredTensors(all: Tensors, meta: PackMeta, F: string): void {
  const v2 = meta.version === '2';
  const feat = meta.features;
  const base = v2 ? [...REQUIRED_V2, feat ? 'image_features' : 'images'] : ALWAYS_REQUIRED;
  const required = [...base, ...TARGET_TENSORS[meta.targets.kind]];
  for (const name of required) {
    if (!has(all, name)) {
      const why = (TARGET_TENSORS[meta.targets.kind] as readonly string[]).includes(name)
        ? ` for targets.kind "${meta.targets.kind}"`
        : '';
      const style =
        v2 && (name === 'images' || name === 'image_features') ? ` with metadata.${feat ? 'features' : 'encoder'}` : '';
      throw new PackError(F, tfield(name), `present (a required tensor${why}${style})`);
    }
  }
}

/**
 * Version 2's image style (DESIGN §4b): no image_features beside an encoder, thumbnails described by metadata.image,
 * no encoder.* in a features pack; and no teacher.* weights from an external teacher (metadata.teacher.config null).
 */
function checkImageStyleAndWeightOwners(all: Tensors, meta: PackMeta, F: string): void {
  const feat = meta.features;
  if (meta.version === '2' && !feat && has(all, 'image_features')) {
    throw new PackError(
      F,
      tfield('image_features'),
      'absent in a pack with images + metadata.encoder, or metadata.features in place of metadata.encoder (DESIGN §4b)',
    );
  }
  if (feat && has(all, 'images') && !meta.image) {
    throw new PackError(
      F,
      'metadata.image',
      'present when a features pack ships tensor images (the thumbnails it describes)',
    );
  }
  for (const name of Object.keys(all)) {
    if (feat && name.startsWith('encoder.'))
      throw new PackError(F, tfield(name), 'absent in a features pack (image_features replace the encoder)');
    if (meta.teacher.config === null && name.startsWith('teacher.')) {
      throw new PackError(
        F,
        tfield(name),
        'absent when metadata.teacher.config is null (an external teacher ships no weights)',
      );
    }
  }
}

/** Dims the metadata fixes: H, W, C from metadata.image, V from the vocab, K from targets.k, P and dV from features. */
function metadataDims(meta: PackMeta): { dims: Dims; source: Partial<Record<Sym, string>> } {
  const dims: Dims = { V: meta.vocab.length };
  const source: Partial<Record<Sym, string>> = { V: 'the vocab size' };
  if (meta.image) {
    Object.assign(dims, { H: meta.image.height, W: meta.image.width, C: meta.image.channels });
    Object.assign(source, { H: 'metadata.image.height', W: 'metadata.image.width', C: 'metadata.image.channels' });
  }
  if (meta.targets.kind === 'topk') {
    dims.K = meta.targets.k;
    source.K = 'metadata.targets.k';
  }
  if (meta.features) {
    Object.assign(dims, { P: meta.features.P, dV: meta.features.dV });
    Object.assign(source, { P: 'metadata.features.P', dV: 'metadata.features.dV' });
  }
  return { dims, source };
}

/**
 * Each named tensor's dtype and shape against SPEC, binding the dims the metadata leaves open from the first tensor
 * having them; then the hidden width against metadata.hidden and the sequence length against the pack limits.
 */
function bindShapes(all: Tensors, meta: PackMeta, F: string): { dims: PackDims; tensors: PackTensors } {
  const v2 = meta.version === '2';
  const { dims, source } = metadataDims(meta);
  const tensors: Partial<Record<keyof PackTensors, SafeTensor['data']>> = {};
  for (const [name, dtype, syms] of SPEC) {
    const t = all[name];
    if (!t || (!v2 && name === 'image_features')) continue; // version 1: an unknown extra tensor
    if (t.dtype !== dtype) throw new PackError(F, tfield(name), `dtype ${dtype} (got ${t.dtype})`);
    const sym = `[${syms.join(', ')}]`;
    if (t.shape.length !== syms.length)
      throw new PackError(F, tfield(name), `shape ${sym} of rank ${syms.length} (got ${fmt(t.shape)})`);
    syms.forEach((s, i) => {
      const d = t.shape[i];
      if (dims[s] === undefined) {
        if (d < 1) throw new PackError(F, tfield(name), `shape ${sym} with ${s} ≥ 1 (got ${fmt(t.shape)})`);
        dims[s] = d;
        source[s] = `tensor ${name}`;
      } else if (dims[s] !== d) {
        const want = syms.map((q) => (dims[q] === undefined ? q : `${q}=${dims[q]}`)).join(', ');
        throw new PackError(
          F,
          tfield(name),
          `shape [${want}] with ${s} = ${dims[s]} as in ${source[s]} (got ${fmt(t.shape)})`,
        );
      }
    });
    tensors[name] = t.data;
  }
  if (meta.targets.kind === 'dense') dims.K = dims.V;
  if (meta.hidden && dims.dh !== undefined && meta.hidden.d !== dims.dh) {
    throw new PackError(
      F,
      tfield('teacher_hidden'),
      `width d_h = metadata.hidden.d = ${meta.hidden.d} (got ${fmt(all.teacher_hidden.shape)})`,
    );
  }
  const D = dims as PackDims;
  checkSeqLen(F, D.P ?? 0, D.Lp, D.A); // a v1 pack's P is checked again from its encoder by the model's cost check
  return { dims: D, tensors: tensors as PackTensors };
}

/** Values: split in 0..3, family an index into metadata.families, every id tensor's tokens in the vocab. */
function checkIdsAndLabels(tn: PackTensors, meta: PackMeta, F: string): void {
  const V = meta.vocab.length;
  const maxCheck = (name: string, arr: ArrayLike<number>, hi: number, want: string): void => {
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (!(v >= 0 && v < hi)) throw new PackError(F, tfield(name), `${want} (got ${v} at flat index ${i})`);
    }
  };
  maxCheck('split', tn.split, SPLIT_COUNT, 'values in 0..3 (0 train-labeled, 1 train-unlabeled, 2 val, 3 test)');
  maxCheck(
    'family',
    tn.family,
    meta.families.length,
    `values in 0..${meta.families.length - 1} (indices into metadata.families)`,
  );
  for (const name of ID_TENSORS) {
    const arr = tn[name];
    if (arr) maxCheck(name, arr, V, `token ids in [0, ${V}) (V = vocab size)`);
  }
}

/** Non-finite values in every float tensor, named or not, weights included; the weights (F32 only), by name. */
function checkFloatsAndTakeWeights(all: Tensors, F: string): Record<string, PackWeight> {
  const weights: Record<string, PackWeight> = {};
  for (const [name, t] of Object.entries(all)) {
    if (t.dtype === 'F16') {
      for (let i = 0; i < t.data.length; i++) {
        if (isF16NonFinite(t.data[i]))
          throw new PackError(
            F,
            tfield(name),
            `finite values (got ${t.data[i] & 0x3ff ? 'NaN' : 'Infinity'} at flat index ${i})`,
          );
      }
    } else if (t.dtype === 'F32') {
      for (let i = 0; i < t.data.length; i++) {
        if (!Number.isFinite(t.data[i]))
          throw new PackError(F, tfield(name), `finite values (got ${t.data[i]} at flat index ${i})`);
      }
    }
    if (isWeightName(name)) {
      if (t.dtype !== 'F32')
        throw new PackError(
          F,
          tfield(name),
          `dtype F32 for encoder.*/teacher.*/student_init.* weights (got ${t.dtype})`,
        );
      weights[name] = { shape: t.shape, data: t.data };
    }
  }
  return weights;
}

/** Top-K targets: logits sorted descending along K in every answer slot. */
function checkTopkOrder(all: Tensors, tn: PackTensors, F: string): void {
  if (!tn.teacher_topk_logits) return;
  const K = all.teacher_topk_logits.shape[2];
  const z = f16BitsToF32(tn.teacher_topk_logits);
  for (let r = 0; r < z.length; r += K) {
    for (let j = 1; j < K; j++) {
      if (z[r + j] > z[r + j - 1])
        throw new PackError(
          F,
          tfield('teacher_topk_logits'),
          `logits sorted descending along K (not at flat index ${r + j})`,
        );
    }
  }
}

/** §4c: student_init.* weights and metadata.student_init come together or not at all. */
function checkStudentInit(all: Tensors, meta: PackMeta, F: string): void {
  const hasInit = Object.keys(all).some((n) => n.startsWith('student_init.'));
  if (hasInit !== !!meta.studentInit) {
    throw new PackError(
      F,
      hasInit ? 'metadata.student_init' : 'tensor student_init.*',
      hasInit
        ? 'present when the pack ships student_init.* weights (DESIGN §4c)'
        : 'present when metadata.student_init is (DESIGN §4c)',
    );
  }
}

/** Metadata keys the pack's version does not know, kept verbatim. */
function extraMetadataOf(md: Record<string, string>, meta: PackMeta): Record<string, string> {
  const known: readonly string[] = [
    ...(meta.version === '2' ? [...REQUIRED_METADATA, ...V2_METADATA] : REQUIRED_METADATA),
    ...EXTRA_METADATA,
  ];
  return Object.fromEntries(Object.entries(md).filter(([k]) => !known.includes(k)));
}

/** The bound dims as Pack.dims: 0 for what no tensor carries, dV for features packs only. */
function packDims(D: PackDims, meta: PackMeta): PackDims {
  return {
    N: D.N,
    H: D.H ?? 0,
    W: D.W ?? 0,
    C: D.C ?? 0,
    Lp: D.Lp,
    A: D.A,
    V: D.V,
    K: D.K,
    P: D.P ?? 0,
    dh: D.dh ?? 0,
    ...(meta.features ? { dV: meta.features.dV } : {}),
  };
}

/** Serialise a pack. validate (default true) re-parses the result, so a bad input fails here, not in the lab. */
export function buildPackBytes(
  input: PackInput,
  opts: { gzip?: boolean; validate?: boolean; fileName?: string } = {},
): Uint8Array {
  const bytes = writeSafetensors(input.tensors, serializePackMeta(input.meta, input.extraMetadata));
  if (opts.validate ?? true) parsePack(bytes, opts.fileName ?? 'buildPackBytes');
  return opts.gzip ? gzip(bytes) : bytes;
}

/** A parsed pack back to buildPackBytes input (named tensors and weights; unknown extra tensors are not kept). */
export function packToInput(pack: Pack): PackInput {
  const tensors: Record<string, SafeTensor> = {};
  for (const [name] of SPEC) {
    const data = pack.tensors[name];
    if (data)
      tensors[name] = { dtype: pack.tensorInfo[name].dtype, shape: pack.tensorInfo[name].shape, data } as SafeTensor;
  }
  for (const [name, w] of Object.entries(pack.weights)) tensors[name] = { dtype: 'F32', shape: w.shape, data: w.data };
  return { meta: pack.meta, tensors, extraMetadata: pack.extraMetadata };
}
