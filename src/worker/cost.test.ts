// A pack's cost checked in the worker before it applies (issue 31): a pack past the sequence bound is refused by name
// and the lab keeps its pack; a batch size whose step would pass the memory bound is refused on optim.batchSize with
// the largest batch that fits, and the batch in force stays; the same for a new lane.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig } from '../core/config/config';
import { initBackend } from '../model/backend';
import { type Harness, makeHandler } from './testing/handlerHarness';
import { bigPatchPackBytes, labPackBytes } from './testing/labPack';

const config = mergeConfig(DEFAULT_CONFIG, { optim: { batchSize: 4, warmupSteps: 0 } });
let p144: Uint8Array; // P = 144 image tokens: valid, and a batch of 512 would need ≈ 3.6 GiB (the largest that fits: 212)
let p1024: Uint8Array; // P = 1,024: past the sequence bound
let tiny: Uint8Array;
const open: Harness[] = [];

beforeAll(async () => {
  await initBackend('cpu');
  p144 = await bigPatchPackBytes(12);
  p1024 = await bigPatchPackBytes(32, false);
  tiny = await labPackBytes({ n: 24 });
});
afterEach(async () => {
  for (const x of open.splice(0)) await x.send({ type: 'stop' });
});

async function harness(): Promise<Harness> {
  const x = makeHandler(config);
  open.push(x);
  await x.init();
  return x;
}
const buf = (b: Uint8Array) => b.slice().buffer as ArrayBuffer;

describe('the cost of a pack and of a config change', () => {
  it('P = 1,024 is refused by name with a hint; the pack loaded before stays and trains', async () => {
    const x = await harness();
    await x.loadPack(buf(tiny), 'tiny.safetensors');
    const n = await x.loadPack(buf(p1024), 'p1024.safetensors.gz');
    const err = x.ofType('packError', n)[0];
    expect(err.error.message).toMatch(
      /^p1024\.safetensors\.gz: sequence length: P \+ Lp \+ A at most 256 tokens \(got 1024 \+ 5 \+ 4 = 1033\)/,
    );
    expect(err.error.message).toMatch(/HINT: pool the image features to P ≤ 64/);
    await x.send({ type: 'step' });
    expect(x.ofType('metrics').length).toBeGreaterThan(0);
  });

  it('a batch whose step would pass the memory bound is refused on optim.batchSize; the batch in force stays', async () => {
    const x = await harness();
    const n0 = await x.loadPack(buf(p144), 'p144.safetensors.gz');
    expect(x.ofType('packLoaded', n0)).toHaveLength(1);
    const n = x.got.length;
    await x.send({ type: 'setConfig', lane: 0, patch: { optim: { batchSize: 512 } } });
    const e = x.ofType('configError', n)[0];
    expect(e.error.field).toBe('config.optim.batchSize');
    const fit = Number(/at most (\d+) for this pack/.exec(e.error.message)?.[1]);
    expect(fit).toBeGreaterThanOrEqual(32);
    expect(fit).toBeLessThan(512);
    expect(e.error.message).toMatch(/a step would need|needs ≈ \d+ MiB/);
    expect(x.ofType('configApplied', n).at(-1)!.config.optim.batchSize).toBe(4);
    await x.send({ type: 'setConfig', lane: 0, patch: { optim: { batchSize: fit } } });
    expect(x.ofType('configApplied', n).at(-1)!.config.optim.batchSize).toBe(fit);
  });

  it('a new lane at a batch that does not fit is refused; the race stays as it was', async () => {
    const x = await harness();
    await x.loadPack(buf(p144), 'p144.safetensors.gz');
    const n = x.got.length;
    await x.send({ type: 'addLane', lane: { id: 1, config: mergeConfig(config, { optim: { batchSize: 512 } }) } });
    expect(x.ofType('configError', n)[0].error.field).toBe('config.optim.batchSize');
    expect(
      x
        .ofType('lanes', n)
        .at(-1)!
        .lanes.map((l) => l.id),
    ).toEqual([0]);
  });
});
