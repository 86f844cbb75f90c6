// npm run hostile:packs — writes the hostile corpus's pack files that e2e/hostile.spec.ts loads (issue 31): packs a
// validator must refuse by name before they can kill a step. Deterministic (seeded); re-run after a format change.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { gzip } from '../src/core/gzip';
import { buildPackBytes, type PackMeta } from '../src/core/pack';
import { Rng } from '../src/core/rng';
import { f32ToF16Bits } from '../src/core/safetensors';
import { makeTinyPack, TINY_DIMS } from '../src/core/testing/packFixture';
import type { EncoderConfig, ModelConfig } from '../src/model/configs';
import { initEncoder } from '../src/model/encoder';
import { initLlava } from '../src/model/llava';
import { disposeParams, exportParams } from '../src/model/params';

const OUT = 'e2e/hostile';

/** A valid v1 pack of `side`×`side` grey images with 1-pixel patches: P = side² image tokens (the 1,024). */
async function bigPatchPack(side: number): Promise<Uint8Array> {
  const N = 8;
  const { Lp, A, V, dh } = TINY_DIMS;
  const P = side * side;
  const input = makeTinyPack({ n: N });
  for (const k of Object.keys(input.tensors)) if (k.startsWith('encoder.') || k.startsWith('teacher.')) delete input.tensors[k];
  const rng = new Rng(5);
  input.tensors.images = { dtype: 'U8', shape: [N, side, side, 1], data: new Uint8Array(N * P).map(() => rng.int(256)) };
  const att = new Float32Array(N * A * P).fill(1 / P);
  input.tensors.teacher_attention = { dtype: 'F16', shape: [N, A, P], data: f32ToF16Bits(att) };
  input.tensors.teacher_affinity = { dtype: 'F16', shape: [N, P, A], data: f32ToF16Bits(new Float32Array(N * P * A)) };
  const enc: EncoderConfig = { height: side, width: side, channels: 1, patch: 1, dV: 8, layers: 1, heads: 2 };
  const teacher: ModelConfig = { vocabSize: V, d: dh, layers: 1, heads: 2, mlpRatio: 2, P, Lp, A, dV: 8 };
  const ep = initEncoder(enc, new Rng(11));
  const tp = initLlava(teacher, new Rng(12));
  for (const [k, w] of Object.entries({ ...(await exportParams(ep)), ...(await exportParams(tp, 'teacher.')) })) {
    input.tensors[k] = { dtype: 'F32', shape: w.shape, data: w.data };
  }
  disposeParams(ep);
  disposeParams(tp);
  const meta: PackMeta = {
    ...input.meta,
    image: { height: side, width: side, channels: 1 },
    encoder: enc as unknown as Record<string, unknown>,
    teacher: { ...input.meta.teacher, config: teacher as unknown as Record<string, unknown> },
  };
  // validate: false — the point of this file is that the lab's validators refuse it (sequence length 1,033).
  return gzip(buildPackBytes({ ...input, meta }, { validate: false }));
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  mkdirSync(OUT, { recursive: true });
  const p1024 = await bigPatchPack(32);
  writeFileSync(`${OUT}/p1024.safetensors.gz`, p1024);
  console.log(`${OUT}/p1024.safetensors.gz: ${p1024.length} bytes (P = 1,024 image tokens: 32×32×1, patch 1, dV 8, N 8)`);
}
void main();
