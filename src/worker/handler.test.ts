// The worker handler in Node with a stubbed postMessage (web-llm's pattern): init, pack loading and rejection,
// single steps, live config, play/pause deltas, reset determinism, race lanes, and flat tensor count (tfjs cpu backend).
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig } from '../core/config/config';
import { initBackend } from '../model/backend';
import { LabHandler } from './handler';
import { PROTOCOL_VERSION, type WorkerToUi } from './protocol';
import { type Harness, makeHandler as makeHarness, type Msg, until } from './testing/handlerHarness';
import { labPackBytes } from './testing/labPack';

const config = mergeConfig(DEFAULT_CONFIG, { optim: { batchSize: 4, warmupSteps: 0 } });
let packBytes: Uint8Array; // an immutable fixture: every case loads its own copy into its own handler

const makeHandler = () => makeHarness(config);

const copy = () => packBytes.slice().buffer as ArrayBuffer;
const open: Harness[] = [];

/** A fresh handler, initialised, with the tiny pack loaded (its load messages recorded too). */
async function loaded(): Promise<Harness> {
  const x = makeHandler();
  open.push(x);
  await x.init();
  await x.loadPack(copy(), 'tiny.safetensors');
  return x;
}

beforeAll(async () => {
  await initBackend('cpu');
  packBytes = await labPackBytes({ n: 24 });
});
afterEach(async () => {
  for (const x of open.splice(0)) await x.send({ type: 'stop' });
});

