// npm run bench:loop — where a race step's time goes beyond the bare step (issue 32 item 3): the lab's worker handler
// (LabHandler, Node wasm, shipped shapes pack, one lane) run for a while with each part of the run loop on or off,
// against the bare Trainer.step() + one data() per step; prints a table and writes bench/results/loop.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_CONFIG, mergeConfig, type TrainConfig } from '../src/core/config/config';
import { parsePack } from '../src/core/pack/pack';
import { initBackend } from '../src/model/backend';
import { LabHandler } from '../src/worker/handler';
import { PROTOCOL_VERSION, type WorkerToUi } from '../src/worker/protocol';
import { Session } from '../src/worker/session';
import { intArg, parseArgs } from '../scripts/lib/cli';

const args = parseArgs(process.argv.slice(2));
const SECONDS = intArg(args, 'seconds', 20, 1); // of running per variant, after a warm-up
const WARMUP_S = intArg(args, 'warmup', 3, 0);
const ROUNDS = intArg(args, 'rounds', 2, 1);
const BATCH = intArg(args, 'batch', 32, 1, 512);
const FILE = typeof args.file === 'string' ? args.file : 'public/packs/shapes.safetensors.gz';

interface Variant {
  name: string;
  evalEvery: number; // 0: no evaluations
  early: boolean; // the early evaluations (every 10 steps to step 300) of a link without evalEvery
  sampleMs: number; // sample views' interval (1e9: none)
  checkpointEvery: number; // 0: none
}
const VARIANTS: Variant[] = [
  {
    name: 'lab (evals every 50 + early, views, checkpoints)',
    evalEvery: 50,
    early: true,
    sampleMs: 500,
    checkpointEvery: 100,
  },
  { name: 'no early evals', evalEvery: 50, early: false, sampleMs: 500, checkpointEvery: 100 },
  { name: 'no evals', evalEvery: 0, early: false, sampleMs: 500, checkpointEvery: 100 },
  { name: 'no evals, no views', evalEvery: 0, early: false, sampleMs: 1e9, checkpointEvery: 100 },
  { name: 'metrics only', evalEvery: 0, early: false, sampleMs: 1e9, checkpointEvery: 0 },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** ms per race step of the handler with `v`'s parts, over SECONDS after WARMUP_S (steps from its metrics). */
async function loopMs(bytes: Uint8Array, config: TrainConfig, v: Variant): Promise<number> {
  let step = 0;
  const h = new LabHandler(
    (m: WorkerToUi) => {
      if (m.type === 'metrics') step = m.fromStep + m.count;
    },
    { sampleMs: v.sampleMs, checkpointEvery: v.checkpointEvery },
  );
  const send = (data: Parameters<LabHandler['onmessage']>[0]['data']) => h.onmessage({ data });
  send({
    type: 'init',
    version: PROTOCOL_VERSION,
    backend: 'wasm',
    lanes: [{ id: 0, config }],
    evalEvery: v.early ? undefined : v.evalEvery, // absent: 50 plus the early ones (the lab's default)
  });
  send({ type: 'loadPack', source: { kind: 'bytes', bytes: bytes.slice().buffer as ArrayBuffer, name: FILE } });
  await h.idle();
  while (step === 0) {
    send({ type: 'step' });
    await h.idle();
  }
  send({ type: 'play' });
  await sleep(WARMUP_S * 1000);
  const s0 = step;
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const s1 = step;
  const ms = (performance.now() - t0) / Math.max(1, s1 - s0);
  send({ type: 'stop' });
  await h.idle();
  return ms;
}

/** ms per bare step: Trainer.step() and one data() of its values per step (what bench:step times). */
async function bareMs(bytes: Uint8Array, config: TrainConfig): Promise<number> {
  const session = Session.fromShared(
    { pack: parsePack(bytes, FILE), name: FILE, bytes: bytes.length },
    [{ id: 0, config }],
    250,
  );
  session.run.ensureAllFeatures();
  const tr = session.lanes[0].trainer;
  for (let i = 0; i < 5; i++) tr.step().values.dispose();
  const n = 100;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const v = tr.step().values;
    await v.data();
    v.dispose();
  }
  const ms = (performance.now() - t0) / n;
  session.dispose();
  return ms;
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main() {
  const backend = await initBackend('wasm');
  const bytes = new Uint8Array(readFileSync(FILE));
  const config = mergeConfig(DEFAULT_CONFIG, { optim: { batchSize: BATCH } });
  const rows: Record<string, number[]> = { bare: [] };
  VARIANTS.forEach((v) => (rows[v.name] = []));
  for (let r = 0; r < ROUNDS; r++) {
    rows.bare.push(await bareMs(bytes, config));
    for (const v of VARIANTS) rows[v.name].push(await loopMs(bytes, config, v));
    process.stderr.write(
      `round ${r + 1}: ${Object.entries(rows)
        .map(([k, x]) => `${k} ${x.at(-1)!.toFixed(1)}`)
        .join(' · ')}\n`,
    );
  }
  const bare = median(rows.bare);
  console.log(`bench:loop  ${FILE}  backend=${backend}  batch=${BATCH}  CE, one lane  ${ROUNDS} rounds × ${SECONDS} s`);
  console.log('variant | ms/race step | × bare step');
  const out: Record<string, { ms: number; ratio: number }> = {};
  for (const [k, x] of Object.entries(rows)) {
    const ms = Math.round(median(x) * 10) / 10;
    out[k] = { ms, ratio: Math.round((median(x) / bare) * 100) / 100 };
    console.log(`${k.padEnd(48)} | ${String(ms).padStart(12)} | ${String(out[k].ratio).padStart(11)}`);
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/loop.json',
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, backend, pack: FILE, batch: BATCH, config: 'CE (the default)', seconds: SECONDS, rounds: ROUNDS, variants: out, numTensors: tf.memory().numTensors, conditions: process.env.BENCH_NOTE ?? null }, null, 2)}\n`,
  );
  console.log('wrote bench/results/loop.json');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
