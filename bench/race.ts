// npm run bench:race — median ms per race step for 1, 2 and 4 lanes on Node wasm, in one worker and spread over N
// worker threads (os.availableParallelism(), ≤ 4; issue 32): the lab's Session on the shipped shapes pack, student preset,
// batch 32, CE + fKL; 1-worker and N-worker rounds alternate; writes bench/results/race.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_CONFIG, mergeConfig } from '../src/core/config/config';
import { initBackend } from '../src/model/backend';
import { parsePack } from '../src/core/pack/pack';
import { dealLanes } from '../src/core/race/workers';
import { type SharedPack, Session } from '../src/worker/session';
import { intArg, parseArgs } from '../scripts/lib/cli';
import type { RaceWorkerMsg, RaceWorkerReply } from './lib/raceWorker';

const args = parseArgs(process.argv.slice(2));
const STEPS = intArg(args, 'steps', 20, 1); // timed race steps per round and lane count
const WARMUP = intArg(args, 'warmup', 3, 0);
const ROUNDS = intArg(args, 'rounds', 3, 1); // 1, 2, 4 lanes alternate, ROUNDS times
const BATCH = intArg(args, 'batch', 32, 1, 512);
const FILE = typeof args.file === 'string' ? args.file : 'public/packs/shapes.safetensors.gz';
const COUNTS = [1, 2, 4];
const N = intArg(args, 'workers', Math.min(availableParallelism(), 4), 1, 4); // the N of the N-worker rows

