// The worker's side of "nothing lost" (DESIGN §6b): a non-finite step never reaches the weights or the curves and
// pauses the race; a diverging run is warned about; checkpoints continue a run bit for bit in a new handler.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig } from '../core/config/config';
import { valueAt } from '../core/kd/terms';
import { initBackend } from '../model/backend';
import { CHECKPOINT_EVERY } from './protocol';
import { type Harness, makeHandler, until } from './testing/handlerHarness';
import { labPackBytes } from './testing/labPack';

const config = mergeConfig(DEFAULT_CONFIG, { optim: { batchSize: 4, warmupSteps: 0 }, weights: { kd: 1 } });
let packBytes: Uint8Array;
const open: Harness[] = [];

async function loaded(
  cfg = config,
  lanes?: Parameters<Harness['init']>[0],
  checkpointEvery?: number,
): Promise<Harness> {
  const x = makeHandler(cfg, checkpointEvery);
  open.push(x);
  await x.init(lanes);
  await x.loadPack(packBytes.slice().buffer as ArrayBuffer, 'tiny.safetensors');
  return x;
}

/** Every metrics row of a lane as [step, total]. */
function totals(x: Harness, lane = 0): [number, number][] {
  return x
    .ofType('metrics')
    .filter((m) => m.lane === lane)
    .flatMap((m) =>
      Array.from({ length: m.count }, (_, i) => [m.fromStep + i, valueAt(m.values, i, 'total')] as [number, number]),
    );
}

beforeAll(async () => {
  await initBackend('cpu');
  packBytes = await labPackBytes({ n: 24 });
});
afterEach(async () => {
  for (const x of open.splice(0)) await x.send({ type: 'stop' });
});

describe('non-finite guard', () => {
  it('a NaN in the targets skips that update, keeps it out of the curves and names step and term', async () => {
    const x = await loaded();
    for (let i = 0; i < 3; i++) await x.send({ type: 'step' });
    await x.send({ type: 'exportWeights', requestId: 1, lane: 0 });
    await x.send({ type: 'fault', kind: 'nan' });
    await x.send({ type: 'step' });
    await x.send({ type: 'exportWeights', requestId: 2, lane: 0 });
    const [before, after] = x.ofType('weights');
    const body = (b: ArrayBuffer) => new Uint8Array(b).slice(new DataView(b).getUint32(0, true) + 8); // tensor bytes, past the header (step differs)
    expect(body(after.bytes)).toEqual(body(before.bytes)); // the update never reached the weights
    const bad = x.ofType('nonFinite');
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ lane: 0, step: 3 });
    expect(bad[0].bad.map((b) => b.name)).toContain('kd');
    expect(bad[0].bad.every((b) => !Number.isFinite(b.value))).toBe(true);
    expect(bad[0].message).toMatch(
      /^step 3: term.*KD.*went non-finite; the update was skipped \(lr [\d.e-]+, T [\d.]+, weights ce 1, kd 1\)/,
    );
    const rows = totals(x);
    expect(rows.map((r) => r[0])).toEqual([0, 1, 2]); // step 3 is not in the curves
    expect(rows.every((r) => Number.isFinite(r[1]))).toBe(true);
    await x.send({ type: 'step' }); // training goes on from there
    expect(totals(x).map((r) => r[0])).toEqual([0, 1, 2, 4]);
  });

  it('pauses a running race at the bad step', async () => {
    const x = await loaded();
    const n = x.got.length;
    await x.send({ type: 'play' });
    await until(() => totals(x).length >= 2);
    await x.send({ type: 'fault', kind: 'nan' });
    await until(() => x.ofType('nonFinite', n).length > 0);
    await until(() => x.ofType('status', n).some((m) => m.status === 'paused' && m.reason === 'non-finite'));
    const steps = x.ofType('metrics', n).length;
    await new Promise((r) => setTimeout(r, 200));
    expect(x.ofType('metrics', n).length).toBe(steps); // nothing more: it stays paused
    expect(totals(x).every((r) => Number.isFinite(r[1]))).toBe(true);
  });
});

