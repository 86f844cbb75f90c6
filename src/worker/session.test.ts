// The session's student run fills its feature cache on demand (src/model/featureCache.ts): its lanes step and
// evaluate bit for bit as a run on the eagerly encoded cache, and the first steps encode only what they read.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig } from '../core/config/config';
import { parsePack } from '../core/pack/pack';
import { initBackend } from '../model/backend';
import { buildStudentRun } from '../model/studentRun';
import { readStep } from '../model/train/trainer';
import { Session } from './session';
import { labPackBytes } from './testing/labPack';

const config = mergeConfig(DEFAULT_CONFIG, {
  optim: { batchSize: 4, warmupSteps: 0 },
  weights: { kd: 1 },
  data: { useUnlabeled: true },
});
let bytes: Uint8Array;

beforeAll(async () => {
  await initBackend('cpu');
  bytes = await labPackBytes({ n: 150 }); // three feature chunks
});
afterAll(() => {
  tf.disposeVariables();
});

describe('Session features on demand', () => {
  it('encodes nothing at build time; steps and evaluates exactly as a run on the eager cache', async () => {
    const s = new Session(bytes, 'tiny.safetensors', [{ id: 0, config }], 12);
    const eager = buildStudentRun(parsePack(bytes, 'tiny.safetensors'), config, { evalSamples: 12 });
    try {
      const zeroRows = () => {
        const f = s.run.features.dataSync();
        const row = f.length / 150;
        let n = 0;
        for (let i = 0; i < 150; i++) if (f.subarray(i * row, (i + 1) * row).every((x) => x === 0)) n++;
        return n;
      };
      expect(zeroRows()).toBe(150); // nothing encoded at build time
      const lane = s.lanes[0];
      for (let i = 0; i < 3; i++) {
        const [a, b] = [await readStep(eager.trainer.step()), await readStep(lane.trainer.step())];
        expect(b.total).toBe(a.total);
        expect(b.ce).toBe(a.ce);
        expect(b.kd).toBe(a.kd);
      }
      const ev = await lane.evaluate();
      const acc = await eager.accuracy();
      expect(ev.overall).toBe(acc.overall);
      s.run.ensureAllFeatures();
      expect(zeroRows()).toBe(0);
      expect(Array.from(s.run.features.dataSync())).toEqual(Array.from(eager.features.dataSync()));
    } finally {
      s.dispose();
      eager.dispose();
    }
  });
});
