// Tests of the teacher-pack reader/writer (DESIGN §4): round trips, one crafted file per rejection, the summary,
// and a fast-check fuzz of mutated packs that must either parse or throw a PackError.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  PackError,
  parsePack,
  buildPackBytes,
  packToInput,
  summarizePack,
  serializePackMeta,
  REQUIRED_METADATA,
  type PackInput,
} from './pack';
import { writeSafetensors, gzip, type SafeTensor, type Dtype } from './safetensors';
import { makeTinyPack, TINY_DIMS } from '../testing/packFixture';
import { bytesOf, expectPackError as packError } from '../testing/packBytes';

const F = 'tiny.safetensors';
const expectPackError = (bytes: Uint8Array, field: string, file = F) => packError(bytes, field, file);

/** A zero-filled tensor of a dtype and shape. */
function zeros(dtype: Dtype, shape: number[]): SafeTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  switch (dtype) {
    case 'U8':
      return { dtype, shape, data: new Uint8Array(n) };
    case 'I32':
      return { dtype, shape, data: new Int32Array(n) };
    case 'F16':
      return { dtype, shape, data: new Uint16Array(n) };
    case 'F32':
      return { dtype, shape, data: new Float32Array(n) };
  }
}

/** A copy of one tensor of the input with element `i` set to `v`. */
function poke(input: PackInput, name: string, i: number, v: number): Record<string, SafeTensor> {
  const t = input.tensors[name];
  const data = t.data.slice();
  data[i] = v;
  return { [name]: { ...t, data } as SafeTensor };
}

const dense = makeTinyPack({ kind: 'dense' });
const topk = makeTinyPack({ kind: 'topk', k: 3 });
const { A, V, P, dh } = TINY_DIMS;
const N = 6;

describe('pack round trip', () => {
  for (const [label, input] of [
    ['dense', dense],
    ['topk', topk],
  ] as const) {
    for (const gz of [false, true]) {
      it(`${label}${gz ? ' gzipped' : ''}: parse(build(x)) has the same tensors and metadata`, () => {
        const bytes = buildPackBytes(input, { gzip: gz });
        const pack = parsePack(bytes, F);
        expect(pack.meta).toEqual(input.meta);
        for (const [name, t] of Object.entries(input.tensors)) {
          const got = name.includes('.') ? pack.weights[name].data : pack.tensors[name as keyof typeof pack.tensors]!;
          expect(Array.from(got)).toEqual(Array.from(t.data));
          expect(pack.tensorInfo[name]).toEqual({ dtype: t.dtype, shape: t.shape });
        }
        expect(pack.dims).toEqual({ N, H: 8, W: 8, C: 3, Lp: 5, A, V, K: label === 'dense' ? V : 3, P, dh });
        expect(pack.special).toEqual({ pad: 0, bos: 1, eos: 2, unk: 3 });
        expect(buildPackBytes(packToInput(pack))).toEqual(buildPackBytes(input));
      });
    }
  }

  it('the fixture and the writer are deterministic', () => {
    expect(buildPackBytes(makeTinyPack({ kind: 'topk' }), { gzip: true })).toEqual(
      buildPackBytes(makeTinyPack({ kind: 'topk' }), { gzip: true }),
    );
    expect(buildPackBytes(makeTinyPack({ seed: 2 }))).not.toEqual(buildPackBytes(makeTinyPack({ seed: 1 })));
  });

  it('keeps extra metadata keys and lists extra tensors', () => {
    const bytes = writeSafetensors(
      { ...dense.tensors, notes: zeros('U8', [2]) },
      { ...serializePackMeta(dense.meta), source: 'x' },
    );
    const pack = parsePack(bytes, F);
    expect(pack.extraMetadata).toEqual({ source: 'x' });
    expect(pack.tensorInfo.notes).toEqual({ dtype: 'U8', shape: [2] });
  });

  it('summarizes a pack', () => {
    const s = summarizePack(parsePack(buildPackBytes(topk), F));
    expect(Object.keys(s).join(' ')).toBe(
      'format version n families vocab_size answer_slots patches targets teacher_accuracy tensors',
    );
    expect(s.n).toEqual({ train_labeled: 2, train_unlabeled: 2, val: 1, test: 1 });
    expect(s).toMatchObject({
      format: 'llavadi-lab-pack',
      version: '1',
      vocab_size: V,
      answer_slots: A,
      patches: P,
      targets: { kind: 'topk', k: 3 },
    });
    expect(s.teacher_accuracy).toEqual({ color: 75, count: 50 });
    expect(s.tensors['teacher.lm_head.weight']).toEqual({ dtype: 'F32', shape: [dh, V] });
    expect(Object.keys(s.tensors)).toEqual(Object.keys(topk.tensors).sort());
  });

  it('buildPackBytes validates by default', () => {
    const bad = {
      ...dense,
      tensors: { ...dense.tensors, split: { dtype: 'U8', shape: [N], data: new Uint8Array(N).fill(9) } as SafeTensor },
    };
    expect(() => buildPackBytes(bad)).toThrow(PackError);
    expect(() => buildPackBytes(bad, { validate: false })).not.toThrow();
  });
});

