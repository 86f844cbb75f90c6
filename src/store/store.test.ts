// applyMessage is the store's only worker-facing writer: metrics deltas append in place, a pack error raises the
// banner without dropping the pack, a config error names its field, and a new pack resets the series.
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../core/config/config';
import { useLab } from './index';
import { selectedLaneOf, selectValAccuracy } from './selectors';
import { delta, tinyInfo } from './testing/messages';
import { resetLabStore } from './testing/reset';

const info = tinyInfo;

describe('store.applyMessage', () => {
  beforeEach(resetLabStore);

  it('appends metrics deltas, tracks steps/s per teacher source and the latest row', () => {
    const { applyMessage } = useLab.getState();
    applyMessage({ type: 'packLoaded', info });
    applyMessage(delta(0, 3));
    applyMessage(delta(3, 2));
    const s = useLab.getState();
    expect(selectedLaneOf(s).series.n).toBe(5);
    expect(s.step).toBe(5);
    expect(s.stepsPerSecBySource.cached).toBe(12);
    expect(Array.from(selectedLaneOf(s).lastValues!)).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
  });

  it('keeps the pack on a pack error and shows the banner; config errors too', () => {
    const { applyMessage } = useLab.getState();
    applyMessage({ type: 'packLoaded', info });
    applyMessage({
      type: 'packError',
      name: 'bad.safetensors',
      error: { name: 'PackError', message: 'bad: metadata.version: "1"', field: 'metadata.version' },
    });
    expect(useLab.getState().pack?.name).toBe('p');
    expect(useLab.getState().banner?.error.field).toBe('metadata.version');
    applyMessage({ type: 'configError', lane: 0, error: { name: 'ConfigError', message: 'x', field: 'config.kd.T' } });
    expect(useLab.getState().banner?.error.field).toBe('config.kd.T');
    applyMessage({ type: 'configApplied', lane: 0, config: { ...DEFAULT_CONFIG, seed: 9 } });
    expect(selectedLaneOf(useLab.getState()).config.seed).toBe(9);
  });

  it('records evaluations and resets series on a new pack', () => {
    const { applyMessage } = useLab.getState();
    applyMessage({
      type: 'eval',
      lane: 0,
      step: 5,
      overall: 42,
      perFamily: new Float32Array([40, 44]),
      valLoss: new Float32Array(3),
      alignment: new Float32Array(8),
    });
    expect(selectValAccuracy(useLab.getState())).toBe(42);
    expect(selectedLaneOf(useLab.getState()).alignRows.length).toBe(1);
    applyMessage({ type: 'packLoaded', info });
    expect(selectedLaneOf(useLab.getState()).series.n).toBe(0);
    expect(selectValAccuracy(useLab.getState())).toBeNull();
  });

  it('keeps a run when a new one starts: reset finalises the live run into runs', () => {
    const { applyMessage } = useLab.getState();
    applyMessage({ type: 'packLoaded', info });
    expect(useLab.getState().runs).toEqual([]);
    applyMessage(delta(0, 4));
    const live = selectedLaneOf(useLab.getState()).live!;
    expect(live.name).toBe('Run 1'); // the reset store starts counting again
    applyMessage({ type: 'status', status: 'idle', step: 0 });
    const s = useLab.getState();
    expect(selectedLaneOf(s).live).toBeNull();
    expect(s.runs.length).toBe(1);
    const kept = s.runs[s.runs.length - 1];
    expect(kept.id).toBe(live.id);
    expect(kept.metrics.step).toEqual([1, 2, 3, 4]);
    applyMessage(delta(0, 2));
    expect(selectedLaneOf(useLab.getState()).live!.id).not.toBe(live.id);
  });

  it('keeps one series and one run per lane; the single views follow the selected lane; a removed lane is kept as a run', () => {
    const st = () => useLab.getState();
    st().applyMessage({ type: 'packLoaded', info });
    const [a, b] = st().setLocalLanes([
      { name: 'CE', config: DEFAULT_CONFIG },
      { name: 'KD', config: { ...DEFAULT_CONFIG, weights: { ...DEFAULT_CONFIG.weights, kd: 1 } } },
    ]);
    st().applyMessage(delta(0, 3, a.id));
    st().applyMessage(delta(0, 2, b.id));
    st().applyMessage({
      type: 'eval',
      lane: b.id,
      step: 2,
      overall: 55,
      perFamily: new Float32Array([50, 60]),
      valLoss: new Float32Array(3),
      alignment: new Float32Array(8),
    });
    expect(st().lanes.map((l) => [l.series.n, l.step])).toEqual([
      [3, 3],
      [2, 2],
    ]);
    expect(st().step).toBe(3);
    expect(selectedLaneOf(st()).series).toBe(st().lanes[0].series);
    expect(selectValAccuracy(st())).toBeNull();
    st().selectLane(b.id);
    expect(selectedLaneOf(st()).config.weights.kd).toBe(1);
    expect(selectValAccuracy(st())).toBe(55);
    expect(
      st()
        .liveRecords()
        .map((r) => r.name),
    ).toEqual(['Run 1 · CE', 'Run 2 · KD']);
    st().setLocalConfig({ ...selectedLaneOf(st()).config, seed: 4 });
    expect(st().lanes[1].config.seed).toBe(4);
    expect(st().lanes[0].config.seed).toBe(DEFAULT_CONFIG.seed);
    st().removeLocalLane(b.id);
    expect(st().lanes.map((l) => l.id)).toEqual([a.id]);
    expect(st().selectedLane).toBe(a.id);
    expect(st().runs.map((r) => r.name)).toEqual(['Run 2 · KD']);
    st().applyMessage(delta(2, 1, b.id)); // a delta of the removed lane still on its way is dropped
    expect(st().lanes[0].series.n).toBe(3);
  });
});

