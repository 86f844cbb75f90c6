// Tests of pack version 2 (DESIGN §4b): features packs round-trip, version-1 packs and the shipped packs still load,
// and one crafted file per new rejection, each a PackError naming the file and the field.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePack, buildPackBytes, packToInput, summarizePack, featuresGrid, type PackInput } from './pack';
import type { SafeTensor } from './safetensors';
import { makeTinyFeaturesPack, makeTinyPack, TINY_DIMS } from '../testing/packFixture';
import { bytesOf, expectPackError } from '../testing/packBytes';

const F = 'tiny-v2.safetensors';
const { A, P, V } = TINY_DIMS;
const N = 6;
const rejects = (bytes: Uint8Array, field: string) => expectPackError(bytes, field, F);

const f16zeros = (shape: number[]): SafeTensor => ({
  dtype: 'F16',
  shape,
  data: new Uint16Array(shape.reduce((a, b) => a * b, 1)),
});

const feat = makeTinyFeaturesPack();
const featFull = makeTinyFeaturesPack({ alignment: true, thumbnails: false });

describe('pack version 2: features packs', () => {
  it('round trips a features pack with thumbnails and an external teacher', () => {
    const pack = parsePack(buildPackBytes(feat), F);
    expect(pack.meta).toEqual(feat.meta);
    expect(pack.meta.encoder).toBeUndefined();
    expect(pack.meta.teacher.config).toBeNull();
    expect(pack.dims).toEqual({ N, H: 8, W: 8, C: 3, Lp: 5, A, V, K: 3, P, dh: 0, dV: 6 });
    expect(pack.tensors.image_features?.length).toBe(N * P * 6);
    expect(pack.tensors.teacher_hidden).toBeUndefined();
    expect(Object.keys(pack.weights)).toEqual([]);
    expect(pack.extraMetadata).toEqual({});
    expect(buildPackBytes(packToInput(pack))).toEqual(buildPackBytes(feat));
  });

  it('round trips one without thumbnails, with hidden/affinity/attention and the hidden metadata', () => {
    const pack = parsePack(buildPackBytes(featFull), F);
    expect(pack.meta.image).toBeUndefined();
    expect(pack.tensors.images).toBeUndefined();
    expect(pack.meta.hidden).toEqual({ d: TINY_DIMS.dh, method: 'identity (test data)' });
    expect(pack.dims).toMatchObject({ H: 0, W: 0, C: 0, P, dh: TINY_DIMS.dh, dV: 6 });
  });

  it('a version-2 pack in the pixels + encoder style (a version-1 pack relabelled) loads', () => {
    const v1 = makeTinyPack({ kind: 'topk' });
    const pack = parsePack(buildPackBytes({ ...v1, meta: { ...v1.meta, version: '2' } }), F);
    expect(pack.meta.version).toBe('2');
    expect(pack.tensors.images?.length).toBe(N * 8 * 8 * 3);
  });

  it('version 1 keeps ignoring version-2 keys and tensors (extra metadata, an unknown tensor)', () => {
    const v1 = makeTinyPack();
    const bytes = bytesOf(v1, { image_features: f16zeros([1]) }, { features: '{"oops": 1}', vocab_source: 'x' });
    const pack = parsePack(bytes, F);
    expect(pack.meta.features).toBeUndefined();
    expect(pack.extraMetadata).toEqual({ features: '{"oops": 1}', vocab_source: 'x' });
    expect(pack.tensors.image_features).toBeUndefined();
  });

  it('the shipped version-1 packs still load unchanged', () => {
    for (const name of ['shapes', 'digits']) {
      const file = `public/packs/${name}.safetensors.gz`;
      const pack = parsePack(new Uint8Array(readFileSync(file)), file);
      expect(pack.meta.version).toBe('1');
      expect(pack.meta.encoder).toBeDefined();
      expect(pack.tensors.images!.length).toBe(pack.dims.N * pack.dims.H * pack.dims.W * pack.dims.C);
    }
  });

  it('pack:inspect summary names the version, the feature source and the vocabulary source', () => {
    const s = summarizePack(parsePack(buildPackBytes(feat), F));
    expect(s.version).toBe('2');
    expect(s.features).toBe('image_features from random test features: P 4 × dV 6, pooling none, thumbnails 8×8×3');
    expect(s.vocabulary).toBe(`compacted: ${V} entries of 50 of tiny-test-tokenizer (original ids in vocab_source)`);
    expect(s.teacher).toMatch(/^external/);
    expect(summarizePack(parsePack(buildPackBytes(makeTinyPack()), F)).features).toBeUndefined(); // version 1 unchanged
  });

  it('featuresGrid: declared, square, or one row', () => {
    expect(featuresGrid({ P: 36 })).toEqual({ rows: 6, cols: 6 });
    expect(featuresGrid({ P: 6 })).toEqual({ rows: 1, cols: 6 });
    expect(featuresGrid({ P: 6, grid: { rows: 2, cols: 3 } })).toEqual({ rows: 2, cols: 3 });
  });
});