describe('divergence warning', () => {
  it('lr 1 without clipping is warned about, naming the learning rate', async () => {
    const x = await loaded(mergeConfig(config, { optim: { lr: 1, clipNorm: 0 } }));
    for (let i = 0; i < 80 && x.ofType('warning').length === 0 && x.ofType('nonFinite').length === 0; i++)
      await x.send({ type: 'step' });
    const w = x.ofType('warning');
    expect(w).toHaveLength(1);
    expect(w[0].knob).toBe('optim.lr');
    expect(w[0].message).toMatch(/^diverging at step \d+: .*likely optim\.lr \(lr 1, clipNorm off/);
  });
});

describe('checkpoints', () => {
  it('a pause posts each lane’s checkpoint; a new handler resumed from it gives the same next losses', async () => {
    const x = await loaded();
    for (let i = 0; i < 5; i++) await x.send({ type: 'step' });
    await x.send({ type: 'pause' });
    const ck = x.ofType('checkpoint');
    expect(ck).toHaveLength(1);
    expect(ck[0].checkpoint.step).toBe(5);
    const transfer = x.transfers[x.got.indexOf(ck[0])];
    expect(transfer.length).toBeGreaterThan(0); // its arrays travel by transfer
    const saved = structuredClone(ck[0].checkpoint);
    for (let i = 0; i < 3; i++) await x.send({ type: 'step' });
    const y = await loaded(config, [{ id: 0, config, checkpoint: saved }]);
    expect(y.ofType('lanes').at(-1)?.lanes[0].step).toBe(5);
    for (let i = 0; i < 3; i++) await y.send({ type: 'step' });
    expect(totals(y)).toEqual(totals(x).slice(5, 8)); // steps 5, 6, 7, bit for bit on one backend
  });

  it('posts a checkpoint every `checkpointEvery` steps while it trains (CHECKPOINT_EVERY in the lab)', async () => {
    expect(CHECKPOINT_EVERY).toBeLessThanOrEqual(200); // DESIGN §6b: at most 200 steps lost
    const x = await loaded(config, undefined, 10);
    await x.send({ type: 'play' });
    await until(() => x.ofType('checkpoint').length > 0, 60_000);
    await x.send({ type: 'pause' });
    const steps = x.ofType('checkpoint').map((c) => c.checkpoint.step);
    expect(steps[0]).toBeGreaterThanOrEqual(10);
    expect(steps[0]).toBeLessThan(10 + 64); // at the first report after step 10
  });

  it('a checkpoint that does not fit the pack starts fresh lanes and says so', async () => {
    const x = await loaded();
    await x.send({ type: 'step' });
    await x.send({ type: 'pause' });
    const ck = structuredClone(x.ofType('checkpoint')[0].checkpoint);
    ck.params = { nope: { shape: [1], data: new Float32Array(1) } };
    const y = await loaded(config, [{ id: 0, config, checkpoint: ck }]);
    expect(y.ofType('packLoaded')).toHaveLength(1);
    expect(y.ofType('warning')[0].message).toMatch(/checkpoints could not be restored .*checkpoint.*params/);
    expect(y.ofType('lanes').at(-1)?.lanes[0].step).toBe(0);
  });

  it("the 'device-lost' fault does nothing off WebGPU and says so", async () => {
    const x = await loaded();
    await x.send({ type: 'fault', kind: 'device-lost' });
    expect(x.ofType('warning').at(-1)?.message).toMatch(/does nothing on the cpu backend/);
    expect(x.ofType('deviceLost')).toHaveLength(0);
  });
});

describe('fatal errors', () => {
  it('out of memory and wasm traps count as fatal (the UI restarts the worker); an ordinary error does not', async () => {
    const { isFatal } = await import('./handler');
    expect(isFatal(new RangeError('Array buffer allocation failed'))).toBe(true);
    expect(isFatal(new Error('Cannot enlarge memory arrays to size 2147483648 bytes (OOM)'))).toBe(true);
    expect(isFatal(new WebAssembly.RuntimeError('unreachable'))).toBe(true);
    expect(isFatal(new Error('setConfig: no lane 3'))).toBe(false);
  });
});
