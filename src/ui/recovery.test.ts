// The run keeper: which checkpoint each lane resumes from, the backend after a lost device, and the restart cap.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../core/config';
import type { TrainerCheckpoint } from '../model/train/checkpoint';
import { MAX_RESTARTS, nextBackend, RESTART_WINDOW_MS, RunKeeper } from './recovery';

const ck = (step: number) => ({ step }) as unknown as TrainerCheckpoint;

describe('RunKeeper', () => {
  it('keeps the newest checkpoint per lane and builds the lanes from it', () => {
    const k = new RunKeeper();
    k.keep(0, ck(100));
    k.keep(0, ck(200));
    k.keep(0, ck(100)); // an older one never replaces a newer one
    k.keep(1, ck(100));
    expect(k.stepOf(0)).toBe(200);
    expect(k.stepOf(2)).toBe(0);
    const specs = k.specs([{ id: 0, config: DEFAULT_CONFIG }, { id: 2, config: DEFAULT_CONFIG }]);
    expect(specs[0].checkpoint?.step).toBe(200);
    expect(specs[1]).toEqual({ id: 2, config: DEFAULT_CONFIG });
    k.forget(0);
    expect(k.stepOf(0)).toBe(0);
    k.forgetAll();
    expect(k.stepOf(1)).toBe(0);
  });

  it('caps restarts in a window', () => {
    const k = new RunKeeper();
    for (let i = 0; i < MAX_RESTARTS; i++) expect(k.mayRestart(1000 + i)).toBe(true);
    expect(k.mayRestart(2000)).toBe(false);
    expect(k.mayRestart(1000 + RESTART_WINDOW_MS + 10)).toBe(true);
  });

  it('falls back webgpu → webgl → wasm → cpu', () => {
    expect(['webgpu', 'webgl', 'wasm', 'cpu', 'odd'].map(nextBackend)).toEqual(['webgl', 'wasm', 'cpu', 'cpu', 'wasm']);
  });
});