describe('pack rejections', () => {
  it('header problems from the safetensors layer', () => {
    const b = buildPackBytes(dense);
    new DataView(b.buffer).setUint32(0, b.length, true);
    expectPackError(b, 'header length');
    expectPackError(gzip(b), 'header length');
  });
  it('a plain safetensors file without pack metadata', () => {
    expectPackError(writeSafetensors({ a: zeros('U8', [1]) }, {}), 'metadata.format');
  });
  for (const key of REQUIRED_METADATA) {
    it(`missing metadata.${key}`, () => expectPackError(bytesOf(dense, {}, { [key]: null }), `metadata.${key}`));
  }
  it('wrong format', () => expectPackError(bytesOf(dense, {}, { format: 'safetensors' }), 'metadata.format'));
  it('unsupported version', () => {
    expect(expectPackError(bytesOf(dense, {}, { version: '3' }), 'metadata.version').expected).toContain('"1"');
  });
  it('metadata JSON that does not parse', () => {
    for (const key of ['vocab', 'image', 'families', 'targets', 'encoder', 'teacher'])
      expectPackError(bytesOf(dense, {}, { [key]: '{oops' }), `metadata.${key}`);
  });
  it('metadata JSON of the wrong shape', () => {
    expectPackError(bytesOf(dense, {}, { vocab: '"abc"' }), 'metadata.vocab');
    expectPackError(bytesOf(dense, {}, { image: '{"height": 8, "width": 8}' }), 'metadata.image');
    expectPackError(bytesOf(dense, {}, { families: '[]' }), 'metadata.families');
    expectPackError(
      bytesOf(dense, {}, { targets: '{"kind": "sparse", "k": 3, "positions": "answer"}' }),
      'metadata.targets',
    );
    expectPackError(
      bytesOf(dense, {}, { targets: `{"kind": "dense", "k": ${V}, "positions": "all"}` }),
      'metadata.targets',
    );
    expectPackError(
      bytesOf(dense, {}, { targets: '{"kind": "dense", "k": 3, "positions": "answer"}' }),
      'metadata.targets',
    );
    expectPackError(
      bytesOf(topk, {}, { targets: `{"kind": "topk", "k": ${V + 1}, "positions": "answer"}` }),
      'metadata.targets',
    );
    expectPackError(bytesOf(dense, {}, { encoder: '[1]' }), 'metadata.encoder');
    expectPackError(bytesOf(dense, {}, { teacher: '{"config": {}, "params": 1}' }), 'metadata.teacher');
    expectPackError(
      bytesOf(dense, {}, { teacher: JSON.stringify({ ...dense.meta.teacher, accuracy: { color: 'high' } }) }),
      'metadata.teacher',
    );
  });
  it('a vocab lacking a special token, or with duplicates', () => {
    for (const s of ['<pad>', '<bos>', '<eos>', '<unk>']) {
      const vocab = dense.meta.vocab.map((t) => (t === s ? 'x' + t : t));
      expect(
        expectPackError(bytesOf(dense, {}, { vocab: JSON.stringify(vocab) }), 'metadata.vocab').expected,
      ).toContain(`${s} is missing`);
    }
    expectPackError(
      bytesOf(dense, {}, { vocab: JSON.stringify([...dense.meta.vocab.slice(0, -1), 'red']) }),
      'metadata.vocab',
    );
  });
  for (const [input, names] of [
    [
      dense,
      [
        'images',
        'split',
        'family',
        'prompt_ids',
        'answer_ids',
        'teacher_answer_ids',
        'kd_ids',
        'teacher_logits',
        'teacher_hidden',
        'teacher_affinity',
        'teacher_attention',
      ],
    ],
    [topk, ['teacher_topk_ids', 'teacher_topk_logits', 'teacher_lse']],
  ] as const) {
    for (const name of names) {
      it(`missing tensor ${name} (${input.meta.targets.kind})`, () =>
        expectPackError(bytesOf(input, { [name]: null }), `tensor ${name}`));
    }
  }
  it('wrong dtype for a named tensor or a weight', () => {
    expectPackError(bytesOf(dense, { answer_ids: zeros('F32', [N, A]) }), 'tensor answer_ids');
    expectPackError(bytesOf(dense, { teacher_logits: zeros('F32', [N, A, V]) }), 'tensor teacher_logits');
    expectPackError(bytesOf(topk, { teacher_lse: zeros('F16', [N, A]) }), 'tensor teacher_lse');
    expectPackError(bytesOf(dense, { 'encoder.pos_embed': zeros('F16', [P, 8]) }), 'tensor encoder.pos_embed');
  });
  it('inconsistent N, A, P, K, V across tensors', () => {
    expectPackError(bytesOf(dense, { split: zeros('U8', [N - 1]) }), 'tensor split');
    expectPackError(bytesOf(dense, { kd_ids: zeros('I32', [N, A + 1]) }), 'tensor kd_ids');
    expectPackError(bytesOf(dense, { teacher_attention: zeros('F16', [N, A, P + 1]) }), 'tensor teacher_attention');
    expectPackError(bytesOf(dense, { teacher_affinity: zeros('F16', [N, P + 1, A]) }), 'tensor teacher_attention'); // P bound by affinity
    expectPackError(bytesOf(topk, { teacher_topk_ids: zeros('I32', [N, A, 4]) }), 'tensor teacher_topk_ids');
    expectPackError(bytesOf(topk, { teacher_topk_logits: zeros('F16', [N, A, 2]) }), 'tensor teacher_topk_logits');
    expect(
      expectPackError(bytesOf(dense, { teacher_logits: zeros('F16', [N, A, V + 1]) }), 'tensor teacher_logits')
        .expected,
    ).toContain('V = 12');
    expectPackError(bytesOf(dense, { teacher_hidden: zeros('F16', [N, A]) }), 'tensor teacher_hidden');
  });
  it('an images shape that disagrees with metadata.image', () => {
    expectPackError(bytesOf(dense, {}, { image: '{"height": 8, "width": 8, "channels": 1}' }), 'tensor images');
    expectPackError(bytesOf(dense, { images: zeros('U8', [N, 8, 9, 3]) }), 'tensor images');
  });
  it('split and family values out of range', () => {
    expectPackError(bytesOf(dense, poke(dense, 'split', 2, 4)), 'tensor split');
    expectPackError(bytesOf(dense, poke(dense, 'family', 5, 2)), 'tensor family');
  });
  for (const name of ['prompt_ids', 'answer_ids', 'teacher_answer_ids', 'kd_ids', 'teacher_topk_ids']) {
    it(`an id outside [0, V) in ${name}`, () => {
      expectPackError(bytesOf(topk, poke(topk, name, 3, V)), `tensor ${name}`);
      expectPackError(bytesOf(topk, poke(topk, name, 0, -1)), `tensor ${name}`);
    });
  }
  for (const name of ['teacher_logits', 'teacher_hidden', 'teacher_affinity', 'teacher_attention']) {
    it(`a non-finite F16 value in ${name}`, () => {
      expectPackError(bytesOf(dense, poke(dense, name, 1, 0x7c00)), `tensor ${name}`); // +Infinity
      expectPackError(bytesOf(dense, poke(dense, name, 2, 0xfe00)), `tensor ${name}`); // NaN
    });
  }
  it('a non-finite value in teacher_topk_logits, teacher_lse and a weight', () => {
    expectPackError(bytesOf(topk, poke(topk, 'teacher_topk_logits', 0, 0xfc00)), 'tensor teacher_topk_logits');
    expectPackError(bytesOf(topk, poke(topk, 'teacher_lse', 0, NaN)), 'tensor teacher_lse');
    expectPackError(bytesOf(topk, poke(topk, 'teacher.lm_head.weight', 5, Infinity)), 'tensor teacher.lm_head.weight');
  });
  it('top-K logits not sorted descending', () => {
    const t = topk.tensors.teacher_topk_logits;
    const data = (t.data as Uint16Array).slice();
    [data[0], data[1]] = [data[1], data[0]];
    expectPackError(bytesOf(topk, { teacher_topk_logits: { ...t, data } as SafeTensor }), 'tensor teacher_topk_logits');
  });
});

