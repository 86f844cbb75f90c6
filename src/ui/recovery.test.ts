// The run keeper: which checkpoint each lane resumes from, the restart cap, and a backend switch's wait for
// checkpoints (a promise resolved by the checkpoint messages, or by its timeout).
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG } from '../core/config/config';
import type { TrainerCheckpoint } from '../model/train/checkpoint';
import { MAX_RESTARTS, RESTART_WINDOW_MS, RunKeeper } from './recovery';

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
    const specs = k.specs([
      { id: 0, config: DEFAULT_CONFIG },
      { id: 2, config: DEFAULT_CONFIG },
    ]);
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

  it('whenCheckpointed resolves on the checkpoint that completes it, at once when kept, false after its timeout', async () => {
    vi.useFakeTimers();
    try {
      const k = new RunKeeper();
      k.keep(0, ck(100));
      expect(await k.whenCheckpointed(new Map([[0, 100]]), 1000)).toBe(true);
      let got: boolean | null = null;
      void k
        .whenCheckpointed(
          new Map([
            [0, 150],
            [1, 0],
            [2, 40],
          ]),
          1000,
        )
        .then((ok) => (got = ok));
      k.keep(0, ck(150));
      await Promise.resolve();
      expect(got).toBeNull(); // lane 2 still missing
      k.keep(2, ck(40));
      await Promise.resolve();
      expect(got).toBe(true);
      const late = k.whenCheckpointed(new Map([[3, 10]]), 1000);
      vi.advanceTimersByTime(1000);
      expect(await late).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});
