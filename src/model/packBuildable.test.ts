// Tests of checkPackBuildable, the builder check pack:inspect and the lab's loader share: real-format packs pass with the
// configs the lab builds; each thing the builder needs is refused by file, field and expectation when it is wrong.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PackError } from '../core/base/errors';
import { buildPackBytes, type PackInput, parsePack } from '../core/pack/pack';
import { Rng } from '../core/base/rng';
import type { SafeTensor } from '../core/pack/safetensors';
import { makeTinyFeaturesPack, makeTinyPack, TINY_DIMS } from '../core/testing/packFixture';
import { initBackend } from './backend';
import type { EncoderConfig, ModelConfig } from './configs';
import { initEncoder } from './encoder';
import { encoderConfigOf } from './fromPack';
import { initLlava } from './llava';
import { checkPackBuildable } from './packBuildable';
import { disposeParams, exportParams } from './params';

const ENC: EncoderConfig = { height: 8, width: 8, channels: 3, patch: 4, dV: 8, layers: 1, heads: 2 };
const TEACHER: ModelConfig = {
  vocabSize: TINY_DIMS.V,
  d: TINY_DIMS.dh,
  layers: 1,
  heads: 2,
  mlpRatio: 2,
  P: 4,
  Lp: TINY_DIMS.Lp,
  A: TINY_DIMS.A,
  dV: 8,
};

/** The tiny pack with real-format weights of `enc` and (unless null) `teacher`, metadata to match. */
async function packWith(
  enc: EncoderConfig,
  teacher: ModelConfig | null,
  edit: (p: PackInput) => void = () => {},
): Promise<Uint8Array> {
  const input = makeTinyPack();
  for (const k of Object.keys(input.tensors))
    if (k.startsWith('encoder.') || k.startsWith('teacher.')) delete input.tensors[k];
  const e = initEncoder(enc, new Rng(1));
  const t = teacher ? initLlava(teacher, new Rng(2)) : {};
  for (const [k, w] of Object.entries({ ...(await exportParams(e)), ...(await exportParams(t, 'teacher.')) }))
    input.tensors[k] = { dtype: 'F32', shape: w.shape, data: w.data };
  disposeParams(e);
  disposeParams(t);
  input.meta = {
    ...input.meta,
    encoder: { ...enc },
    teacher: { ...input.meta.teacher, config: teacher ? { ...teacher } : { d: 8 } },
  };
  edit(input);
  return buildPackBytes(input, { validate: false });
}

/** The PackError checkPackBuildable throws on these bytes (parsed as `f.safetensors`). */
function refusal(bytes: Uint8Array): PackError {
  const pack = parsePack(bytes, 'f.safetensors');
  try {
    checkPackBuildable(pack, 'f.safetensors');
  } catch (e) {
    expect(e).toBeInstanceOf(PackError);
    expect((e as PackError).file).toBe('f.safetensors');
    return e as PackError;
  }
  throw new Error('expected a refusal');
}

beforeAll(async () => {
  await initBackend('cpu');
});
afterAll(() => tf.disposeVariables());

