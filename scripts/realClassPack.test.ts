// The pack that tools/export_pack wrote from the real transformers LlavaForConditionalGeneration (a tiny random model,
// tools/export_pack/real_class_test.py; log beside it): it parses as version 2 and the lab's student trains on it.
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig } from '../src/core/config/config';
import { parsePack, summarizePack } from '../src/core/pack/pack';
import { initBackend } from '../src/model/backend';
import { buildStudentRun, checkConfigAgainstPack } from '../src/model/studentRun';
import { readStep } from '../src/model/train/trainer';

const FILE = 'tools/export_pack/fixtures/real-class.safetensors.gz';
const INFO = JSON.parse(readFileSync('tools/export_pack/fixtures/real-class.json', 'utf8')) as {
  samples: number;
  transformers: string;
  grid: number[];
};

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => tf.disposeVariables());

describe('the real-class pack (transformers LlavaForConditionalGeneration → tools/export_pack)', () => {
  const pack = parsePack(new Uint8Array(readFileSync(FILE)), FILE);

  it('is a version-2 features pack with top-K targets, a compacted vocabulary and no teacher weights', () => {
    const s = summarizePack(pack);
    expect(s.version).toBe('2');
    expect(s.features).toMatch(/^image_features from tiny-llava: vision tower hidden_states\[-2\]/);
    expect(s.features).toContain(`pooling avg 2x2 of ${INFO.grid[0]}x${INFO.grid[1]}`);
    expect(s.vocabulary).toMatch(/^compacted: \d+ entries of \d+ of tiny-llava/);
    expect(s.targets).toEqual({ kind: 'topk', k: 16 });
    expect(s.teacher).toMatch(/^external: no teacher/);
    const n = s.n as Record<string, number>;
    expect(n.train_labeled + n.train_unlabeled + n.val + n.test).toBe(INFO.samples);
  });

  it('trains the lab student with CE + tail KD on its top-K targets: finite terms, CE falls over 30 steps', async () => {
    const patch = {
      weights: { ce: 1, kd: 1 },
      kd: { topKMode: 'tail' as const, T: 1, topK: pack.dims.K },
      optim: { batchSize: 16, totalSteps: 30 },
    };
    const cfg = checkConfigAgainstPack(mergeConfig(DEFAULT_CONFIG, patch), pack);
    const run = buildStudentRun(pack, cfg);
    try {
      const ce: number[] = [];
      for (let i = 0; i < 30; i++) {
        const s = await readStep(run.trainer.step());
        expect(Number.isFinite(s.kd) && s.kd > 0).toBe(true);
        expect(Number.isFinite(s.total)).toBe(true);
        ce.push(s.ce);
      }
      expect(ce.slice(-5).reduce((a, b) => a + b) / 5).toBeLessThan(ce.slice(0, 5).reduce((a, b) => a + b) / 5);
    } finally {
      run.dispose();
    }
  });
});
