// The lab session through its phases on the tiny pack (tfjs cpu): no pack (lanes as configs only), a load, ready,
// running, a bad pack while running, paused, a new race, and a restore whose checkpoints do not fit (recovering).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig } from '../core/config/config';
import { initBackend } from '../model/backend';
import { CommandQueue } from './commandQueue';
import { LabSession } from './labSession';
import { PROTOCOL_VERSION, type LaneSpec, type WorkerToUi } from './protocol';
import type { Phase } from './sessionState';
import { until } from './testing/handlerHarness';
import { labPackBytes } from './testing/labPack';

const config = mergeConfig(DEFAULT_CONFIG, { optim: { batchSize: 4, warmupSteps: 0 } });
let packBytes: Uint8Array;
const open: { lab: LabSession; queue: CommandQueue }[] = [];

beforeAll(async () => {
  await initBackend('cpu');
  packBytes = await labPackBytes({ n: 24 });
});
afterEach(async () => {
  for (const { lab, queue } of open.splice(0)) await queue.push(() => lab.stop());
});

/** A session on a queue (as the handler wires them), recording each message with the phase it was sent in. */
async function makeLab(lanes: LaneSpec[] = [{ id: 0, config }]) {
  const got: { msg: WorkerToUi; phase: Phase }[] = [];
  const lab: LabSession = new LabSession((msg) => got.push({ msg, phase: lab.phase }), { reportMs: 20, sampleMs: 50 });
  const queue = new CommandQueue(
    (e) => got.push({ msg: { type: 'error', error: { name: 'Error', message: String(e) } }, phase: lab.phase }),
    () => lab.turn(),
  );
  open.push({ lab, queue });
  const run = async (fn: () => unknown) => {
    await queue.push(async () => void (await fn()));
    await queue.idle();
  };
  const types = (from = 0) => got.slice(from).map((g) => g.msg.type);
  await run(() =>
    lab.init({ type: 'init', version: PROTOCOL_VERSION, backend: 'cpu', lanes, evalEvery: 5, evalSamples: 6 }),
  );
  return {
    lab,
    queue,
    got,
    run,
    types,
    load: (bytes: Uint8Array) => run(() => lab.load(bytes.slice(), 'tiny.safetensors')),
  };
}

describe('LabSession phases', () => {
  it('no pack: play and step do nothing; lanes are configs, checked by the race rules and listed', async () => {
    const { lab, got, run, types } = await makeLab();
    expect(lab.phase).toBe('no-pack');
    const n = got.length;
    await run(() => lab.play());
    await run(() => lab.step());
    expect(types(n)).toEqual([]);
    await run(() => lab.setConfig(0, { weights: { kd: 2 } }));
    await run(() => lab.addLane({ id: 3, config }));
    await run(() => lab.removeLane(0));
    await run(() => lab.removeLane(3)); // the last lane stays
    expect(types(n)).toEqual(['configApplied', 'lanes', 'lanes', 'configError', 'lanes']);
    const lanes = got
      .filter((g) => g.msg.type === 'lanes')
      .map((g) => (g.msg as Extract<WorkerToUi, { type: 'lanes' }>).lanes.map((l) => l.id));
    expect(lanes).toEqual([[0, 3], [3], [3]]);
    expect(lab.phase).toBe('no-pack');
  });

  it('loading → ready → running; a bad pack while running leaves it running; pause, step, a new race → ready', async () => {
    const { lab, got, run, load } = await makeLab();
    await load(packBytes);
    expect(got.find((g) => g.msg.type === 'packLoaded')?.phase).toBe('loading'); // announced before the load ends
    expect(lab.phase).toBe('ready');
    await run(() => lab.play());
    expect(lab.phase).toBe('running');
    await until(() => got.some((g) => g.msg.type === 'metrics'));
    const bad = packBytes.slice(0, 100);
    const n = got.length;
    await run(() => lab.load(bad, 'bad.safetensors'));
    expect(got.slice(n).find((g) => g.msg.type === 'packError')?.phase).toBe('loading');
    expect(lab.phase).toBe('running'); // the failed load returned to where it started
    const steps = got.filter((g) => g.msg.type === 'metrics').length;
    await until(() => got.filter((g) => g.msg.type === 'metrics').length > steps); // and the race steps on
    await run(() => lab.pause('user'));
    expect(lab.phase).toBe('paused');
    await run(() => lab.step());
    expect(lab.phase).toBe('paused');
    await run(() => lab.newRace(undefined));
    expect(lab.phase).toBe('ready');
    const status = got
      .filter((g) => g.msg.type === 'status')
      .map((g) => (g.msg as Extract<WorkerToUi, { type: 'status' }>).status);
    expect(status).toContain('running');
    expect(status.at(-1)).toBe('idle');
  });

  it('a restore: recovering, then ready at the checkpoint; checkpoints that do not fit go on as fresh lanes (loading)', async () => {
    const first = await makeLab();
    await first.load(packBytes);
    await first.run(() => first.lab.step());
    await first.run(() => first.lab.pause('user'));
    const saved = (
      first.got.find((g) => g.msg.type === 'checkpoint')!.msg as Extract<WorkerToUi, { type: 'checkpoint' }>
    ).checkpoint;
    const good = await makeLab([{ id: 0, config, checkpoint: structuredClone(saved) }]);
    await good.load(packBytes);
    expect(good.got.find((g) => g.msg.type === 'packLoaded')?.phase).toBe('recovering');
    expect(
      (good.got.find((g) => g.msg.type === 'lanes')?.msg as Extract<WorkerToUi, { type: 'lanes' }>).lanes[0].step,
    ).toBe(1);
    expect(good.lab.phase).toBe('ready');
    const ck = structuredClone(saved);
    ck.params = { nope: { shape: [1], data: new Float32Array(1) } };
    const { lab, got, load } = await makeLab([{ id: 0, config, checkpoint: ck }]);
    await load(packBytes);
    const path = got.filter((g) => ['warning', 'packLoaded'].includes(g.msg.type)).map((g) => [g.msg.type, g.phase]);
    expect(path).toEqual([
      ['warning', 'loading'], // the checkpoints did not fit: the restore went on as a load of fresh lanes
      ['packLoaded', 'loading'],
    ]);
    expect(lab.phase).toBe('ready');
  });
});