describe('pack version 2: rejections (DESIGN §4b)', () => {
  const encoderJson = JSON.stringify(makeTinyPack().meta.encoder);
  it('both images + encoder and image_features + features', () => {
    rejects(bytesOf(feat, {}, { encoder: encoderJson }), 'metadata.features');
  });
  it('neither', () => {
    rejects(bytesOf(feat, {}, { features: null }), 'metadata.encoder');
  });
  it('features metadata without image_features, or image_features in an encoder pack', () => {
    rejects(bytesOf(feat, { image_features: null }), 'tensor image_features');
    const v1 = makeTinyPack({ kind: 'topk' });
    rejects(
      bytesOf({ ...v1, meta: { ...v1.meta, version: '2' } }, { image_features: f16zeros([N, P, 6]) }),
      'tensor image_features',
    );
  });
  it('image_features of a shape other than [N, features.P, features.dV]', () => {
    expect(
      rejects(bytesOf(feat, { image_features: f16zeros([N, P + 1, 6]) }), 'tensor image_features').message,
    ).toContain('metadata.features.P');
    expect(rejects(bytesOf(feat, { image_features: f16zeros([N, P, 7]) }), 'tensor image_features').message).toContain(
      'metadata.features.dV',
    );
    rejects(bytesOf(feat, { image_features: f16zeros([N - 1, P, 6]) }), 'tensor image_features');
    rejects(
      bytesOf(feat, {
        image_features: { ...f16zeros([N, P, 6]), dtype: 'U8', data: new Uint8Array(N * P * 6) } as SafeTensor,
      }),
      'tensor image_features',
    );
  });
  it('a non-finite image feature', () => {
    const t = feat.tensors.image_features;
    const data = (t.data as Uint16Array).slice();
    data[5] = 0x7e00; // NaN
    rejects(bytesOf(feat, { image_features: { ...t, data } as SafeTensor }), 'tensor image_features');
  });
  it('features metadata of the wrong shape', () => {
    rejects(bytesOf(feat, {}, { features: '{"source": "x", "P": 4}' }), 'metadata.features');
    rejects(bytesOf(feat, {}, { features: '{oops' }), 'metadata.features');
    rejects(
      bytesOf(
        feat,
        {},
        { features: '{"source": "x", "P": 4, "dV": 6, "pooling": "none", "grid": {"rows": 3, "cols": 3}}' },
      ),
      'metadata.features',
    );
  });
  it('vocab_source.ids of a length other than the vocab, or malformed', () => {
    const ids = feat.meta.vocabSource!.ids;
    expect(
      rejects(
        bytesOf(feat, {}, { vocab_source: JSON.stringify({ tokenizer: 't', ids: ids.slice(1) }) }),
        'metadata.vocab_source',
      ).message,
    ).toContain(`length ${V}`);
    rejects(
      bytesOf(
        feat,
        {},
        { vocab_source: JSON.stringify({ tokenizer: 't', ids: ids.map((x, i) => (i === 5 ? -2 : x)) }) },
      ),
      'metadata.vocab_source',
    );
    rejects(
      bytesOf(
        feat,
        {},
        { vocab_source: JSON.stringify({ tokenizer: 't', ids: ids.map((x, i) => (i === 5 ? ids[4] : x)) }) },
      ),
      'metadata.vocab_source',
    );
    rejects(bytesOf(feat, {}, { vocab_source: '[1, 2]' }), 'metadata.vocab_source');
  });
  it('a compacted pack with dense targets', () => {
    const dense = makeTinyPack({ kind: 'dense' });
    const { encoder: _e, image: _i, ...rest } = dense.meta;
    const input: PackInput = {
      meta: { ...rest, version: '2', features: feat.meta.features, vocabSource: feat.meta.vocabSource },
      tensors: {
        ...Object.fromEntries(Object.entries(dense.tensors).filter(([k]) => !k.includes('.') && k !== 'images')),
        image_features: feat.tensors.image_features,
      },
    };
    expect(rejects(bytesOf(input), 'metadata.targets').message).toContain('vocab_source');
    // Without vocab_source the same dense features pack is fine.
    expect(() => parsePack(bytesOf({ ...input, meta: { ...input.meta, vocabSource: undefined } }), F)).not.toThrow();
  });
  it('thumbnails without metadata.image, or disagreeing with it', () => {
    rejects(bytesOf(feat, {}, { image: null }), 'metadata.image');
    rejects(bytesOf(feat, {}, { image: '{"height": 8, "width": 8, "channels": 1}' }), 'tensor images');
  });
  it('an external teacher (config null) with teacher.* weights, and encoder.* in a features pack', () => {
    const w: SafeTensor = { dtype: 'F32', shape: [2], data: new Float32Array(2) };
    rejects(bytesOf(feat, { 'teacher.lm_head.weight': w }), 'tensor teacher.lm_head.weight');
    rejects(bytesOf(feat, { 'encoder.pos': w }), 'tensor encoder.pos');
  });
  it('teacher.config null in a version-1 pack', () => {
    const v1 = makeTinyPack();
    rejects(bytesOf(v1, {}, { teacher: JSON.stringify({ ...v1.meta.teacher, config: null }) }), 'metadata.teacher');
  });
  it('hidden metadata that disagrees with teacher_hidden, or malformed', () => {
    rejects(bytesOf(featFull, {}, { hidden: '{"d": 5, "method": "x"}' }), 'tensor teacher_hidden');
    rejects(bytesOf(featFull, {}, { hidden: '{"d": 0}' }), 'metadata.hidden');
  });
  it('version 1 still requires teacher_hidden / affinity / attention; version 2 does not', () => {
    rejects(bytesOf(makeTinyPack(), { teacher_attention: null }), 'tensor teacher_attention');
    expect(() => parsePack(bytesOf(feat, { teacher_attention: null }), F)).not.toThrow();
  });
  it('an unsupported version names both supported ones', () => {
    expect(rejects(bytesOf(feat, {}, { version: '3' }), 'metadata.version').message).toContain('"1" or "2"');
  });
});
