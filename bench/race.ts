// npm run bench:race — median ms per race step for 1, 2 and 4 lanes on Node wasm: the lab's Session (shared pack,
// encoder features, teacher) on the shipped shapes pack, student preset, batch 32, CE + fKL; writes bench/results/race.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_CONFIG, mergeConfig } from '../src/core/config/config';
import { initBackend } from '../src/model/backend';
import { Session } from '../src/worker/session';
import { intArg, parseArgs } from '../scripts/lib/cli';

const args = parseArgs(process.argv.slice(2));
const STEPS = intArg(args, 'steps', 20, 1); // timed race steps per round and lane count
const WARMUP = intArg(args, 'warmup', 3, 0);
const ROUNDS = intArg(args, 'rounds', 3, 1); // 1, 2, 4 lanes alternate, ROUNDS times
const BATCH = intArg(args, 'batch', 32, 1, 512);
const FILE = typeof args.file === 'string' ? args.file : 'public/packs/shapes.safetensors.gz';
const COUNTS = [1, 2, 4];

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const backend = await initBackend(String(args.backend ?? 'wasm') as 'wasm');
  const bytes = new Uint8Array(readFileSync(FILE));
  const config = mergeConfig(DEFAULT_CONFIG, { weights: { ce: 1, kd: 1 }, optim: { batchSize: BATCH } });
  const session = new Session(bytes, FILE, [{ id: 0, config }], 1);
  session.run.ensureAllFeatures(); // time the steps, not the on-demand encoding of the first ones
  const ms: Record<number, number[]> = { 1: [], 2: [], 4: [] };
  const flat: Record<number, boolean> = { 1: true, 2: true, 4: true }; // tensor count flat across each round's timed steps
  console.log(
    `bench:race  ${FILE}  backend=${backend}  batch=${BATCH}  CE + fKL  ${ROUNDS} rounds × ${STEPS} race steps (after ${WARMUP} warm-up)`,
  );
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const n of COUNTS) {
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
  }
  const lanes = Object.fromEntries(COUNTS.map((n) => [String(n), Math.round(median(ms[n]) * 10) / 10]));
  const ratio = Object.fromEntries(
    COUNTS.map((n) => [String(n), Math.round((lanes[String(n)] / lanes['1']) * 100) / 100]),
  );
  console.log('lanes | ms/race step | × one lane | ms per lane-step');
  for (const n of COUNTS)
    console.log(
      `${String(n).padStart(5)} | ${String(lanes[String(n)]).padStart(12)} | ${String(ratio[String(n)]).padStart(10)} | ${(lanes[String(n)] / n).toFixed(1).padStart(16)}`,
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
    lanes,
    // DESIGN §6c: the lanes per worker count; every lane runs in the one worker today (lanes across workers, issue 32
    // item 1, is not built), so only "1" is measured
    workers: 1,
    byWorkers: { '1': lanes },
    ratioToOneLane: ratio,
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
