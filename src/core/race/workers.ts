// How many training workers a race's lanes are spread over (issue 32: lanes across cores) and which lane goes where:
// pure rules, used by the page's pool (src/worker/pool.ts) and the Node bench (bench/race.ts).
import { MAX_LANES } from './lanes';

/** What bounds the workers: the machine's cores and memory, and the link's ?workers=. */
export interface WorkerLimits {
  cores: number; // navigator.hardwareConcurrency in a page, os.availableParallelism() in Node; ≥ 1
  workers?: number | null; // ?workers=N: this many (at most the lanes), on wasm and cpu
  memoryGb?: number | null; // navigator.deviceMemory where the browser says: one worker per GB at most
}

/** The most workers a lab uses, and why not more (null: nothing holds it back below MAX_LANES). */
export function workerCap(backend: string, o: WorkerLimits): { cap: number; note: string | null } {
  if (backend !== 'wasm' && backend !== 'cpu') return { cap: 1, note: `one ${backend} device serves every lane` };
  if (o.workers) return { cap: Math.min(o.workers, MAX_LANES), note: o.workers > 1 ? null : 'set by the link' };
  const cores = Math.max(1, Math.floor(o.cores || 1));
  const mem = o.memoryGb ? Math.max(1, Math.floor(o.memoryGb)) : MAX_LANES;
  const cap = Math.min(cores, mem, MAX_LANES);
  if (cap === MAX_LANES) return { cap, note: null };
  return { cap, note: mem < cores ? `${o.memoryGb} GB of device memory` : `${cores} core${cores === 1 ? '' : 's'}` };
}

/** Lanes in race order dealt to `k` workers round-robin: lane i to worker i mod k. */
export function dealLanes<T>(lanes: readonly T[], k: number): T[][] {
  const out: T[][] = Array.from({ length: k }, () => []);
  lanes.forEach((l, i) => out[i % k].push(l));
  return out;
}
