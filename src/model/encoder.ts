// The vision encoder (a small ViT): patchify on the host, linear patch embed, learned positions, pre-LN blocks,
// final LN → [B, P, dV]. Trained with the teacher, then frozen and shared by teacher and student (DESIGN §2).
import * as tf from '@tensorflow/tfjs-core';
import { FieldError } from '../core/base/errors';
import { Rng } from '../core/base/rng';
import { type EncoderConfig, encoderGeometry, validateEncoderConfig } from './configs';
import { block, blockSpecs, layerNorm, linear, linearSpecs, lnSpecs } from './layers';
import { type BackendName, withBackend } from './backend';
import { disposeParams, type HostParams, initParams, loadParams, type Params, type ParamSpecs } from './params';

/** Parameter specs, all under `encoder.`: patch.{w,b}, pos [P,dV], blocks.i.*, lnf.{g,b}. */
export function encoderSpecs(e: EncoderConfig): ParamSpecs {
  validateEncoderConfig(e);
  const { P, patchDim } = encoderGeometry(e);
  let specs: ParamSpecs = {
    ...linearSpecs('encoder.patch', patchDim, e.dV),
    'encoder.pos': { shape: [P, e.dV], init: 'normal', std: 0.02 },
  };
  for (let i = 0; i < e.layers; i++) specs = { ...specs, ...blockSpecs(`encoder.blocks.${i}`, e.dV, 4, e.layers) };
  return { ...specs, ...lnSpecs('encoder.lnf', e.dV) };
}

export function initEncoder(e: EncoderConfig, rng: Rng): Params {
  return initParams(encoderSpecs(e), rng);
}

/**
 * Host-side patchify of the images at `indices`: pixels /255 into [B, P, patch²·C], patches in row-major grid
 * order, each patch flattened as (dy, dx, c). images: U8 [N, H, W, C].
 */
export function patchify(e: EncoderConfig, images: Uint8Array, indices: ArrayLike<number>): Float32Array {
  const { P, patchDim } = encoderGeometry(e);
  const { height: H, width: W, channels: C, patch: p } = e;
  const gw = W / p;
  const B = indices.length;
  const out = new Float32Array(B * P * patchDim);
  const imgSize = H * W * C;
  for (let b = 0; b < B; b++) {
    const n = indices[b];
    if (!(n >= 0 && (n + 1) * imgSize <= images.length)) {
      throw new FieldError({ field: 'images', expected: `an index in [0, ${images.length / imgSize})`, got: n });
    }
    const base = n * imgSize;
    for (let pi = 0; pi < P; pi++) {
      const py = Math.floor(pi / gw);
      const px = pi % gw;
      let o = (b * P + pi) * patchDim;
      for (let dy = 0; dy < p; dy++) {
        const row = base + ((py * p + dy) * W + px * p) * C;
        for (let j = 0; j < p * C; j++) out[o++] = images[row + j] / 255;
      }
    }
  }
  return out;
}

/** Encoder forward: patches [B, P, patch²·C] → features [B, P, dV] (after the final LN). */
export function encoderForward(e: EncoderConfig, p: Params, patches: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, P] = patches.shape;
    const x0 = tf.add(linear(patches, p['encoder.patch.w'], p['encoder.patch.b']), p['encoder.pos']); // [B, P, dV]
    let x = tf.reshape(x0, [B * P, e.dV]); // flat residual stream
    for (let i = 0; i < e.layers; i++) x = block(x, p, `encoder.blocks.${i}`, e.heads, null, B, P).x;
    return tf.reshape(layerNorm(x, p['encoder.lnf.g'], p['encoder.lnf.b']), [B, P, e.dV]) as tf.Tensor3D;
  });
}

/** Encode the images at `indices` (host patchify + forward) → [B, P, dV]. */
export function encodeImages(e: EncoderConfig, p: Params, images: Uint8Array, indices: ArrayLike<number>): tf.Tensor3D {
  const { P, patchDim } = encoderGeometry(e);
  return tf.tidy(() => encoderForward(e, p, tf.tensor3d(patchify(e, images, indices), [indices.length, P, patchDim])));
}

/** Encode all N images in chunks → a device tensor [N, P, dV] (the frozen-encoder feature cache). */
export function encodeAll(e: EncoderConfig, p: Params, images: Uint8Array, chunk = 64): tf.Tensor3D {
  const N = images.length / (e.height * e.width * e.channels);
  const parts: tf.Tensor3D[] = [];
  for (let s = 0; s < N; s += chunk) {
    const idx = Array.from({ length: Math.min(chunk, N - s) }, (_, i) => s + i);
    parts.push(encodeImages(e, p, images, idx));
  }
  if (parts.length === 1) return parts[0];
  const all = tf.concat(parts, 0) as tf.Tensor3D;
  parts.forEach((t) => t.dispose());
  return all;
}

/**
 * The frozen-encoder feature cache [N, P, dV] computed on another backend (the first of `on` that initialises) from
 * host weights (`encoder.*` names), then uploaded to the active one. On a software WebGPU adapter encodeAll's ~3,000
 * dispatches took 210 s for 4,500 images here (SwiftShader) against 2.6 s on wasm; the result is the same function.
 */
export async function encodeAllVia(
  on: BackendName[],
  e: EncoderConfig,
  weights: HostParams,
  images: Uint8Array,
): Promise<tf.Tensor3D> {
  const { P } = encoderGeometry(e);
  const N = images.length / (e.height * e.width * e.channels);
  const data = await withBackend(on, async () => {
    const p = loadParams(weights, '', encoderSpecs(e), 'encoder.*');
    try {
      const f = encodeAll(e, p, images);
      const d = await f.data();
      f.dispose();
      return d as Float32Array;
    } finally {
      disposeParams(p);
    }
  });
  return tf.tensor3d(data, [N, P, e.dV]);
}