describe('LabHandler', () => {
  it('answers init with ready and the backend; refuses another protocol version', async () => {
    const x = makeHandler();
    open.push(x);
    const { got, send, ofType } = x;
    await x.init();
    const ready = ofType('ready');
    expect(ready).toHaveLength(1);
    expect(ready[0]).toMatchObject({ version: PROTOCOL_VERSION, backend: 'cpu', isFallbackAdapter: null });
    const n = got.length;
    await send({ type: 'init', version: PROTOCOL_VERSION + 1, backend: 'cpu', lanes: [{ id: 0, config }] });
    const err = ofType('error', n);
    expect(err[0].error.message).toMatch(/version/);
    expect(err[0].error.name).toBe('Error');
  });

  it('loads a pack: progress, packLoaded, applied config, idle status, a step-0 eval and a sample view', async () => {
    const x = makeHandler();
    open.push(x);
    const { got, ofType } = x;
    await x.init();
    const n = await x.loadPack(copy(), 'tiny.safetensors');
    const types = got.slice(n).map((m) => m.type);
    expect(types).toEqual(['packProgress', 'packLoaded', 'lanes', 'status', 'eval', 'sample', 'status']);
    const info = ofType('packLoaded', n)[0].info;
    expect(info).toMatchObject({
      name: 'tiny.safetensors',
      families: ['color', 'count'],
      targets: { kind: 'dense' },
      hasTeacherWeights: true,
      teacherOverall: 62.5,
    });
    const ev = ofType('eval', n)[0];
    expect(ev.step).toBe(0);
    expect(ev.perFamily).toBeInstanceOf(Float32Array);
    expect(Number.isFinite(ev.valLoss[1])).toBe(true);
    const view = ofType('sample', n)[0].view;
    expect(view.image.length).toBe(8 * 8 * 3);
    expect(view.teacher.length).toBe(view.k * info.A);
    expect(view.positions.length).toBeGreaterThan(0);
    expect(Number.isFinite(view.divergence[0])).toBe(true);
    // Alignment over training: [S, A] divergences of the first S val samples; affinity [P, A] of teacher and student.
    expect(ev.alignment.length).toBe(info.alignSamples * info.A);
    expect(Array.from(ev.alignment).some(Number.isFinite)).toBe(true);
    const P = info.grid.rows * info.grid.cols;
    expect(view.teacherAffinity.length).toBe(P * info.A);
    expect(view.studentAffinity.length).toBe(P * info.A);
    expect(Array.from(view.studentAffinity).every((x) => x >= -1.0001 && x <= 1.0001)).toBe(true);
  });

  it('exports the student as a safetensors file that reads back with the live weights', async () => {
    const { got, transfers, send, ofType } = await loaded();
    const n = got.length;
    await send({ type: 'exportWeights', requestId: 7, lane: 0 });
    const w = ofType('weights', n)[0];
    expect(w.requestId).toBe(7);
    expect(w.name).toMatch(/^student-tiny-step\d+\.safetensors$/);
    const { readSafetensors } = await import('../core/pack/safetensors');
    const f = readSafetensors(new Uint8Array(w.bytes), w.name);
    expect(f.metadata.format).toBe('llavadi-lab-student');
    expect(Object.keys(f.tensors).every((k) => k.startsWith('student.'))).toBe(true);
    expect(f.tensors['student.lm.embed'].dtype).toBe('F32');
    expect(transfers[got.indexOf(w)]).toContain(w.bytes);
  });

  it('takes exactly one step on `step` and posts it as a one-row delta with transferred arrays', async () => {
    const { got, transfers, send, ofType } = await loaded();
    const n = got.length;
    await send({ type: 'step' });
    const m = ofType('metrics', n);
    expect(m).toHaveLength(1);
    expect(m[0]).toMatchObject({ lane: 0, fromStep: 0, count: 1, source: 'cached' });
    expect(m[0].values).toHaveLength(8);
    expect(m[0].weights).toHaveLength(6);
    expect(Number.isFinite(m[0].values[0])).toBe(true);
    const idx = got.indexOf(m[0]);
    expect(transfers[idx]).toContain(m[0].values.buffer);
    expect(ofType('status', n).at(-1)?.step).toBe(1);
  });

  it('applies setConfig at the next step (weights travel with each row) and refuses a bad patch naming the field', async () => {
    const { got, send, ofType } = await loaded();
    let n = got.length;
    await send({ type: 'setConfig', lane: 0, patch: { weights: { kd: 2.5 } } });
    expect(ofType('configApplied', n)[0].config.weights.kd).toBe(2.5);
    await send({ type: 'step' });
    const row = ofType('metrics', n)[0];
    expect(row.weights[2]).toBe(2.5);
    const [total, ce, , kd] = row.values;
    expect(total).toBeCloseTo(ce + 2.5 * kd, 4);
    n = got.length;
    await send({ type: 'setConfig', lane: 0, patch: { kd: { T: -1 } } });
    const err = ofType('configError', n);
    expect(err).toHaveLength(1);
    expect(err[0].error.field).toBe('config.kd.T');
    expect(ofType('configApplied', n)[0].config.kd.T).toBe(1); // the UI is re-synced with the config in force
  });

  it('plays in contiguous deltas until paused, then posts nothing more', async () => {
    const { got, send, ofType } = await loaded();
    const n = got.length;
    await send({ type: 'play' });
    await until(() => ofType('metrics', n).reduce((s, m) => s + m.count, 0) >= 12);
    await send({ type: 'pause' });
    const rows = ofType('metrics', n);
    for (let i = 1; i < rows.length; i++) expect(rows[i].fromStep).toBe(rows[i - 1].fromStep + rows[i - 1].count);
    expect(ofType('eval', n).some((e) => e.step % 5 === 0)).toBe(true);
    expect(ofType('status', n).at(-1)?.status).toBe('paused');
    const m = got.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(ofType('metrics', m)).toHaveLength(0);
  });

  it('keeps its pack and run when a malformed pack arrives; the banner error names the field', async () => {
    const x = await loaded();
    const { send, ofType } = x;
    const bad = packBytes.slice();
    const hdr = new TextDecoder().decode(bad.subarray(8, 8 + Number(new DataView(bad.buffer).getBigUint64(0, true))));
    const at = hdr.indexOf('"version":"1"');
    expect(at).toBeGreaterThan(0);
    bad[8 + at + 11] = '7'.charCodeAt(0); // metadata.version "7"
    const n = await x.loadPack(bad.buffer as ArrayBuffer, 'bad.safetensors', 'packError');
    const e = ofType('packError', n)[0];
    expect(e.error.field).toBe('metadata.version');
    expect(e.error.message).toMatch(/bad\.safetensors/);
    expect(ofType('packLoaded', n)).toHaveLength(0);
    await send({ type: 'step' });
    expect(ofType('metrics', n)).toHaveLength(1);
  });

  it('resets to step 0 and reproduces the same first losses; tensor count stays flat while stepping', async () => {
    const { got, send, ofType } = await loaded();
    await send({ type: 'setConfig', lane: 0, patch: { weights: { kd: 0 } } });
    await send({ type: 'reset' });
    let n = got.length;
    await send({ type: 'step' });
    await send({ type: 'step' });
    const first = ofType('metrics', n).map((m) => m.values[0]);
    expect(ofType('metrics', n)[0].fromStep).toBe(0);
    const tensors = tf.memory().numTensors;
    await send({ type: 'step' });
    await send({ type: 'step' });
    expect(tf.memory().numTensors).toBe(tensors);
    await send({ type: 'reset' });
    n = got.length;
    await send({ type: 'step' });
    await send({ type: 'step' });
    expect(ofType('metrics', n).map((m) => m.values[0])).toEqual(first);
  });

  it('races lanes: an added copy steps in lockstep from 0; after a reset both give the same losses; removing one leaves the other', async () => {
    const { got, send, ofType } = await loaded();
    await send({ type: 'step' });
    await send({ type: 'step' });
    let n = got.length;
    await send({ type: 'addLane', lane: { id: 5, config } });
    expect(
      ofType('lanes', n)
        .at(-1)
        ?.lanes.map((l) => [l.id, l.step]),
    ).toEqual([
      [0, 2],
      [5, 0],
    ]);
    expect(ofType('eval', n).map((e) => [e.lane, e.step])).toEqual([[5, 0]]);
    n = got.length;
    await send({ type: 'step' });
    expect(ofType('metrics', n).map((m) => [m.lane, m.fromStep])).toEqual([
      [0, 2],
      [5, 0],
    ]);
    await send({ type: 'reset' });
    n = got.length;
    for (let i = 0; i < 3; i++) await send({ type: 'step' });
    const of = (lane: number) =>
      ofType('metrics', n)
        .filter((m) => m.lane === lane)
        .map((m) => Array.from(m.values));
    expect(of(0)).toHaveLength(3);
    expect(of(5)).toEqual(of(0)); // same config, same seed, same batches: bit for bit
    n = got.length;
    await send({ type: 'removeLane', lane: 0 });
    expect(
      ofType('lanes', n)
        .at(-1)
        ?.lanes.map((l) => l.id),
    ).toEqual([5]);
    await send({ type: 'step' });
    expect(ofType('metrics', n).map((m) => [m.lane, m.fromStep])).toEqual([[5, 3]]);
    n = got.length;
    await send({ type: 'removeLane', lane: 5 }); // the last lane stays
    expect(ofType('configError', n)[0].error.field).toBe('race.lane');
    await send({ type: 'setConfig', lane: 9, patch: { weights: { kd: 1 } } });
    expect(ofType('configError', n).at(-1)?.error.field).toBe('race.lane');
  });

  it('setLanes starts a new race of fresh students; a refused lane config leaves the race as it was', async () => {
    const { got, send, ofType } = await loaded();
    await send({ type: 'step' });
    let n = got.length;
    const kd = mergeConfig(config, { weights: { kd: 1 } });
    await send({
      type: 'setLanes',
      lanes: [
        { id: 1, config },
        { id: 2, config: kd },
      ],
    });
    expect(
      ofType('lanes', n)
        .at(-1)
        ?.lanes.map((l) => [l.id, l.step, l.config.weights.kd]),
    ).toEqual([
      [1, 0, 0],
      [2, 0, 1],
    ]);
    n = got.length;
    await send({ type: 'setLanes', lanes: [{ id: 3, config: { ...config, kd: { ...config.kd, T: -1 } } }] });
    expect(ofType('configError', n)[0].error.field).toBe('config.kd.T');
    expect(
      ofType('lanes', n)
        .at(-1)
        ?.lanes.map((l) => l.id),
    ).toEqual([1, 2]);
    n = got.length;
    await send({ type: 'selectLane', lane: 2, compare: 1 });
    expect(ofType('sample', n).map((m) => m.view.lane)).toEqual([2, 1]);
    await send({ type: 'step' }); // the first step allocates the optimiser's state
    const tensors = tf.memory().numTensors;
    await send({ type: 'step' });
    await send({ type: 'step' });
    expect(tf.memory().numTensors).toBe(tensors);
  });
});

