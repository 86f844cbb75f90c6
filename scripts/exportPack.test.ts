// End to end across languages: the Python exporter (tools/export_pack, numpy fake teacher) writes a version-2 pack that
// `pack:inspect` accepts, the lab's student trains on, and whose tail buckets match the full fake distribution (1e-4).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { parsePack, type Pack } from '../src/core/pack/pack';
import { f16BitsToF32 } from '../src/core/pack/safetensors';
import { initBackend } from '../src/model/backend';
import { buildStudentRun, checkConfigAgainstPack } from '../src/model/studentRun';
import { readStep } from '../src/model/train/trainer';
import { tinyConfig } from '../src/model/testing/tiny';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PYTHON = process.env.PYTHON ?? 'python3';
let dir = '';
let file = '';
let pack: Pack;

beforeAll(async () => {
  const probe = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `${PYTHON} with numpy is needed by the exporter tests (apt-get install -y python3 python3-numpy; .ci/run does): ${probe.stderr || probe.error}`,
    );
  }
  dir = mkdtempSync(join(tmpdir(), 'export-pack-'));
  const r = spawnSync(PYTHON, ['tools/export_pack/tests/make_fake_pack.py', dir], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`make_fake_pack.py failed (${r.status}): ${r.stderr}`);
  file = join(dir, 'fake.safetensors.gz');
  pack = parsePack(new Uint8Array(readFileSync(file)), file);
  await initBackend('cpu');
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a pack from the Python exporter (fake teacher)', () => {
  it('passes pack:inspect, which names the version, the feature source and the vocabulary source', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/packInspect.ts', file], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.version).toBe('2');
    expect(s.features).toContain('image_features from fake-teacher');
    expect(s.features).toContain('pooling avg 2x2 of 8x8');
    expect(s.vocabulary).toMatch(/^compacted: \d+ entries of 500 of fake-teacher/);
    expect(s.n).toEqual({ train_labeled: 24, train_unlabeled: 12, val: 8, test: 4 });
  });

  it("the tail mass the lab computes from the compacted pack equals the full distribution's within 1e-4", () => {
    const full = JSON.parse(readFileSync(join(dir, 'full_tail.json'), 'utf8')) as number[][];
    const { N, A, K } = pack.dims;
    const z = f16BitsToF32(pack.tensors.teacher_topk_logits!);
    const lse = pack.tensors.teacher_lse!;
    let worst = 0;
    let rows = 0;
    for (let n = 0; n < N; n++) {
      for (let a = 0; a < full[n].length; a++) {
        // The lab's teacher tail bucket (src/core/kd/kdRef.ts topkDivergenceRow): max(0, 1 − Σ_k exp(ẑ_k − lse)).
        let s = 0;
        for (let k = 0; k < K; k++) s += Math.exp(z[(n * A + a) * K + k] - lse[n * A + a]);
        worst = Math.max(worst, Math.abs(Math.max(0, 1 - s) - full[n][a]));
        rows++;
      }
    }
    expect(rows).toBeGreaterThan(N);
    expect(worst).toBeLessThan(1e-4);
  });

  it("trains the lab's student a few steps with CE, tail KD, seqCE, hidden, affinity and attention", async () => {
    const cfg = tinyConfig({
      weights: { ce: 1, seq: 0.5, kd: 1, hidden: 0.5, affinity: 1, attention: 1 },
      kd: { topKMode: 'tail', T: 1, topK: 8 },
      data: { useUnlabeled: true },
      optim: { batchSize: 8 },
    });
    expect(() => checkConfigAgainstPack(cfg, pack)).not.toThrow();
    expect(() => checkConfigAgainstPack(tinyConfig({ onPolicy: { lambda: 0.5 } }), pack)).toThrow(/teacher\.\*/);
    const run = buildStudentRun(pack, cfg, { name: 'fake.safetensors.gz' });
    try {
      expect(run.model.dV).toBe(16);
      expect(run.model.P).toBe(16);
      expect(run.grid).toEqual({ rows: 4, cols: 4 });
      const first = await readStep(run.trainer.step());
      let last = first;
      for (let i = 0; i < 7; i++) last = await readStep(run.trainer.step());
      for (const v of [first.total, last.total, last.kd, last.hidden, last.affinity, last.attention, last.seq])
        expect(Number.isFinite(v)).toBe(true);
      expect(last.total).not.toBe(first.total);
      const acc = await run.accuracy();
      expect(acc.perFamily.length).toBe(2);
    } finally {
      run.dispose();
      tf.disposeVariables();
    }
  });
});
