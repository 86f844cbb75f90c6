// Yield to the event loop between race steps (a macrotask, so queued messages run) without setTimeout's 4 ms clamp.
// Shared by the run loop; Node (tests, benches) and the worker take different paths.
/**
 * Yield to the event loop (a macrotask, so queued messages run) without setTimeout's 4 ms clamp: a MessageChannel
 * in the worker; setImmediate in Node, where a self-posting MessagePort would starve timers.
 */
export function makeYield(): { next: () => Promise<void>; close: () => void } {
  const si = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  if (si) return { next: () => new Promise((r) => si(r)), close: () => {} };
  if (typeof MessageChannel === 'undefined')
    return { next: () => new Promise((r) => setTimeout(r, 0)), close: () => {} };
  const ch = new MessageChannel();
  const waiters: (() => void)[] = [];
  ch.port1.onmessage = () => waiters.shift()?.();
  return {
    next: () =>
      new Promise<void>((r) => {
        waiters.push(r);
        ch.port2.postMessage(0);
      }),
    close: () => {
      ch.port1.close();
      ch.port2.close();
    },
  };
}
