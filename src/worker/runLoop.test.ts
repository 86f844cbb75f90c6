// The run loop on its own (no handler): two lanes of one config step in lockstep with identical losses; play/pause
// gives contiguous deltas and a flat tensor count; evaluations drain off the queue's turn; identical lanes share a pass.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig, type TrainConfig } from '../core/config/config';
import { initBackend } from '../model/backend';
import { CommandQueue } from './commandQueue';
import type { WorkerToUi } from './protocol';
import { RunLoop } from './runLoop';
import type { LoopHost } from './runLoopTypes';
import { Session } from './session';
import { type Phase, workOf } from './sessionState';
import { labPackBytes } from './testing/labPack';

type Msg<T extends WorkerToUi['type']> = Extract<WorkerToUi, { type: T }>;
const config = mergeConfig(DEFAULT_CONFIG, { optim: { batchSize: 4, warmupSteps: 0 }, weights: { kd: 1 } });
let packBytes: Uint8Array;
const sessions: Session[] = [];

beforeAll(async () => {
  await initBackend('cpu');
  packBytes = await labPackBytes({ n: 24 });
});
afterEach(() => sessions.splice(0).forEach((s) => s.dispose()));

const laneOf = (m: WorkerToUi): number => ('lane' in m ? (m.lane ?? -1) : m.type === 'sample' ? m.view.lane : -1);

/**
 * A loop over `lanes` lanes of one session of the tiny pack, recording (message, lane), with a queue whose background
 * turns are the loop's in the host's phase (what the lab session does).
 */
function makeLoop(lanes: number | TrainConfig[]) {
  const got: { msg: WorkerToUi; lane: number }[] = [];
  let phase: Phase = 'ready';
  const host: LoopHost = {
    send: (msg) => got.push({ msg, lane: laneOf(msg) }),
    get phase() {
      return phase;
    },
    halt: () => (phase = 'paused'),
  };
  const loop = new RunLoop(host, { reportMs: 20, sampleMs: 50 });
  loop.evalEvery = 4;
  const configs = typeof lanes === 'number' ? Array.from({ length: lanes }, () => config) : lanes;
  const s = new Session(
    packBytes,
    'tiny.safetensors',
    configs.map((c, id) => ({ id, config: c })),
    6,
  );
  sessions.push(s);
  loop.attach(s);
  const queue = new CommandQueue(
    (e) => {
      throw e;
    },
    () => {
      const work = workOf(phase);
      return work && loop.turn(work);
    },
  );
  const play = () => queue.push(() => ((phase = 'running'), loop.started()));
  const pause = () => queue.push(() => loop.flush().then(() => void (phase = 'paused')));
  const of = <T extends WorkerToUi['type']>(t: T, lane?: number) =>
    got.filter((g) => g.msg.type === t && (lane === undefined || g.lane === lane)).map((g) => g.msg as Msg<T>);
  return { loop, got, of, queue, play, pause, session: s };
}

describe('RunLoop', () => {
  it('steps two lanes of one config in lockstep: identical losses, one delta and one eval per lane, one sample view', async () => {
    const { loop, of } = makeLoop(2);
    loop.refresh();
    for (let i = 0; i < 4; i++) await loop.stepOnce();
    const a = of('metrics', 0);
    const b = of('metrics', 1);
    expect(a.map((m) => m.fromStep)).toEqual([0, 1, 2, 3]);
    expect(b.map((m) => Array.from(m.values))).toEqual(a.map((m) => Array.from(m.values)));
    expect(of('eval', 0).map((e) => e.step)).toEqual([0, 4]);
    expect(of('eval', 1).map((e) => e.step)).toEqual([0, 4]);
    expect(of('eval', 1)[1].valLoss).toEqual(of('eval', 0)[1].valLoss);
    expect(of('sample', 1)).toHaveLength(0); // the sample view is the selected lane's
    expect(of('sample', 0).length).toBeGreaterThan(0);
  });

  it('plays in contiguous per-lane deltas until paused; the tensor count stays flat', async () => {
    const { loop, of, queue, play, pause } = makeLoop(2);
    await loop.stepOnce();
    await loop.stepOnce();
    const tensors = tf.memory().numTensors;
    await play();
    const t0 = Date.now();
    while (of('metrics', 1).reduce((s, m) => s + m.count, 0) < 10 && Date.now() - t0 < 20_000)
      await new Promise((r) => setTimeout(r, 5));
    await pause();
    await queue.idle(); // the evaluations in progress finish in the background
    for (const lane of [0, 1]) {
      const rows = of('metrics', lane);
      for (let i = 1; i < rows.length; i++) expect(rows[i].fromStep).toBe(rows[i - 1].fromStep + rows[i - 1].count);
    }
    expect(of('metrics', 0).at(-1)?.fromStep).toBe(of('metrics', 1).at(-1)?.fromStep);
    const n = of('metrics').length;
    await new Promise((r) => setTimeout(r, 50));
    expect(of('metrics')).toHaveLength(n); // paused: no more steps
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('a play queued after a refresh starts stepping before the step-0 evaluations end; they finish between steps', async () => {
    const { loop, got, of, queue, play, pause } = makeLoop(2);
    void queue.push(() => loop.refresh()); // returns at once: the evaluations settle on the queue, a chunk per turn
    void play();
    const t0 = Date.now();
    while (of('eval').length < 2 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 5));
    await pause();
    await queue.idle();
    const first = got.findIndex((g) => g.msg.type === 'metrics');
    const evals = got.flatMap((g, i) => (g.msg.type === 'eval' && g.msg.step === 0 ? [i] : []));
    expect(evals).toHaveLength(2);
    expect(first).not.toBe(-1); // a metrics message came at all
    expect(first).toBeLessThan(evals[1]); // the race stepped while the step-0 evaluations were still running
  });

  it('lanes with bit-identical weights share one generation pass; other weights get their own', async () => {
    const warm = mergeConfig(config, { kd: { T: 2 } });
    const a = makeLoop([config, warm, mergeConfig(config, { seed: config.seed + 1 })]);
    const tensors = tf.memory().numTensors;
    await a.queue.push(() => a.loop.refresh());
    await a.queue.idle();
    const ev = [0, 1, 2].map((lane) => a.of('eval', lane)[0]);
    expect(a.session.passesStarted).toBe(2); // one for the two lanes of one seed, one for the other seed
    expect(ev[1].overall).toBe(ev[0].overall);
    expect(Array.from(ev[1].perFamily)).toEqual(Array.from(ev[0].perFamily));
    expect(ev[1].valLoss[2]).not.toBe(ev[0].valLoss[2]); // val KD at its own temperature
    expect(tf.memory().numTensors).toBe(tensors); // every pass's weights freed
    await a.loop.stepOnce(); // the steps part the two lanes' weights: the next evaluation is their own
    const before = a.session.passesStarted;
    for (let i = 0; i < 3; i++) await a.loop.stepOnce();
    expect(a.of('eval', 1).map((e) => e.step)).toEqual([0, 4]);
    expect(a.session.passesStarted - before).toBe(3);
  });
});
