// The frozen-encoder feature cache filled on demand: a [N, P, dV] variable whose rows are encoded the first time a
// batch, an evaluation or a view reads them (the lab's cold open encodes what it uses, not all N images).
import * as tf from '@tensorflow/tfjs-core';
import { type EncoderConfig, encoderGeometry } from './configs';
import { encodeImages } from './encoder';
import type { Params } from './params';

/** encodeAll's chunk: the fill-ahead encodes these very chunks. */
export const FEATURE_CHUNK = 64;

/**
 * Features of N images, encoded when first needed; `tensor` is one variable whose rows are final once ensured (zeros
 * before). For backends where the host holds the data (wasm, cpu): each write uploads the whole cache from the host. ensure() encodes the rows asked for that are missing, in one encoder call, and with `fillAhead` also the
 * missing rows of the next of encodeAll's chunks (a cursor that moves one chunk per such call, so the cache is full
 * after N/64 of them and what is encoded when depends only on the calls made). The encoder is row-independent on
 * cpu and wasm, so the values equal encodeAll's there (src/model/featureCache.test.ts).
 */
export class LazyFeatures {
  readonly tensor: tf.Variable<tf.Rank.R3>;
  readonly N: number;
  private readonly done: Uint8Array; // [N] 1 once encoded
  private left: number;
  private fillCursor = 0; // the next chunk the fill-ahead encodes
  private host: Float32Array | null; // the values on the host until every row is in

  constructor(
    private readonly e: EncoderConfig,
    private readonly params: Params,
    private readonly images: Uint8Array,
  ) {
    const { P } = encoderGeometry(e);
    this.N = images.length / (e.height * e.width * e.channels);
    this.tensor = tf.tidy(() => tf.variable(tf.zeros([this.N, P, e.dV]), false)) as tf.Variable<tf.Rank.R3>; // zeros: freed
    this.host = new Float32Array(this.N * P * e.dV);
    this.done = new Uint8Array(this.N);
    this.left = this.N;
  }

  /** Whether every row is encoded. */
  get complete(): boolean {
    return this.left === 0;
  }

  /** Whether every one of these rows is encoded. */
  has(indices: ArrayLike<number>): boolean {
    for (let i = 0; i < indices.length; i++) if (!this.done[indices[i]]) return false;
    return true;
  }

  /** Encode the missing rows among `indices` (and, with fillAhead, the next chunk's); one upload of the variable. */
  ensure(indices: ArrayLike<number>, fillAhead = false): void {
    if (this.left === 0) return;
    const rows = new Set<number>();
    for (let i = 0; i < indices.length; i++) {
      const n = indices[i];
      if (n >= 0 && n < this.N && !this.done[n]) rows.add(n);
    }
    const groups: number[][] = rows.size ? [[...rows].sort((a, b) => a - b)] : [];
    if (fillAhead && this.fillCursor * FEATURE_CHUNK < this.N) {
      const s = this.fillCursor++ * FEATURE_CHUNK;
      const chunk = Array.from({ length: Math.min(FEATURE_CHUNK, this.N - s) }, (_, i) => s + i);
      if (chunk.some((n) => !this.done[n] && !rows.has(n))) groups.push(chunk);
    }
    this.write(groups);
  }

  /** Encode every missing row, chunk by chunk as encodeAll does. */
  ensureAll(): void {
    const groups: number[][] = [];
    for (let s = 0; s < this.N; s += FEATURE_CHUNK) {
      const chunk = Array.from({ length: Math.min(FEATURE_CHUNK, this.N - s) }, (_, i) => s + i);
      if (chunk.some((n) => !this.done[n])) groups.push(chunk);
    }
    this.write(groups);
  }

  dispose(): void {
    this.tensor.dispose();
  }

  /**
   * Encode each group of samples (one encoder call each), copy the rows still missing into the host copy and upload
   * it as the variable's new value: a 10 MB copy for the shapes pack, where wasm's slice or gather of the variable
   * took 200–400 ms here (Node wasm). The host copy goes once every row is in.
   */
  private write(groups: number[][]): void {
    const host = this.host;
    if (!groups.length || !host) return;
    const width = host.length / this.N; // P·dV
    let fresh = 0;
    for (const g of groups) {
      if (g.every((n) => this.done[n])) continue;
      const f = encodeImages(this.e, this.params, this.images, g);
      const rows = f.dataSync();
      f.dispose();
      g.forEach((n, j) => {
        if (this.done[n]) return;
        host.set(rows.subarray(j * width, (j + 1) * width), n * width);
        this.done[n] = 1;
        fresh++;
      });
    }
    if (!fresh) return;
    this.left -= fresh;
    const next = tf.tensor3d(host, this.tensor.shape as [number, number, number]);
    this.tensor.assign(next);
    next.dispose();
    if (this.left === 0) this.host = null;
  }
}
