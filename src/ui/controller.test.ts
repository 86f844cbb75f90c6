// The lab's controller as an instance (Node, stub workers, no DOM): two labs share no state; 'auto' starts on wasm
// and moves to the backend the probe picked once the pause's checkpoints have arrived (a promise, not a poll).
// (vite/client: the controller imports the wasm binaries as ?url assets.)
/// <reference types="vite/client" />
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TrainerCheckpoint } from '../model/train/checkpoint';
import { useLab } from '../store';
import { resetLabStore } from '../store/testing/reset';
import type { UiToWorker, WorkerToUi } from '../worker/protocol';
import { type ControllerDeps, LabController } from './controller';
import type { LabTestApi } from './testApi';

vi.mock('./runsController', () => ({
  download: vi.fn(),
  startPersistence: vi.fn(async () => {}),
  startTheme: vi.fn(),
  startUrlSync: vi.fn(),
}));

/** Stub workers: what each was sent, and a way to answer as it. */
interface Stub {
  sent: UiToWorker[];
  reply: (msg: WorkerToUi) => void;
  crash: (message: string) => void;
  terminated: boolean;
}

function harness(deps: ControllerDeps = {}) {
  const workers: Stub[] = [];
  const lab = new LabController({
    ...deps,
    makeWorker: (onMessage, onCrash) => {
      const w: Stub = { sent: [], reply: onMessage, crash: onCrash, terminated: false };
      workers.push(w);
      return { send: (m) => w.sent.push(m), terminate: () => (w.terminated = true) };
    },
  });
  return { lab, workers };
}

const ready = (backend: string): WorkerToUi => ({
  type: 'ready',
  version: 5,
  backend,
  isFallbackAdapter: null,
  adapter: null,
  note: null,
});
const ck = (step: number) => ({ step }) as unknown as TrainerCheckpoint;
const flush = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  resetLabStore();
  const events = { addEventListener: vi.fn(), removeEventListener: vi.fn() };
  vi.stubGlobal('document', { ...events, hidden: false, documentElement: { dataset: {} } });
  vi.stubGlobal('window', { ...events });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('LabController', () => {
  it('is an instance: each lab has its own worker; stop() ends it and removes its listeners', () => {
    const a = harness();
    const b = harness();
    a.lab.start('?backend=cpu');
    expect(a.workers).toHaveLength(1);
    expect(b.workers).toHaveLength(0);
    expect(a.workers[0].sent[0]).toMatchObject({ type: 'init', backend: 'cpu' });
    expect(a.workers[0].sent[1]).toMatchObject({ type: 'loadPack' });
    a.lab.step();
    b.lab.step(); // not started: nothing to send to
    expect(a.workers[0].sent.at(-1)).toEqual({ type: 'step' });
    a.lab.stop();
    expect(a.workers[0].terminated).toBe(true);
    expect(window.removeEventListener).toHaveBeenCalled();
  });

  it("'auto' starts on wasm, then moves to the probe's pick once every lane's checkpoint is in", async () => {
    const decideAuto = vi.fn(async () => ({ pick: 'webgpu', note: 'auto: webgpu faster' }));
    const { lab, workers } = harness({ decideAuto, checkpointWaitMs: 60_000 });
    lab.start('?backend=auto');
    const first = workers[0];
    expect(first.sent[0]).toMatchObject({ type: 'init', backend: 'wasm' });
    const lane = useLab.getState().lanes[0];
    useLab.setState({ status: 'running', lanes: [{ ...lane, step: 130 }] });
    first.reply(ready('wasm'));
    await flush();
    expect(decideAuto).toHaveBeenCalledWith('wasm', expect.any(Object));
    expect(first.sent.at(-1)).toEqual({ type: 'pause' });
    first.reply({ type: 'checkpoint', lane: lane.id, checkpoint: ck(100) }); // an older one: still waiting
    await flush();
    expect(workers).toHaveLength(1);
    first.reply({ type: 'checkpoint', lane: lane.id, checkpoint: ck(130) });
    await flush();
    expect(first.terminated).toBe(true);
    expect(workers).toHaveLength(2);
    const init = workers[1].sent[0] as Extract<UiToWorker, { type: 'init' }>;
    expect(init.backend).toBe('webgpu');
    expect(init.lanes[0].checkpoint?.step).toBe(130);
    expect(useLab.getState().recovery).toMatchObject({ resume: true, steps: { [lane.id]: 130 } });
  });

  it('a crash restarts the worker on the same backend from the checkpoints kept', () => {
    const { lab, workers } = harness();
    lab.start('?backend=wasm');
    const lane = useLab.getState().lanes[0];
    workers[0].reply({ type: 'checkpoint', lane: lane.id, checkpoint: ck(200) });
    workers[0].crash('boom');
    expect(workers).toHaveLength(2);
    const init = workers[1].sent[0] as Extract<UiToWorker, { type: 'init' }>;
    expect(init).toMatchObject({ type: 'init', backend: 'wasm' });
    expect(init.lanes[0].checkpoint?.step).toBe(200);
  });

  it('installs window.__lab under ?e2e only, and its fault goes to the worker', () => {
    const plain = harness();
    plain.lab.start('');
    expect((window as unknown as { __lab?: LabTestApi }).__lab).toBeUndefined();
    plain.lab.stop();
    const { lab, workers } = harness();
    lab.start('?e2e=1');
    const api = (window as unknown as { __lab?: LabTestApi }).__lab!;
    api.fault('nan');
    expect(workers[0].sent.at(-1)).toEqual({ type: 'fault', kind: 'nan' });
    expect(() => api.fault('nope' as never)).toThrow(/kind must be one of/);
    expect(api.state().lanes).toHaveLength(1);
    lab.stop();
    expect((window as unknown as { __lab?: LabTestApi }).__lab).toBeUndefined();
  });
});
