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
} from './safetensors';
import { checkPackFileSize, checkSeqLen, PACK_LIMITS } from './packCost';
import { EXTRA_METADATA, parsePackMeta, REQUIRED_METADATA, serializePackMeta, V2_METADATA } from './packMeta';
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

// ---------------------------------------------------------------- tensors

function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Parse a pack (gzipped or not, detected by magic bytes) and perform every check of DESIGN §4. */
export function parsePack(bytes: Uint8Array, fileName: string, opts: { maxGunzipBytes?: number } = {}): Pack {
  const F = fileName;
  checkPackFileSize(F, bytes.length);
  const limits = { maxHeaderBytes: PACK_LIMITS.headerBytes, maxEntries: PACK_LIMITS.headerEntries }; // before any parse
  const raw = maybeGunzip(bytes, F, opts.maxGunzipBytes ?? DEFAULT_MAX_GUNZIP_BYTES, (prefix) =>
    checkHeaderPrefix(prefix, F, limits),
  );
  const file = readSafetensors(raw, F, limits);
  const meta = parsePackMeta(file.metadata, F);
  const all = file.tensors;
  const tfield = (name: string): string => `tensor ${nameOf(name)}`;

  const v2 = meta.version === '2';
  const feat = meta.features;
  const has = (name: string): boolean => Object.prototype.hasOwnProperty.call(all, name);
  const base = v2 ? [...REQUIRED_V2, feat ? 'image_features' : 'images'] : ALWAYS_REQUIRED;
  const required = [...base, ...TARGET_TENSORS[meta.targets.kind]];
  for (const name of required) {
    if (!Object.prototype.hasOwnProperty.call(all, name)) {
      const why = (TARGET_TENSORS[meta.targets.kind] as readonly string[]).includes(name)
        ? ` for targets.kind "${meta.targets.kind}"`
        : '';
      const style =
        v2 && (name === 'images' || name === 'image_features') ? ` with metadata.${feat ? 'features' : 'encoder'}` : '';
      throw new PackError(F, tfield(name), `present (a required tensor${why}${style})`);
    }
  }
  if (v2 && !feat && has('image_features')) {
    throw new PackError(
      F,
      tfield('image_features'),
      'absent in a pack with images + metadata.encoder, or metadata.features in place of metadata.encoder (DESIGN §4b)',
    );
  }
  if (feat && has('images') && !meta.image) {
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

  // Bind dims: H, W, C from metadata.image, V from the vocab, K from targets.k; the rest from the first tensor having them.
  const V = meta.vocab.length;
  const dims: Partial<Record<Sym, number>> = { V };
  const source: Partial<Record<Sym, string>> = { V: 'the vocab size' };
  if (meta.image) {
    Object.assign(dims, { H: meta.image.height, W: meta.image.width, C: meta.image.channels });
    Object.assign(source, { H: 'metadata.image.height', W: 'metadata.image.width', C: 'metadata.image.channels' });
  }
  if (meta.targets.kind === 'topk') {
    dims.K = meta.targets.k;
    source.K = 'metadata.targets.k';
  }
  if (feat) {
    Object.assign(dims, { P: feat.P, dV: feat.dV });
    Object.assign(source, { P: 'metadata.features.P', dV: 'metadata.features.dV' });
  }
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
  if (meta.targets.kind === 'dense') dims.K = V;
  if (meta.hidden && dims.dh !== undefined && meta.hidden.d !== dims.dh) {
    throw new PackError(
      F,
      tfield('teacher_hidden'),
      `width d_h = metadata.hidden.d = ${meta.hidden.d} (got ${fmt(all.teacher_hidden.shape)})`,
    );
  }
  const D = dims as PackDims;
  const tn = tensors as PackTensors;
  checkSeqLen(F, D.P ?? 0, D.Lp, D.A); // a v1 pack's P is checked again from its encoder by the model's cost check

  // Values: split, family, ids, topk order.
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
  // Non-finite values in every float tensor, named or not, weights included.
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
  if (tn.teacher_topk_logits) {
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

  const sortedNames = Object.keys(all).sort();
  const tensorInfo = Object.fromEntries(sortedNames.map((n) => [n, { dtype: all[n].dtype, shape: all[n].shape }]));
  const known: readonly string[] = [
    ...(v2 ? [...REQUIRED_METADATA, ...V2_METADATA] : REQUIRED_METADATA),
    ...EXTRA_METADATA,
  ];
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
  const extraMetadata = Object.fromEntries(Object.entries(file.metadata).filter(([k]) => !known.includes(k)));
  const id = (tok: string): number => meta.vocab.indexOf(tok);
  return {
    meta,
    dims: {
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
      ...(feat ? { dV: feat.dV } : {}),
    },
    special: { pad: id('<pad>'), bos: id('<bos>'), eos: id('<eos>'), unk: id('<unk>') },
    tensors: tn,
    weights,
    tensorInfo,
    extraMetadata,
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
