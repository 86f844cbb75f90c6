// Stage 0 of a pack build: pretrain the vision encoder on per-patch labels (colour, kind, size, digit of each
// cell) with linear heads, so the teacher's LM starts from features that already name objects (CLIP's role).
import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed, Rng } from '../core/base/rng';
import { Adam, adamStep } from './adam';
import { type EncoderConfig, encoderGeometry } from './configs';
import { encodeAll, encodeImages } from './encoder';
import { linear, linearSpecs } from './layers';
import { cePerRow } from './losses';
import { disposeParams, initParams, type Params } from './params';

export interface PretrainOptions {
  steps: number; // optimisation steps, ≥ 1
  batch: number; // images per step
  lr: number; // Adam learning rate
  seed: number;
  onStep?: (step: number, loss: number) => void; // called every 25 steps with the loss (one host read)
}

/**
 * Train `params` (the encoder, in place) + throwaway linear heads: loss = Σ_heads mean CE over B·P patches.
 * images U8 [N, H, W, C]; labels I32 [N, P, heads]; classes per head. Returns the last loss.
 */
export async function pretrainEncoder(
  cfg: EncoderConfig,
  params: Params,
  images: Uint8Array,
  labels: Int32Array,
  classes: number[],
  o: PretrainOptions,
): Promise<number> {
  const { P } = encoderGeometry(cfg);
  const Hn = classes.length;
  const N = labels.length / (P * Hn);
  let specs = {};
  classes.forEach((c, h) => (specs = { ...specs, ...linearSpecs(`head${h}`, cfg.dV, c) }));
  const heads = initParams(specs, new Rng(deriveSeed(o.seed, 'pretrain-heads')));
  const vars: Params = { ...params, ...heads };
  const adam = new Adam(o.lr, 0.9, 0.999, 1e-7);
  const rng = new Rng(deriveSeed(o.seed, 'pretrain-order'));
  let order: number[] = [];
  let last = NaN;
  for (let s = 0; s < o.steps; s++) {
    if (order.length < o.batch) order = order.concat(rng.shuffle([...Array(N).keys()]));
    const idx = order.splice(0, o.batch);
    const lab = new Int32Array(idx.length * P * Hn);
    idx.forEach((n, b) => lab.set(labels.subarray(n * P * Hn, (n + 1) * P * Hn), b * P * Hn));
    const loss = tf.tidy(() => {
      const labT = tf.tensor2d(lab, [idx.length * P, Hn], 'int32');
      return adamStep(adam, vars, () => {
        const f = tf.reshape(encodeImages(cfg, params, images, idx), [idx.length * P, cfg.dV]);
        const terms = classes.map((_, h) => {
          const z = linear(f, heads[`head${h}.w`], heads[`head${h}.b`]) as tf.Tensor2D;
          const t = tf.reshape(tf.slice(labT, [0, h], [-1, 1]), [-1]) as tf.Tensor1D;
          return tf.mean(cePerRow(z, t));
        });
        return tf.addN(terms) as tf.Scalar;
      });
    });
    if (s % 25 === 0 || s === o.steps - 1) {
      last = (await loss.data())[0];
      o.onStep?.(s, last);
    }
    loss.dispose();
  }
  adam.dispose();
  disposeParams(heads);
  return last;
}

/**
 * Scales the encoder's final LN (g and b) so its patch features have mean L2 norm `target` over `images`; returns the
 * factor. Stage 0 leaves them at norm ≈ 10 (rms 1.3 per channel), which swamps the LM's learned positions after the
 * projector, and the teacher then misses the questions that name a cell (research/teacher-sweep/README.md). Baked into
 * the weights, so the pack, the lab and the student all see the same encoder function.
 */
export async function rescaleEncoderOutput(
  e: EncoderConfig,
  p: Params,
  images: Uint8Array,
  target: number,
): Promise<number> {
  if (!(target > 0)) throw new Error(`rescaleEncoderOutput: target norm must be > 0, got ${target}`);
  const f = encodeAll(e, p, images); // [N, P, dV]
  const m = tf.tidy(() => tf.mean(tf.norm(f, 'euclidean', -1)));
  f.dispose();
  const mean = (await m.data())[0]; // one read, as every host read here (DESIGN §5)
  m.dispose();
  const s = target / mean;
  for (const k of ['encoder.lnf.g', 'encoder.lnf.b']) tf.tidy(() => p[k].assign(tf.mul(p[k], s)));
  return s;
}
