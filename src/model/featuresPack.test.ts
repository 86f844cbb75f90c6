// A student trained from a version-2 features pack (DESIGN §4b): it starts at the projector (width features.dV, P from
// the pack), its feature cache is the pack's image_features, and knobs needing what the pack lacks are refused by name.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../core/config/config';
import { buildPackBytes, parsePack } from '../core/pack/pack';
import { f16BitsToF32 } from '../core/pack/safetensors';
import { makeTinyFeaturesPack, makeTinyPack, TINY_DIMS } from '../core/testing/packFixture';
import { initBackend } from './backend';
import { generateAnswers } from './evaluate';
import { buildStudentRun, checkConfigAgainstPack } from './studentRun';
import { readStep } from './train/trainer';
import { tinyConfig } from './testing/tiny';

const feat = parsePack(buildPackBytes(makeTinyFeaturesPack()), 'feat.safetensors');
const featFull = parsePack(
  buildPackBytes(makeTinyFeaturesPack({ alignment: true, thumbnails: false })),
  'feat-full.safetensors',
);
const KD = { weights: { ce: 1, kd: 1 }, kd: { topKMode: 'tail' as const, T: 1 }, optim: { batchSize: 4 } };

beforeAll(async () => {
  await initBackend('cpu');
});
afterAll(() => {
  tf.disposeVariables();
});

describe('student from a features pack', () => {
  it('starts at the projector: P and dV from the pack; the cache is the pack features (float32)', () => {
    const run = buildStudentRun(feat, tinyConfig(KD));
    try {
      expect(run.featuresPack).toBe(true);
      expect(run.teacher).toBeNull();
      expect(run.model.P).toBe(TINY_DIMS.P);
      expect(run.model.dV).toBe(6);
      expect(run.model.vocabSize).toBe(TINY_DIMS.V);
      expect(run.features.shape).toEqual([6, TINY_DIMS.P, 6]);
      expect(Array.from(run.features.dataSync())).toEqual(Array.from(f16BitsToF32(feat.tensors.image_features!)));
      expect(Object.keys(run.encoder.params)).toEqual([]);
      expect(run.hasImages).toBe(true);
      expect(run.grid).toEqual({ rows: 2, cols: 2 });
      expect(run.trainer.params['projector.fc1.w'].shape).toEqual([6, run.model.d]);
    } finally {
      run.dispose();
    }
  });

  it('trains a few steps with CE + tail KD, every value finite, tensors flat, and evaluates', async () => {
    const run = buildStudentRun(
      featFull,
      tinyConfig({ ...KD, weights: { ce: 1, kd: 1, hidden: 0.5, affinity: 1, attention: 1 } }),
    );
    try {
      const totals: number[] = [];
      let at2 = 0;
      for (let i = 0; i < 6; i++) {
        const s = await readStep(run.trainer.step());
        expect(Number.isFinite(s.total) && Number.isFinite(s.kd) && Number.isFinite(s.hidden)).toBe(true);
        totals.push(s.total);
        if (i === 1) at2 = tf.memory().numTensors;
      }
      expect(tf.memory().numTensors).toBe(at2);
      expect(new Set(totals).size).toBeGreaterThan(1); // the weights moved
      const acc = await run.accuracy();
      expect(acc.perFamily.length).toBe(2);
      expect(run.hasImages).toBe(false);
      const ans = await generateAnswers(
        { config: run.model, params: run.trainer.params },
        null,
        { promptIds: featFull.tensors.prompt_ids },
        [0, 2],
        { features: run.features },
      );
      expect(ans.length).toBe(2 * TINY_DIMS.A);
      await expect(
        generateAnswers(
          { config: run.model, params: run.trainer.params },
          null,
          { promptIds: featFull.tensors.prompt_ids },
          [0],
        ),
      ).rejects.toThrow(/opts\.features/);
    } finally {
      run.dispose();
    }
  });
});

describe('checkConfigAgainstPack', () => {
  const refused = (patch: Parameters<typeof tinyConfig>[0], pack = feat): ConfigError => {
    try {
      checkConfigAgainstPack(tinyConfig(patch), pack);
    } catch (e) {
      if (e instanceof ConfigError) return e;
      throw e;
    }
    throw new Error('expected a ConfigError');
  };

  it('refuses the online teacher, all positions and on-policy, naming teacher.*', () => {
    for (const [patch, field] of [
      [{ kd: { source: 'online' as const } }, 'kd.source'],
      [{ kd: { source: 'online' as const, allPositions: true } }, 'kd.allPositions'],
      [{ onPolicy: { lambda: 0.5 } }, 'onPolicy.lambda'],
    ] as const) {
      const e = refused(patch);
      expect(e.field).toBe(field);
      expect(e.message).toContain('teacher.*');
      expect(e.message).toContain('metadata.teacher.config is null');
    }
  });

  it('refuses the hidden, affinity and attention terms, naming the tensor the pack lacks', () => {
    for (const [term, tensor] of [
      ['hidden', 'teacher_hidden'],
      ['affinity', 'teacher_affinity'],
      ['attention', 'teacher_attention'],
    ] as const) {
      const e = refused({ weights: { [term]: 1 } });
      expect(e.field).toBe(`weights.${term}`);
      expect(e.message).toContain(`tensor ${tensor}`);
    }
  });

  it('accepts what the pack can give, and a version-1 pack with its teacher weights', () => {
    expect(() => checkConfigAgainstPack(tinyConfig(KD), feat)).not.toThrow();
    expect(() =>
      checkConfigAgainstPack(tinyConfig({ weights: { hidden: 1, affinity: 1, attention: 1 } }), featFull),
    ).not.toThrow();
    const v1 = parsePack(buildPackBytes(makeTinyPack()), 'v1.safetensors');
    expect(() =>
      checkConfigAgainstPack(tinyConfig({ kd: { source: 'online' }, onPolicy: { lambda: 1 } }), v1),
    ).not.toThrow();
    expect(() => checkConfigAgainstPack(tinyConfig({ kd: { source: 'online' } }), v1, false)).toThrow(ConfigError);
  });
});