describe('start-up keeps what the person does (issue 31)', () => {
  beforeEach(resetLabStore);
  const cfg = DEFAULT_CONFIG;

  it("a lane added while the pack loads survives the pack's `lanes` message that predates it", () => {
    const s = useLab.getState();
    s.addLocalLane({ name: 'Lane 2', config: cfg });
    s.applyMessage({ type: 'packLoaded', info });
    s.applyMessage({ type: 'lanes', lanes: [{ id: 0, step: 0, config: cfg }] }); // built before the add was handled
    expect(useLab.getState().lanes.map((l) => l.id)).toEqual([0, 1]);
    s.applyMessage({
      type: 'lanes',
      lanes: [
        { id: 0, step: 0, config: cfg },
        { id: 1, step: 0, config: cfg },
      ],
    });
    expect(useLab.getState().lanes.map((l) => l.id)).toEqual([0, 1]);
    expect(useLab.getState().pendingLanes).toEqual([]);
  });

  it('a refused addition is dropped once the worker says so', () => {
    const s = useLab.getState();
    s.addLocalLane({ name: 'Lane 2', config: cfg });
    s.applyMessage({
      type: 'configError',
      lane: null,
      error: { name: 'FieldError', message: 'refused', field: 'lanes' },
    });
    s.applyMessage({ type: 'lanes', lanes: [{ id: 0, step: 0, config: cfg }] });
    expect(useLab.getState().lanes.map((l) => l.id)).toEqual([0]);
  });

  it('a restarted worker that cannot load the pack again leaves no pack and no recovery behind', () => {
    const s = useLab.getState();
    s.applyMessage({ type: 'packLoaded', info });
    s.beginRecovery({ reason: 'crash', atStep: 5, steps: { 0: 0 }, resume: false, backendChange: null });
    s.applyMessage({
      type: 'packError',
      name: 'big.safetensors',
      error: { name: 'PackError', message: 'too long', field: 'sequence length' },
    });
    const after = useLab.getState();
    expect(after.recovery).toBeNull();
    expect(after.pack).toBeNull();
    expect(after.banner?.title).toMatch(/choose a pack/);
  });
});
