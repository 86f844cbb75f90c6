// runStudent goes through the lab's student builder: the pack's teacher weights run online, so all-positions KD (F3)
// and on-policy distillation (F11) train; a pack without teacher weights falls back to the cache, as the lab does.
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig } from '../../src/core/config/config';
import { parsePack } from '../../src/core/pack/pack';
import { initBackend } from '../../src/model/backend';
import { SPLIT } from '../../src/core/kd/terms';
import { indicesOf } from '../../src/model/fromPack';
import { buildStudentRun, fitConfigToPack } from '../../src/model/studentRun';
import { readStep } from '../../src/model/train/trainer';
import { labPackBytes } from '../../src/worker/testing/labPack';
import { CONDITIONS } from '../../src/core/study/findings';
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
    expect(r.split).toBe('val');
    // independently: the lab's student builder with the online teacher, the same 3 steps (same seed, so the same
    // on-policy draws), scored on the first 6 val samples; 6 samples: a whole number of them right
    const run = buildStudentRun(pack, cfg, { name: 'pack', evalSamples: 6, teacher: true });
    for (let s = 0; s < 3; s++) await readStep(run.trainer.step());
    const ev = await run.score(indicesOf(pack, SPLIT.val).slice(0, 6), run.trainer.params);
    run.dispose();
    expect(r.overall).toBe(ev.overall);
    expect(Number.isInteger(Math.round(((r.overall * 6) / 100) * 1e9) / 1e9)).toBe(true);
  });

  it("the fair study's run (DESIGN §6c): a val curve, the best-val step, and the numbers on the test split, each as a re-run gives them", async () => {
    const pack = parsePack(bytes, 'tiny.safetensors');
    const cfg = mergeConfig(DEFAULT_CONFIG, {
      seed: 3,
      optim: { batchSize: 4, totalSteps: 21, warmupSteps: 0, lr: 3e-2 },
    });
    const r = await runStudent(pack, cfg, { curveEvery: 2, split: 'test' });
    expect(r.split).toBe('test');
    expect(r.curve!.map((p) => p.step)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 21]);
    for (const p of r.curve!) expect(p.val250).toBe(p.valAll); // 6 val samples: all of them are the fixed ones
    const top = Math.max(...r.curve!.map((p) => p.valAll));
    expect(r.bestStep).toBe(r.curve!.find((p) => p.valAll === top)!.step);
    expect(r.bestValOverall).toBe(top);
    expect(top).toBeGreaterThan(0); // the tiny student learns something in 21 steps (seed 3: best at step 10)
    expect(r.bestStep).toBeLessThan(21); // so the best-step number comes from the kept snapshot, not the end
    // independently: train the same seed to the best step and to the end, and score the test split
    const test = indicesOf(pack, SPLIT.test);
    const scoreAt = async (steps: number) => {
      const run = buildStudentRun(pack, cfg, { name: 'pack' });
      for (let s = 0; s < steps; s++) await readStep(run.trainer.step());
      const ev = await run.score(test, run.trainer.params);
      run.dispose();
      return ev.overall;
    };
    expect(r.overall).toBe(await scoreAt(21));
    expect(r.bestOverall).toBe(await scoreAt(r.bestStep!));
  });

  it('needsTeacher: exactly the study conditions that run the teacher online (F3 all positions and its probe, F11 on-policy)', () => {
    const need = Object.values(CONDITIONS)
      .filter((c) => needsTeacher(mergeConfig(DEFAULT_CONFIG, c.patch)))
      .map((c) => c.id);
    expect(need.sort()).toEqual(['rich-fkl-all', 'rich-fkl-img', 'rich-fkl-onpol', 'rich-fkl-prompt']);
  });

  it('fits the config to a pack without teacher weights as the lab does (cache, answer positions, no on-policy)', () => {
    const pack = parsePack(bytes, 'tiny.safetensors');
    const c = fitConfigToPack(
      mergeConfig(DEFAULT_CONFIG, { kd: { allPositions: true, source: 'online' }, onPolicy: { lambda: 0.5 } }),
      pack,
      false,
    );
    expect(c.kd).toMatchObject({ allPositions: false, source: 'cached' });
    expect(c.onPolicy.lambda).toBe(0);
  });
});