describe('LabHandler pack URL', () => {
  it('streams a pack from a URL with a progress message per chunk, and reports an HTTP error as packError', async () => {
    const chunks = [packBytes.subarray(0, 1000), packBytes.subarray(1000, 5000), packBytes.subarray(5000)];
    const fetchStub = (async (url: string) => {
      if (url.endsWith('missing')) return new Response(null, { status: 404 });
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          chunks.forEach((ch) => c.enqueue(ch.slice()));
          c.close();
        },
      });
      return new Response(body, { headers: { 'content-length': String(packBytes.length) } });
    }) as typeof fetch;
    const got: WorkerToUi[] = [];
    const h = new LabHandler((m) => got.push(m), { fetch: fetchStub, reportMs: 20, sampleMs: 50 });
    h.onmessage({
      data: { type: 'init', version: PROTOCOL_VERSION, backend: 'cpu', lanes: [{ id: 0, config }], evalEvery: 0 },
    });
    h.onmessage({
      data: { type: 'loadPack', source: { kind: 'url', url: '/packs/missing', name: 'missing.safetensors' } },
    });
    h.onmessage({ data: { type: 'loadPack', source: { kind: 'url', url: '/packs/tiny', name: 'tiny.safetensors' } } });
    await until(() => got.some((m) => m.type === 'sample'));
    await h.idle();
    const progress = got.filter((m): m is Msg<'packProgress'> => m.type === 'packProgress');
    expect(progress.map((p) => p.loaded)).toEqual([1000, 5000, packBytes.length]);
    expect(progress.every((p) => p.total === packBytes.length)).toBe(true);
    const err = got.find((m): m is Msg<'packError'> => m.type === 'packError');
    expect(err?.error.message).toMatch(/missing\.safetensors: HTTP 404/);
    expect(got.filter((m) => m.type === 'packLoaded')).toHaveLength(1);
    h.onmessage({ data: { type: 'stop' } });
    await h.idle();
  });
});
