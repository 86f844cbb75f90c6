// npm run hostile:packs — writes the hostile corpus's pack files that e2e/hostile.spec.ts loads (issue 31): packs a
// validator must refuse by name before they can kill a step. Deterministic (seeded); re-run after a format change.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { bigPatchPackBytes } from '../src/worker/testing/labPack';

const OUT = 'e2e/hostile';

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  mkdirSync(OUT, { recursive: true });
  // validate false: the point of this file is that the lab's validators refuse it (sequence length 1,033).
  const p1024 = await bigPatchPackBytes(32, false);
  writeFileSync(`${OUT}/p1024.safetensors.gz`, p1024);
  console.log(
    `${OUT}/p1024.safetensors.gz: ${p1024.length} bytes (P = 1,024 image tokens: 32×32×1, patch 1, dV 8, N 8)`,
  );
}
void main();
