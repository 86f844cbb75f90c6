// The worker's one queue: commands one at a time in arrival order, an error reported and the next command run,
// background turns only when no command waits, and idle() that waits for settling turns but not for steps.
import { describe, expect, it } from 'vitest';
import { CommandQueue, type Turn } from './commandQueue';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('CommandQueue', () => {
  it('runs commands one at a time, in order, even when they await', async () => {
    const log: string[] = [];
    const q = new CommandQueue(() => {});
    const cmd = (name: string) => async () => {
      log.push(`${name}+`);
      await tick();
      log.push(`${name}-`);
    };
    void q.push(cmd('a'));
    void q.push(cmd('b'));
    await q.push(cmd('c'));
    expect(log).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
  });

  it('reports a failing command and goes on with the next', async () => {
    const errors: unknown[] = [];
    const q = new CommandQueue((e) => errors.push(e));
    void q.push(() => {
      throw new Error('boom');
    });
    let ran = false;
    await q.push(() => void (ran = true));
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom']);
    expect(ran).toBe(true);
  });

  it('runs a background turn only when no command waits; commands that arrive meanwhile go first', async () => {
    const log: string[] = [];
    let steps = 0;
    let running = true;
    const q = new CommandQueue(
      () => {},
      (): Turn | null => (running ? { kind: 'step', run: () => void log.push(`step${++steps}`) } : null),
    );
    await q.push(() => void log.push('play'));
    while (steps < 3) await tick();
    await q.push(() => void log.push('cmd'));
    await q.push(() => {
      log.push('pause');
      running = false;
    });
    const at = log.indexOf('cmd');
    expect(log.slice(0, 2)).toEqual(['play', 'step1']);
    expect(log[at + 1]).toBe('pause'); // no step between two queued commands
    expect(log.slice(log.indexOf('pause') + 1)).toEqual([]);
  });

  it('idle() waits for settling turns, not for a running race', async () => {
    let chunks = 2;
    let running = false;
    const q = new CommandQueue(
      () => {},
      (): Turn | null => {
        if (running) return { kind: 'step', run: () => {} };
        return chunks > 0 ? { kind: 'settle', run: () => void chunks-- } : null;
      },
    );
    void q.push(() => {});
    await q.idle();
    expect(chunks).toBe(0);
    await q.push(() => void (running = true));
    await q.idle(); // resolves between steps
    await q.push(() => void (running = false));
    await q.idle();
  });
});
