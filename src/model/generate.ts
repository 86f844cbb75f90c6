// Answer generation without a KV cache: A full forwards, filling answer slot t from the logits at position P+Lp+t;
// greedy or seeded sampling (Gumbel-max with noise drawn from Rng, so every backend samples the same tokens).
import * as tf from '@tensorflow/tfjs-core';
import { FieldError } from '../core/base/errors';
import { Rng } from '../core/base/rng';
import { BOS_ID, EOS_ID, type ModelConfig, PAD_ID } from './configs';
import { NEG_INF } from './layers';
import { llavaForward, makeTextIds } from './llava';
import type { Params } from './params';

export interface GenerateOptions {
  temperature: number; // 0 = greedy (argmax); > 0 samples softmax(z / temperature)
  rng?: Rng; // required when temperature > 0: Gumbel noise is drawn from it (B·V numbers per slot)
}

/** Standard Gumbel noise −log(−log u), u ∈ (0, 1), drawn from rng. */
function gumbel(rng: Rng, n: number): Float32Array {
  const g = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let u = rng.next();
    while (u <= 0) u = rng.next();
    g[i] = -Math.log(-Math.log(u));
  }
  return g;
}

/**
 * Generate answers on the device (no reads). feats [B, P, dV], prompt int32 [B, Lp] → answer ids int32 [B, A]:
 * tokens until and incl. the first <eos>, then <pad>. <pad> and <bos> are never produced (masked logits).
 * The returned tensor is owned by the caller.
 */
export function generateIds(
  c: ModelConfig,
  p: Params,
  feats: tf.Tensor3D,
  prompt: tf.Tensor2D,
  opts: GenerateOptions,
): tf.Tensor2D {
  const { A, vocabSize: V } = c;
  const B = feats.shape[0];
  if (opts.temperature > 0 && !opts.rng)
    throw new FieldError({
      field: 'opts.rng',
      expected: 'a seeded Rng when temperature > 0 (sampling)',
      got: opts.rng,
    });
  return tf.tidy(() => {
    const banned = new Float32Array(V);
    banned[PAD_ID] = NEG_INF;
    banned[BOS_ID] = NEG_INF;
    const bannedT = tf.tensor1d(banned);
    const cols: tf.Tensor2D[] = [];
    let done: tf.Tensor = tf.zeros([B, 1], 'bool');
    for (let t = 0; t < A; t++) {
      const noise = opts.temperature > 0 ? gumbel(opts.rng!, B * V) : null;
      const [next, nextDone] = tf.tidy(() => {
        const answer = tf.concat([...cols, tf.fill([B, A - t], PAD_ID, 'int32')], 1) as tf.Tensor2D;
        const out = llavaForward(c, p, feats, makeTextIds(prompt, answer, BOS_ID));
        let z: tf.Tensor = tf.add(tf.reshape(tf.slice(out.logits, [0, t, 0], [B, 1, V]), [B, V]), bannedT);
        if (noise) z = tf.add(tf.div(z, opts.temperature), tf.tensor2d(noise, [B, V]));
        const tok = tf.reshape(tf.cast(tf.argMax(z, -1), 'int32'), [B, 1]);
        const nx = tf.where(done, tf.fill([B, 1], PAD_ID, 'int32'), tok) as tf.Tensor2D;
        return [nx, tf.logicalOr(done, tf.equal(nx, EOS_ID))];
      });
      done = nextDone;
      cols.push(next as tf.Tensor2D);
    }
    return tf.concat(cols, 1) as tf.Tensor2D;
  });
}
