// The on-demand feature cache: chunks ensured hold exactly encodeAll's values (zeros elsewhere until ensured) and
// nothing leaks. (A student run on it against one on the eager cache: src/worker/session.test.ts.)
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/base/rng';
import { initBackend } from './backend';
import { encodeAll, initEncoder } from './encoder';
import { FEATURE_CHUNK, LazyFeatures } from './featureCache';
import { disposeParams } from './params';
import { TINY_ENC } from './testing/tiny';

const N = 150; // three chunks: 64, 64, 22

beforeAll(async () => {
  await initBackend('cpu');
});
afterAll(() => {
  tf.disposeVariables();
});

describe('LazyFeatures', () => {
  it("encodes the rows asked for with encodeAll's values, fills ahead a chunk per call, and the rest when asked; nothing leaks", () => {
    const e = TINY_ENC;
    const rng = new Rng(3);
    const p = initEncoder(e, rng.fork());
    const images = new Uint8Array(N * e.height * e.width * e.channels).map(() => rng.int(256));
    const all = encodeAll(e, p, images);
    const want = all.dataSync() as Float32Array;
    const row = want.length / N;
    const rowsOf = (f: Float32Array, n: number) => Array.from(f.subarray(n * row, (n + 1) * row));
    const zero = (f: Float32Array, n: number) => rowsOf(f, n).every((x) => x === 0);
    const before = tf.memory().numTensors;
    const lazy = new LazyFeatures(e, p, images);
    lazy.ensure([FEATURE_CHUNK + 6, 3, FEATURE_CHUNK + 6]);
    let got = lazy.tensor.dataSync() as Float32Array;
    for (const n of [3, FEATURE_CHUNK + 6]) expect(rowsOf(got, n)).toEqual(rowsOf(want, n));
    expect([0, 4, FEATURE_CHUNK + 5, N - 1].every((n) => zero(got, n))).toBe(true); // not asked for: not encoded
    lazy.ensure([N - 1], true); // and chunk 0, ahead
    got = lazy.tensor.dataSync() as Float32Array;
    for (let n = 0; n < FEATURE_CHUNK; n++) expect(rowsOf(got, n)).toEqual(rowsOf(want, n));
    expect(rowsOf(got, N - 1)).toEqual(rowsOf(want, N - 1));
    expect(zero(got, FEATURE_CHUNK + 5)).toBe(true);
    expect(lazy.complete).toBe(false);
    lazy.ensureAll();
    expect(lazy.complete).toBe(true);
    expect(Array.from(lazy.tensor.dataSync())).toEqual(Array.from(want));
    expect(tf.memory().numTensors).toBe(before + 1); // the variable alone
    lazy.dispose();
    all.dispose();
    disposeParams(p);
  });
});
