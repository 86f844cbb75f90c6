// runStudent goes through the lab's student builder: the pack's teacher weights run online, so all-positions KD (F3)
// and on-policy distillation (F11) train; a pack without teacher weights falls back to the cache, as the lab does.
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig } from '../../src/core/config';
import { parsePack } from '../../src/core/pack';
import { initBackend } from '../../src/model/backend';
import { fitConfigToPack } from '../../src/model/studentRun';
import { labPackBytes } from '../../src/worker/testing/labPack';
import { CONDITIONS } from '../../src/core/findings';
import { needsTeacher, runStudent } from './runStudent';

let bytes: Uint8Array;
beforeAll(async () => {
  await initBackend('cpu');
  bytes = await labPackBytes({ n: 24 });
});

describe('runStudent', () => {
  it('trains with the online teacher: all positions (F3) and on-policy (F11)', async () => {
    const pack = parsePack(bytes, 'tiny.safetensors');
    const cfg = mergeConfig(DEFAULT_CONFIG, {
      optim: { batchSize: 4, totalSteps: 3, warmupSteps: 0 },
      weights: { ce: 1, kd: 1 },
      kd: { allPositions: true, source: 'online' },
      onPolicy: { lambda: 0.5 },
    });
    const r = await runStudent(pack, cfg, { evalSamples: 6 });
    expect(r.steps).toBe(3);
    expect(r.trace.every((t) => Number.isFinite(t.kd))).toBe(true);
    expect(r.overall).toBeGreaterThanOrEqual(0);
  });

  it('needsTeacher: exactly the study conditions that run the teacher online (F3 all positions and its probe, F11 on-policy)', () => {
    const need = Object.values(CONDITIONS).filter((c) => needsTeacher(mergeConfig(DEFAULT_CONFIG, c.patch))).map((c) => c.id);
    expect(need.sort()).toEqual(['rich-fkl-all', 'rich-fkl-img', 'rich-fkl-onpol', 'rich-fkl-prompt']);
  });

  it('fits the config to a pack without teacher weights as the lab does (cache, answer positions, no on-policy)', () => {
    const pack = parsePack(bytes, 'tiny.safetensors');
    const c = fitConfigToPack(mergeConfig(DEFAULT_CONFIG, { kd: { allPositions: true, source: 'online' }, onPolicy: { lambda: 0.5 } }), pack, false);
    expect(c.kd).toMatchObject({ allPositions: false, source: 'cached' });
    expect(c.onPolicy.lambda).toBe(0);
  });
});