describe('pack fuzz', () => {
  const base = buildPackBytes(makeTinyPack({ kind: 'topk', n: 4 }));
  const baseGz = gzip(base);
  const headerLen = new DataView(base.buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(base.subarray(8, 8 + headerLen))) as Record<
    string,
    Record<string, unknown>
  >;
  const data = base.subarray(8 + headerLen);

  /** parsePack must return or throw a PackError; anything else (TypeError, RangeError, a hang) fails. */
  const parsesOrPackError = (bytes: Uint8Array): boolean => {
    try {
      parsePack(bytes, F);
    } catch (e) {
      if (!(e instanceof PackError)) throw e;
    }
    return true;
  };
  const flips = fc.array(fc.record({ at: fc.nat(), val: fc.integer({ min: 0, max: 255 }), inHeader: fc.boolean() }), {
    minLength: 1,
    maxLength: 8,
  });
  const applyFlips = (
    src: Uint8Array,
    fl: { at: number; val: number; inHeader: boolean }[],
    hdrEnd: number,
  ): Uint8Array => {
    const b = src.slice();
    for (const f of fl) b[f.inHeader ? f.at % hdrEnd : f.at % b.length] = f.val;
    return b;
  };

  it('random byte flips (plain and gzipped)', () => {
    fc.assert(
      fc.property(flips, (fl) => parsesOrPackError(applyFlips(base, fl, 8 + headerLen))),
      { numRuns: 400, seed: 1 },
    );
    fc.assert(
      fc.property(flips, (fl) => parsesOrPackError(applyFlips(baseGz, fl, 24))),
      { numRuns: 150, seed: 2 },
    );
  });

  it('truncations and extensions', () => {
    fc.assert(
      fc.property(fc.nat({ max: base.length }), fc.boolean(), (n, gz) =>
        parsesOrPackError((gz ? baseGz : base).slice(0, n)),
      ),
      { numRuns: 200, seed: 3 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (extra) => {
        const b = new Uint8Array(base.length + extra.length);
        b.set(base);
        b.set(extra, base.length);
        return parsesOrPackError(b);
      }),
      { numRuns: 50, seed: 4 },
    );
  });

  it('header edits', () => {
    const names = Object.keys(header);
    const weird = fc.oneof(
      fc.constantFrom(
        -1,
        0,
        1,
        2,
        3,
        1e9,
        2 ** 31,
        2 ** 53,
        1.5,
        NaN,
        null,
        'x',
        [],
        {},
        'I64',
        'F64',
        'BOOL',
        'U8',
        'F16',
        'F32',
        'I32',
      ),
      fc.integer({ min: -5, max: 5000 }),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const edit = fc.record({
      name: fc.constantFrom(...names),
      key: fc.constantFrom(
        'dtype',
        'shape',
        'data_offsets',
        'shape.0',
        'shape.1',
        'data_offsets.0',
        'data_offsets.1',
        'delete',
        'meta',
      ),
      metaKey: fc.constantFrom(...REQUIRED_METADATA, 'extra'),
      value: weird,
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const h = structuredClone(header);
        for (const e of edits) {
          const entry = h[e.name];
          if (!entry) continue;
          if (e.key === 'delete') delete h[e.name];
          else if (e.key === 'meta')
            h.__metadata__[e.metaKey] = typeof e.value === 'string' ? e.value : JSON.stringify(e.value);
          else if (e.key.includes('.')) {
            const [k, i] = e.key.split('.');
            if (Array.isArray(entry[k])) (entry[k] as unknown[])[Number(i)] = e.value;
          } else entry[e.key] = e.value;
        }
        const json = new TextEncoder().encode(JSON.stringify(h) ?? '');
        const b = new Uint8Array(8 + json.length + data.length);
        new DataView(b.buffer).setUint32(0, json.length, true);
        b.set(json, 8);
        b.set(data, 8 + json.length);
        return parsesOrPackError(b);
      }),
      { numRuns: 400, seed: 5 },
    );
  });
});
