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
 * before), written in place on the backend (no host read). ensure() encodes the rows asked for that are missing, in one encoder call, and with `fillAhead` also the
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

  constructor(
    private readonly e: EncoderConfig,
    private readonly params: Params,
    private readonly images: Uint8Array,
  ) {
    const { P } = encoderGeometry(e);
    this.N = images.length / (e.height * e.width * e.channels);
    this.tensor = tf.tidy(() => tf.variable(tf.zeros([this.N, P, e.dV]), false)) as tf.Variable<tf.Rank.R3>; // zeros: freed
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
   * Encode each group of samples (one encoder call each) and scatter the rows still missing into the variable, on the
   * backend: no host read, and the variable's one new value per call.
   */
  private write(groups: number[][]): void {
    if (!groups.length) return;
    const at: number[] = []; // rows of the cache written now
    const parts: tf.Tensor[] = []; // their features, in that order
    tf.tidy(() => {
      for (const g of groups) {
        const fresh = g.map((n, j) => [n, j]).filter(([n]) => !this.done[n]);
        if (!fresh.length) continue;
        const f = encodeImages(this.e, this.params, this.images, g); // [g, P, dV]
        parts.push(
          tf.keep(
            fresh.length === g.length
              ? f
              : tf.gather(
                  f,
                  fresh.map(([, j]) => j),
                ),
          ),
        );
        for (const [n] of fresh) {
          this.done[n] = 1;
          at.push(n);
        }
      }
    });
    if (!at.length) return;
    this.left -= at.length;
    tf.tidy(() => {
      const rows = parts.length === 1 ? parts[0] : tf.concat(parts); // [k, P, dV]
      this.tensor.assign(
        tf.tensorScatterUpdate(this.tensor, tf.tensor2d(at, [at.length, 1], 'int32'), rows) as tf.Tensor3D,
      );
    });
    tf.dispose(parts);
  }
}