describe('checkPackBuildable', () => {
  it('passes a pack with encoder and teacher weights, returning the configs the lab builds', async () => {
    const pack = parsePack(await packWith(ENC, TEACHER), 'ok');
    const b = checkPackBuildable(pack, 'ok');
    expect(b.encoder).toEqual(ENC);
    expect(b.teacher).toEqual(TEACHER);
    expect(b.student).toMatchObject({ vocabSize: TINY_DIMS.V, P: 4, Lp: TINY_DIMS.Lp, A: TINY_DIMS.A, dV: 8 });
    expect(encoderConfigOf(pack, 'ok')).toBe(b.encoder);
  });

  it('passes without teacher weights (the config is informational) and a features pack (no encoder)', async () => {
    expect(checkPackBuildable(parsePack(await packWith(ENC, null), 'a'), 'a').teacher).toBeNull();
    const f = checkPackBuildable(parsePack(buildPackBytes(makeTinyFeaturesPack()), 'f'), 'f');
    expect(f.teacher).toBeNull();
    expect(f.encoder.layers).toBe(0);
  });

  it('refuses an encoder config the builder cannot read, or one that disagrees with the images or P', async () => {
    const { dV: _dV, ...noDV } = ENC;
    const e1 = refusal(await packWith(ENC, null, (p) => (p.meta.encoder = noDV)));
    expect([e1.field, e1.detail.split('. HINT')[0]]).toEqual(['metadata.encoder.dV', 'an integer ≥ 1 (got undefined)']);
    expect(e1.message).toContain(
      '{height, width, channels, patch, dV, layers, heads} (got keys height, width, channels, patch, layers, heads)',
    );
    expect(refusal(await packWith(ENC, null, (p) => (p.meta.encoder = { ...ENC, heads: 3 }))).field).toBe(
      'metadata.encoder.dV',
    );
    const e2 = refusal(await packWith(ENC, null, (p) => (p.meta.encoder = { ...ENC, channels: 1 })));
    expect(e2.message).toBe(
      "f.safetensors: metadata.encoder.channels: 3 = metadata.image.channels (the encoder reads the pack's images; got 1)",
    );
    const e3 = refusal(await packWith({ ...ENC, patch: 2 }, null));
    expect(e3.field).toBe('metadata.encoder.patch');
    expect(e3.detail).toContain("the pack's P = 4 patches");
  });

  it('refuses teacher weights without a full config that fits the pack, and a teacher_hidden of another width', async () => {
    const e1 = refusal(
      await packWith(
        ENC,
        TEACHER,
        (p) => (p.meta.teacher = { ...p.meta.teacher, config: { d: 8, layers: 1, heads: 2 } }),
      ),
    );
    expect(e1.field).toBe('metadata.teacher.config.vocabSize');
    expect(e1.hint).toContain('full model config');
    const e2 = refusal(await packWith(ENC, { ...TEACHER, Lp: TEACHER.Lp + 1 }));
    expect(e2.message).toBe(
      `f.safetensors: metadata.teacher.config.Lp: ${TEACHER.Lp}, the width of prompt_ids (got ${TEACHER.Lp + 1})`,
    );
    const e3 = refusal(await packWith(ENC, { ...TEACHER, d: 2 * TINY_DIMS.dh }));
    expect(e3.message).toBe(
      `f.safetensors: tensor teacher_hidden: width d_h = metadata.teacher.config.d = ${2 * TINY_DIMS.dh} (the teacher's hidden states; got ${TINY_DIMS.dh})`,
    );
  });

  it('refuses weights by name and shape from the specs', async () => {
    const drop = (name: string) => (p: PackInput) => delete p.tensors[name];
    expect(refusal(await packWith(ENC, TEACHER, drop('teacher.lm.blocks.0.attn.wq'))).field).toBe(
      'tensor teacher.lm.blocks.0.attn.wq',
    );
    const big: SafeTensor = { dtype: 'F32', shape: [4, 9], data: new Float32Array(36) };
    const e = refusal(await packWith(ENC, null, (p) => (p.tensors['encoder.pos'] = big)));
    expect(e.detail).toBe(
      'shape [4, 8] for metadata.encoder (got [4, 9]). HINT: docs/pack-format.md lists the encoder and teacher configs and their weights',
    );
    expect(refusal(await packWith(ENC, TEACHER, (p) => (p.tensors['teacher.lm.extra'] = big))).detail).toMatch(
      /^absent: metadata\.teacher\.config has no such weight/,
    );
  });

  it('refuses kd_ids that differ from answer_ids on a labeled sample, and a pack without a train-labeled sample', async () => {
    const e1 = refusal(
      await packWith(ENC, null, (p) => {
        const kd = Int32Array.from(p.tensors.kd_ids.data as Int32Array);
        kd[0] = kd[0] === 8 ? 9 : 8; // sample 0 is train-labeled
        p.tensors.kd_ids = { ...p.tensors.kd_ids, data: kd } as SafeTensor;
      }),
    );
    expect(e1.message).toBe(
      'f.safetensors: tensor kd_ids: kd_ids = answer_ids on a labeled sample (DESIGN §4) at kd_ids[0]',
    );
    const e2 = refusal(
      await packWith(ENC, null, (p) => {
        p.tensors.split = { ...p.tensors.split, data: new Uint8Array(p.tensors.split.shape[0]).fill(2) } as SafeTensor;
      }),
    );
    expect(e2.field).toBe('tensor split');
  });
});
