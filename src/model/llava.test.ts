// Forward shapes of the encoder and the mini-LLaVA on cpu and wasm, the causal and padding masks, the
// sequence-layout helpers, and the param export/load round trip.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/base/rng';
import { answerMask, BOS_ID, buildTextIds, EOS_ID, PAD_ID, seqLayout } from './configs';
import { encodeImages, initEncoder, patchify } from './encoder';
import { initBackend } from './backend';
import { affinityMatrix, initLlava, llavaForward, llavaSpecs } from './llava';
import { disposeParams, exportParams, loadParams } from './params';
import { syntheticData, TINY_ENC, tinyModel } from './testing/tiny';

const m = tinyModel();
const data = syntheticData(TINY_ENC, m, { N: 6 });
const idx = [0, 1, 2, 3, 4, 5];

function textOf(ans: Int32Array) {
  const prompt = new Int32Array(idx.length * m.Lp);
  idx.forEach((n, b) => prompt.set(data.promptIds.subarray(n * m.Lp, (n + 1) * m.Lp), b * m.Lp));
  return buildTextIds(prompt, ans, idx.length, m.Lp, m.A);
}

describe('sequence layout', () => {
  it('places <bos> at P+Lp and drops the last answer slot', () => {
    const L = seqLayout(m);
    expect(L).toMatchObject({ L: m.P + m.Lp + m.A, T: m.Lp + m.A, ansStart: m.P + m.Lp });
    const t = buildTextIds(new Int32Array([5, 6, 0]), new Int32Array([7, 8, 2, 0]), 1, 3, 4);
    expect(Array.from(t)).toEqual([5, 6, 0, BOS_ID, 7, 8, 2]);
  });
  it('masks answer slots after the first <eos>', () => {
    expect(Array.from(answerMask(new Int32Array([7, EOS_ID, PAD_ID, PAD_ID, 5, 6, 7, 8]), 2, 4))).toEqual([
      1, 1, 0, 0, 1, 1, 1, 1,
    ]);
  });
  it('patchifies row-major with pixels / 255', () => {
    const e = { ...TINY_ENC };
    const img = new Uint8Array(64).map((_, i) => i);
    const p = patchify(e, img, [0]);
    expect(p.length).toBe(64);
    expect(p[0]).toBeCloseTo(0);
    expect(p[4] * 255).toBeCloseTo(8); // second row of patch 0
    expect(p[16] * 255).toBeCloseTo(4); // patch 1 starts at column 4
  });
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`forward on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });

    it('returns every output with its shape and frees its intermediates', () => {
      const enc = initEncoder(TINY_ENC, new Rng(1));
      const p = initLlava(m, new Rng(2));
      const before = tf.memory().numTensors;
      const feats = encodeImages(TINY_ENC, enc, data.images, idx);
      expect(feats.shape).toEqual([6, m.P, m.dV]);
      const text = tf.tensor2d(textOf(data.answerIds.slice(0, 6 * m.A)), [6, m.Lp + m.A], 'int32');
      const out = llavaForward(m, p, feats, text, { allPositions: true });
      const L = m.P + m.Lp + m.A;
      expect(out.logits.shape).toEqual([6, m.A, m.vocabSize]);
      expect(out.hidden.shape).toEqual([6, L, m.d]);
      expect(out.hiddenAns.shape).toEqual([6, m.A, m.d]);
      expect(out.hiddenImg.shape).toEqual([6, m.P, m.d]);
      expect(out.attnAnsImg.shape).toEqual([6, m.A, m.P]);
      expect(out.logitsAll!.shape).toEqual([6, L, m.vocabSize]);
      const S = affinityMatrix(out.hiddenImg, out.hiddenAns);
      expect(S.shape).toEqual([6, m.P, m.A]);
      // logits are the answer-position slice of logitsAll
      const d = tf.tidy(() =>
        tf.max(tf.abs(tf.sub(out.logits, tf.slice(out.logitsAll!, [0, m.P + m.Lp, 0], [6, m.A, m.vocabSize])))),
      );
      expect(d.dataSync()[0]).toBeLessThan(1e-5);
      tf.dispose([feats, text, S, d, ...Object.values(out)]);
      expect(tf.memory().numTensors).toBe(before);
      disposeParams(enc);
      disposeParams(p);
    });

    it('is causal: changing a later token leaves earlier logits unchanged', () => {
      const enc = initEncoder(TINY_ENC, new Rng(1));
      const p = initLlava(m, new Rng(3));
      const ans = data.answerIds.slice(0, 6 * m.A);
      const ans2 = ans.slice();
      for (let b = 0; b < 6; b++) ans2[b * m.A + 2] = 11; // answer slot 2 → input position P+Lp+3
      const run = (a: Int32Array) =>
        tf.tidy(() => {
          const feats = encodeImages(TINY_ENC, enc, data.images, idx);
          return llavaForward(m, p, feats, tf.tensor2d(textOf(a), [6, m.Lp + m.A], 'int32')).logits.arraySync();
        });
      const a = run(ans);
      const b = run(ans2);
      for (let r = 0; r < 6; r++) {
        for (let t = 0; t <= 2; t++)
          for (let v = 0; v < m.vocabSize; v++) expect(b[r][t][v]).toBeCloseTo(a[r][t][v], 5);
        const diff = b[r][3].reduce((s, v, i) => s + Math.abs(v - a[r][3][i]), 0);
        expect(diff).toBeGreaterThan(1e-6);
      }
      disposeParams(enc);
      disposeParams(p);
    });

    it('masks <pad> prompt keys: a padded slot`s embedding does not matter', () => {
      const enc = initEncoder(TINY_ENC, new Rng(1));
      const p = initLlava(m, new Rng(4));
      const run = () =>
        tf.tidy(() => {
          const feats = encodeImages(TINY_ENC, enc, data.images, [0]);
          const text = tf.tensor2d(
            buildTextIds(new Int32Array([5, PAD_ID, PAD_ID]), new Int32Array([6, 7, EOS_ID, 0]), 1, 3, 4),
            [1, 7],
            'int32',
          );
          return llavaForward(m, p, feats, text).logits.arraySync();
        });
      const a = run();
      const padRow = tf.tidy(() =>
        tf.mul(
          tf.transpose(tf.cast(tf.oneHot(tf.tensor1d([PAD_ID], 'int32'), m.vocabSize), 'float32')),
          tf.ones([1, m.d]),
        ),
      );
      p['lm.embed'].assign(tf.tidy(() => tf.add(p['lm.embed'], tf.mul(padRow, 5))));
      padRow.dispose();
      const b = run();
      for (let t = 0; t < m.A; t++) for (let v = 0; v < m.vocabSize; v++) expect(b[0][t][v]).toBeCloseTo(a[0][t][v], 4);
      disposeParams(enc);
      disposeParams(p);
    });
  });
}

describe('params', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });
  it('exports and loads under a prefix with shape checks', async () => {
    const p = initLlava(m, new Rng(5));
    const host = await exportParams(p, 'teacher.');
    expect(Object.keys(host)).toContain('teacher.lm.blocks.0.attn.wq');
    const q = loadParams(host, 'teacher.', llavaSpecs(m));
    expect(Array.from(q['lm.head.w'].dataSync())).toEqual(Array.from(p['lm.head.w'].dataSync()));
    const bad = { ...host, 'teacher.lm.head.w': { shape: [1, 2], data: new Float32Array(2) } };
    expect(() => loadParams(bad, 'teacher.', llavaSpecs(m))).toThrow(/teacher\.lm\.head\.w.*shape/);
    disposeParams(p);
    disposeParams(q);
  });
  it('same seed gives the same init', () => {
    const a = initLlava(m, new Rng(9));
    const b = initLlava(m, new Rng(9));
    expect(Array.from(a['lm.embed'].dataSync())).toEqual(Array.from(b['lm.embed'].dataSync()));
    disposeParams(a);
    disposeParams(b);
  });
});