/** A worker thread running bench/lib/raceWorker.ts (tsx registered in it). */
class RaceThread {
  private readonly w: Worker;
  private listener: ((r: RaceWorkerReply) => void) | null = null;
  ticks = 0;
  constructor() {
    const file = new URL('./lib/raceWorker.ts', import.meta.url).href;
    const boot = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(file)}); });`;
    this.w = new Worker(boot, { eval: true });
    this.w.on('message', (r: RaceWorkerReply) => this.listener?.(r));
    this.w.on('error', (e) => {
      console.error(e);
      process.exit(1);
    });
  }
  on(f: (r: RaceWorkerReply) => void): void {
    this.listener = f;
  }
  post(m: RaceWorkerMsg): void {
    this.w.postMessage(m);
  }
  /** Post `m` and wait for the next reply. */
  ask(m: RaceWorkerMsg): Promise<RaceWorkerReply> {
    return new Promise((r) => {
      this.on(r);
      this.post(m);
    });
  }
  end(): Promise<number> {
    return this.w.terminate();
  }
}

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const SLACK = intArg(args, 'slack', 2, 1); // as the lab's pool (src/worker/pool.ts): a thread runs at most this many race steps ahead

/**
 * `total` race steps on `busy` threads in the pool's lockstep; returns the wall time per race step of the last `timed`
 * (from the moment every thread finished step total − timed), each thread's own step times, and whether every
 * thread's tensor count stayed flat.
 */
function lockstep(busy: RaceThread[], total: number, timed: number) {
  return new Promise<{ ms: number; inside: number[]; flat: boolean }>((resolve) => {
    const inside: number[] = [];
    const counts = busy.map(() => -1);
    let flat = true;
    let t0 = 0;
    busy.forEach((t) => (t.ticks = 0));
    const allow = () => {
      const min = Math.min(...busy.map((t) => t.ticks));
      if (min === total - timed && t0 === 0) t0 = performance.now();
      if (min === total) return resolve({ ms: (performance.now() - t0) / timed, inside, flat });
      busy.forEach((t) => t.post({ type: 'allow', tick: Math.min(total, min + SLACK) }));
    };
    busy.forEach((t, i) =>
      t.on((r) => {
        if (r.type !== 'progress') return;
        t.ticks = r.tick;
        if (r.tick > total - timed) {
          inside.push(r.ms);
          if (counts[i] >= 0 && r.numTensors !== counts[i]) flat = false;
        }
        counts[i] = r.numTensors;
        allow();
      }),
    );
    allow();
  });
}

async function main() {
  const backend = await initBackend(String(args.backend ?? 'wasm') as 'wasm');
  const bytes = new Uint8Array(readFileSync(FILE));
  const config = mergeConfig(DEFAULT_CONFIG, { weights: { ce: 1, kd: 1 }, optim: { batchSize: BATCH } });
  const shared: SharedPack = { pack: parsePack(bytes, FILE), name: FILE, bytes: bytes.length }; // read and parsed once
  const session = Session.fromShared(shared, [{ id: 0, config }], 1);
  session.run.ensureAllFeatures(); // time the steps, not the on-demand encoding of the first ones
  const ms: Record<number, number[]> = { 1: [], 2: [], 4: [] };
  const msN: Record<number, number[]> = { 1: [], 2: [], 4: [] }; // the same on N worker threads
  const inside: Record<number, number[]> = { 1: [], 2: [], 4: [] }; // each thread's own step time (contention, not lockstep)
  const flat: Record<number, boolean> = { 1: true, 2: true, 4: true }; // tensor count flat across each round's timed steps
  console.log(
    `bench:race  ${FILE}  backend=${backend}  batch=${BATCH}  CE + fKL  ${ROUNDS} rounds × ${STEPS} race steps (after ${WARMUP} warm-up); N = ${N} workers`,
  );
  const threads = N > 1 ? Array.from({ length: N }, () => new RaceThread()) : [];
  for (const t of threads) await t.ask({ type: 'init', backend: backend as 'wasm', shared, config });
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const n of COUNTS) {
        if (threads.length) {
          // lanes dealt as the lab's pool deals them; one race step = every thread's lanes once, in lockstep
          const groups = dealLanes(
            Array.from({ length: n }, (_, i) => i),
            Math.min(n, N),
          );
          const busy = threads.slice(0, groups.length);
          await Promise.all(busy.map((t, i) => t.ask({ type: 'lanes', n: groups[i].length })));
          const r = await lockstep(busy, WARMUP + STEPS, STEPS);
          msN[n].push(r.ms);
          inside[n].push(...r.inside);
          if (!r.flat) flat[n] = false;
          process.stderr.write(
            `round ${round + 1}: ${n} lane(s) on ${busy.length} workers ${r.ms.toFixed(1)} ms/race step\n`,
          );
        }
        session.setLanes(Array.from({ length: n }, (_, id) => ({ id, config })));
        let count = -1;
        for (let i = 0; i < WARMUP + STEPS; i++) {
          const t0 = performance.now();
          const vals = session.lanes.map((l) => l.trainer.step().values); // one race step: every lane once
          const stacked = tf.stack(vals); // the run loop's one read for all lanes
          vals.forEach((v) => v.dispose());
          await stacked.data();
          stacked.dispose();
          if (i >= WARMUP) {
            ms[n].push(performance.now() - t0);
            if (count >= 0 && tf.memory().numTensors !== count) flat[n] = false;
            count = tf.memory().numTensors;
          }
        }
        process.stderr.write(
          `round ${round + 1}: ${n} lane(s) ${median(ms[n].slice(-STEPS)).toFixed(1)} ms/race step\n`,
        );
      }
    }
  } finally {
    session.dispose();
    await Promise.all(threads.map((t) => t.end()));
  }
  const med = (xs: Record<number, number[]>) =>
    Object.fromEntries(COUNTS.map((n) => [String(n), Math.round(median(xs[n]) * 10) / 10]));
  const lanes = med(ms);
  const byWorkers: Record<string, Record<string, number>> = { '1': lanes };
  if (threads.length) byWorkers[String(N)] = med(msN);
  const ratioOf = (row: Record<string, number>) =>
    Object.fromEntries(COUNTS.map((n) => [String(n), Math.round((row[String(n)] / lanes['1']) * 100) / 100]));
  if (threads.length) console.log(`inside each of the ${N} threads (ms, median): ${JSON.stringify(med(inside))}`);
  console.log('workers | lanes | ms/race step | × one lane (1 worker) | ms per lane-step');
  for (const [w, row] of Object.entries(byWorkers))
    for (const n of COUNTS)
      console.log(
        `${w.padStart(7)} | ${String(n).padStart(5)} | ${String(row[String(n)]).padStart(12)} | ${String(ratioOf(row)[String(n)]).padStart(21)} | ${(row[String(n)] / n).toFixed(1).padStart(16)}`,
      );
  mkdirSync('bench/results', { recursive: true });
  const out = {
    date: new Date().toISOString(),
    node: process.version,
    backend,
    pack: FILE,
    batch: BATCH,
    config: 'CE + fKL (weights ce 1, kd 1)',
    steps: STEPS,
    rounds: ROUNDS,
    lanes, // one worker (DESIGN §6b)
    workers: N, // DESIGN §6c: the N of the N-worker rows (os.availableParallelism(), ≤ 4)
    byWorkers, // {"1": {lanes: ms}, "N": {lanes: ms}}: lane i on worker i mod min(lanes, N), stepped in lockstep
    ratioToOneLane: ratioOf(lanes),
    // the N-worker rows' threads timed inside (median ms of one thread's share of a race step): what the cores give
    // when both work at once, apart from the lockstep's wait for the slower thread
    threadStepMs: threads.length ? med(inside) : null,
    ratioToOneLaneByWorkers: Object.fromEntries(Object.entries(byWorkers).map(([w, row]) => [w, ratioOf(row)])),
    tensorsFlat: Object.fromEntries(COUNTS.map((n) => [String(n), flat[n]])),
    conditions: process.env.BENCH_NOTE ?? null,
  };
  writeFileSync('bench/results/race.json', `${JSON.stringify(out, null, 2)}\n`);
  console.log('wrote bench/results/race.json');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
