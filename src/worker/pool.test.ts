// The training pool in Node with in-process workers (each a LabHandler on the cpu backend): lanes dealt over workers,
// the pack shared over a port, bit-identical losses whatever the number of workers, lockstep, and a crash of one worker.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig, type TrainConfig } from '../core/config/config';
import { valueAt } from '../core/kd/terms';
import { initBackend } from '../model/backend';
import { LabHandler } from './handler';
import { dealLanes, workerCap } from '../core/race/workers';
import { type PoolCrash, TrainPool } from './pool';
import { PROTOCOL_VERSION, type LaneSpec, type UiToWorker, type WorkerToUi } from './protocol';
import { type Msg, until } from './testing/handlerHarness';
import { labPackBytes } from './testing/labPack';

const base = mergeConfig(DEFAULT_CONFIG, { optim: { batchSize: 4, warmupSteps: 0 } });
const kd = mergeConfig(base, { weights: { kd: 1 } });
let packBytes: Uint8Array;

/** A pool of in-process workers; `crash(i)` kills worker i as a thrown error in a real worker would. */
function makePool(cores: number, workers: number | null = null) {
  const got: WorkerToUi[] = [];
  const crashes: { message: string; lanes: number[] | null }[] = [];
  const ports: { crash: (m: string) => void; dead: boolean; h: LabHandler }[] = [];
  const onCrash: PoolCrash = (message, lanes) => crashes.push({ message, lanes });
  const pool = new TrainPool((m) => got.push(m), onCrash, {
    cores,
    workers,
    makeWorker: (onMessage, crash) => {
      const w = {
        dead: false,
        crash: (m: string) => {
          w.dead = true;
          crash(m);
        },
        h: new LabHandler((m) => setTimeout(() => !w.dead && onMessage(m), 0), { reportMs: 20, sampleMs: 50 }),
      };
      ports.push(w);
      return {
        send: (msg: UiToWorker) => setTimeout(() => !w.dead && w.h.onmessage({ data: msg }), 0),
        terminate: () => {
          if (!w.dead) w.h.onmessage({ data: { type: 'stop' } });
          w.dead = true;
        },
      };
    },
  });
  const ofType = <T extends WorkerToUi['type']>(t: T, from = 0) =>
    got.slice(from).filter((m): m is Msg<T> => m.type === t);
  const start = async (lanes: LaneSpec[]) => {
    pool.send({ type: 'init', version: PROTOCOL_VERSION, backend: 'cpu', lanes, evalEvery: 0, evalSamples: 6 });
    const bytes = packBytes.slice().buffer as ArrayBuffer;
    pool.send({ type: 'loadPack', source: { kind: 'bytes', bytes, name: 'tiny.safetensors' } });
    await until(() => ofType('packLoaded').length > 0 && ofType('lanes').length > 0, 90_000);
  };
  /** The totals each lane reported, by lane id, in step order. */
  const totals = () => {
    const out = new Map<number, number[]>();
    for (const m of ofType('metrics'))
      for (let r = 0; r < m.count; r++)
        (out.get(m.lane) ?? out.set(m.lane, []).get(m.lane)!).push(valueAt(m.values, r, 'total'));
    return out;
  };
  const steps = (id: number) =>
    ofType('metrics')
      .filter((m) => m.lane === id)
      .reduce((n, m) => n + m.count, 0);
  return { pool, got, crashes, ports, ofType, start, totals, steps };
}

const open: TrainPool[] = [];
afterEach(() => open.splice(0).forEach((p) => p.terminate()));

beforeAll(async () => {
  await initBackend('cpu');
  packBytes = await labPackBytes({ n: 24 });
});

describe('workerCap and dealLanes', () => {
  it('uses the cores up to MAX_LANES on wasm and cpu, one worker on a GPU, the link when it says', () => {
    expect(workerCap('wasm', { cores: 2 })).toEqual({ cap: 2, note: '2 cores' });
    expect(workerCap('cpu', { cores: 16 })).toEqual({ cap: 4, note: null });
    expect(workerCap('wasm', { cores: 8, memoryGb: 2 })).toEqual({ cap: 2, note: '2 GB of device memory' });
    expect(workerCap('webgpu', { cores: 8 }).cap).toBe(1);
    expect(workerCap('wasm', { cores: 8, workers: 1 })).toEqual({ cap: 1, note: 'set by the link' });
    expect(workerCap('wasm', { cores: 1, workers: 3 }).cap).toBe(3);
  });
  it('deals lanes round-robin in race order', () => {
    expect(dealLanes([0, 1, 2, 3], 2)).toEqual([
      [0, 2],
      [1, 3],
    ]);
    expect(dealLanes([5, 6, 7], 4)).toEqual([[5], [6], [7], []]);
  });
});

