// The complete example of docs/pack-format.md, end to end: its Python (tools/export_pack/tests/doc_example.py runs the
// doc's blocks as written) writes the packs, and the lab's loader (the worker's Session) builds them and trains a step.
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig } from '../src/core/config/config';
import { initBackend } from '../src/model/backend';
import { readStep } from '../src/model/train/trainer';
import { Session } from '../src/worker/session';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = 'tools/export_pack/tests/doc_example.py';

/** Why the example cannot run here (no python3 with numpy), or null. */
function missingPython(): string | null {
  const r = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'the example needs python3 with numpy (sudo apt-get install -y python3 python3-numpy)';
}
const skip = missingPython();
let dir = '';
let files: string[] = [];

beforeAll(async () => {
  if (skip) return;
  await initBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'doc-example-'));
  const r = spawnSync('python3', [SCRIPT, dir], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${SCRIPT} failed (exit ${r.status}): ${r.stderr}`);
  files = r.stdout.trim().split('\n');
}, 150_000);
afterAll(() => {
  tf.disposeVariables();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cached = mergeConfig(DEFAULT_CONFIG, {
  optim: { batchSize: 4, warmupSteps: 0 },
  weights: { ce: 1, kd: 1, hidden: 0.5, affinity: 0.5, attention: 0.5 },
  data: { useUnlabeled: true },
});
const online = mergeConfig(cached, { kd: { source: 'online' } });

describe.skipIf(skip !== null)(`the docs/pack-format.md example in the lab${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('writes the dense pack, its gzip and the top-K pack', () => {
    expect(files.map((f) => basename(f))).toEqual(['pack.safetensors', 'pack.safetensors.gz', 'pack-topk.safetensors']);
  });

  for (const name of ['pack.safetensors.gz', 'pack-topk.safetensors']) {
    it(`${name}: Session.load builds the student, the encoder and the online teacher; a step on each lane is finite`, async () => {
      const bytes = new Uint8Array(readFileSync(join(dir, name)));
      const s = await Session.load(
        bytes,
        name,
        [
          { id: 0, config: cached },
          { id: 1, config: online },
        ],
        100,
      );
      try {
        expect(s.info).toMatchObject({ name, families: ['color', 'count'], V: 12, A: 4, hasTeacherWeights: true });
        expect(s.info.targets.kind).toBe(name.includes('topk') ? 'topk' : 'dense');
        expect(s.run.encoder.config).toEqual({
          height: 8,
          width: 8,
          channels: 3,
          patch: 4,
          dV: 16,
          layers: 1,
          heads: 2,
        });
        expect(s.run.teacher?.config.d).toBe(16);
        for (const lane of s.lanes) {
          const r = await readStep(lane.trainer.step());
          expect(Number.isFinite(r.total), `lane ${lane.id} total`).toBe(true);
          expect(Number.isFinite(r.ce) && Number.isFinite(r.kd), `lane ${lane.id} ce/kd`).toBe(true);
          expect(lane.trainer.stepCount).toBe(1);
        }
        const ev = await s.lanes[0].evaluate();
        expect(ev.perFamily).toHaveLength(2); // color, count
        expect(Array.from(ev.valLoss).every(Number.isFinite), 'val total, CE, KD finite').toBe(true);
      } finally {
        s.dispose();
      }
    });
  }
});
