// One worker of bench:race's N-worker rows (a Node worker_threads entry): builds its Session from the pack the bench
// parsed once (Session.fromShared), then runs race steps of its lanes as the lab's pool lets it (allow / progress).
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../../src/core/config/config';
import { initBackend } from '../../src/model/backend';
import { type SharedPack, Session } from '../../src/worker/session';

export type RaceWorkerMsg =
  | { type: 'init'; backend: 'wasm' | 'cpu'; shared: SharedPack; config: TrainConfig }
  | { type: 'lanes'; n: number } // this worker's lanes: n fresh students (ids 0…n−1); its step count starts at 0
  | { type: 'allow'; tick: number }; // run race steps while fewer than `tick` are done (the pool's lockstep)
export type RaceWorkerReply =
  { type: 'ready'; backend: string } | { type: 'progress'; tick: number; ms: number; numTensors: number }; // ms: this step's own time

let session: Session | null = null;
let config: TrainConfig | null = null;
let ticks = 0;
let allowed = 0;
let running = false;
const port = parentPort!;
const reply = (m: RaceWorkerReply) => port.postMessage(m);

/** One race step of this worker's lanes, read as the run loop reads them (one data() for all). */
async function step(): Promise<number> {
  const t0 = performance.now();
  const vals = session!.lanes.map((l) => l.trainer.step().values);
  const stacked = tf.stack(vals);
  vals.forEach((v) => v.dispose());
  await stacked.data();
  stacked.dispose();
  return performance.now() - t0;
}

async function pump(): Promise<void> {
  if (running) return;
  running = true;
  while (ticks < allowed) {
    const ms = await step();
    ticks++;
    reply({ type: 'progress', tick: ticks, ms, numTensors: tf.memory().numTensors });
    await new Promise((r) => setImmediate(r)); // let an `allow` in, as the worker's queue yields between turns
  }
  running = false;
}

port.on('message', async (msg: RaceWorkerMsg) => {
  if (msg.type === 'init') {
    const backend = await initBackend(msg.backend);
    config = msg.config;
    session = Session.fromShared(msg.shared, [{ id: 0, config }], 1);
    session.run.ensureAllFeatures(); // time the steps, not the on-demand encoding of the first ones
    reply({ type: 'ready', backend });
  } else if (msg.type === 'lanes') {
    session!.setLanes(Array.from({ length: msg.n }, (_, id) => ({ id, config: config! })));
    ticks = allowed = 0;
    reply({ type: 'progress', tick: 0, ms: 0, numTensors: tf.memory().numTensors });
  } else {
    allowed = msg.tick;
    void pump();
  }
});