describe('TrainPool', () => {
  const lanes = (): LaneSpec[] => [
    { id: 0, config: base },
    { id: 1, config: kd },
    { id: 2, config: mergeConfig(kd, { kd: { T: 2 } }) },
  ];

  it('steps lanes on two workers with the losses of one worker, bit for bit', async () => {
    const one = makePool(1);
    const two = makePool(2);
    open.push(one.pool, two.pool);
    await Promise.all([one.start(lanes()), two.start(lanes())]);
    expect(one.pool.workers).toBe(1);
    expect(two.pool.workers).toBe(2);
    expect(two.ofType('workers').at(-1)).toMatchObject({ count: 2, cap: 2, note: '2 cores' });
    expect(two.ofType('packLoaded')).toHaveLength(1); // the UI hears of the pack once, when every worker has it
    expect(
      two
        .ofType('lanes')
        .at(-1)!
        .lanes.map((l) => l.id),
    ).toEqual([0, 1, 2]); // merged in race order
    for (let i = 0; i < 4; i++) {
      one.pool.send({ type: 'step' });
      two.pool.send({ type: 'step' });
    }
    await until(() => [0, 1, 2].every((id) => one.steps(id) === 4 && two.steps(id) === 4), 60_000);
    const a = one.totals();
    const b = two.totals();
    for (const id of [0, 1, 2]) {
      expect(b.get(id)).toEqual(a.get(id));
      expect(b.get(id)!.every(Number.isFinite)).toBe(true);
    }
    expect(a.get(1)).not.toEqual(a.get(0)); // the lanes differ (a test that can fail)
  }, 180_000);

  it('keeps the workers in lockstep while running: no lane more than the slack ahead of another', async () => {
    const x = makePool(2);
    open.push(x.pool);
    await x.start([
      { id: 0, config: base },
      { id: 1, config: mergeConfig(kd, { optim: { batchSize: 8 } }) }, // a slower lane on the other worker
    ]);
    const gaps: number[] = [];
    x.pool.send({ type: 'play' });
    const t0 = Date.now();
    while (Date.now() - t0 < 3000) {
      await new Promise((r) => setTimeout(r, 50));
      gaps.push(Math.abs(x.steps(0) - x.steps(1)));
    }
    x.pool.send({ type: 'pause' });
    await until(() => x.ofType('status').some((s) => s.status === 'paused'));
    expect(x.steps(1)).toBeGreaterThan(2);
    // metrics arrive in ~20 ms deltas, so a reported gap can exceed the slack (2) by one delta's steps
    expect(Math.max(...gaps)).toBeLessThanOrEqual(8);
  }, 120_000);

  it("a crashed worker's lanes come back from their checkpoints on a new worker; the others train on", async () => {
    const x = makePool(2);
    open.push(x.pool);
    await x.start(lanes().slice(0, 2));
    for (let i = 0; i < 3; i++) x.pool.send({ type: 'step' });
    x.pool.send({ type: 'pause' }); // every lane checkpoints
    await until(() => x.ofType('checkpoint').length >= 2);
    const ck = x.ofType('checkpoint').find((c) => c.lane === 1)!.checkpoint;
    x.ports[1].crash('boom');
    expect(x.crashes).toEqual([{ message: 'boom', lanes: [1] }]);
    expect(x.pool.workers).toBe(1);
    const n = x.got.length;
    x.pool.respawn([{ id: 1, config: kd, checkpoint: ck }]);
    await until(() => x.ofType('packLoaded', n).length > 0);
    expect(x.pool.workers).toBe(2);
    const rows = x.ofType('lanes', n).at(-1)!.lanes;
    expect(rows.map((l) => [l.id, l.step])).toEqual([
      [0, 3],
      [1, 3],
    ]);
    x.pool.send({ type: 'step' });
    await until(() => x.steps(1) === 4 && x.steps(0) === 4);
  }, 180_000);

  it('one worker crashing alone, or of its step, ends the pool', async () => {
    const x = makePool(2);
    open.push(x.pool);
    await x.start([{ id: 0, config: base }]);
    x.ports[0].crash('boom');
    expect(x.crashes).toEqual([{ message: 'boom', lanes: null }]);
    const y = makePool(2);
    open.push(y.pool);
    await y.start(lanes().slice(0, 2));
    y.ports[0].crash('RuntimeError: memory access out of bounds');
    expect(y.crashes[0].lanes).toBeNull();
  }, 180_000);

  it('an added lane gets its own worker up to the cap; removing its only lane ends that worker', async () => {
    const x = makePool(2);
    open.push(x.pool);
    await x.start([{ id: 0, config: base }]);
    expect(x.pool.workers).toBe(1);
    x.pool.send({ type: 'addLane', lane: { id: 4, config: kd } });
    await until(() => x.ofType('lanes').at(-1)!.lanes.length === 2);
    expect(x.pool.workers).toBe(2);
    x.pool.send({ type: 'addLane', lane: { id: 5, config: base } }); // at the cap: joins the worker with fewest lanes
    await until(() => x.ofType('lanes').at(-1)!.lanes.length === 3);
    expect(x.pool.workers).toBe(2);
    x.pool.send({ type: 'step' });
    await until(() => [0, 4, 5].every((id) => x.steps(id) === 1));
    x.pool.send({ type: 'removeLane', lane: 4 });
    await until(() => x.ofType('lanes').at(-1)!.lanes.length === 2);
    expect(
      x
        .ofType('lanes')
        .at(-1)!
        .lanes.map((l) => l.id),
    ).toEqual([0, 5]);
    expect(x.ofType('workers').at(-1)!.count).toBe(x.pool.workers);
  }, 180_000);

  it('a setConfig goes to the lane owner only; a config refused comes back as before', async () => {
    const x = makePool(2);
    open.push(x.pool);
    await x.start(lanes().slice(0, 2));
    const n = x.got.length;
    x.pool.send({ type: 'setConfig', lane: 1, patch: { kd: { T: 3 } } });
    await until(() => x.ofType('configApplied', n).length > 0);
    const applied = x.ofType('configApplied', n);
    expect(applied).toHaveLength(1);
    expect(applied[0].lane).toBe(1);
    expect((applied[0].config as TrainConfig).kd.T).toBe(3);
  }, 180_000);
});
