// A worker restart as the store sees it: the lanes rewind to their checkpoints (the run and its curves up to the
// checkpoint are kept), the banner says how many steps were lost, and the badge says why the backend changed.
import { selectedLaneOf } from './selectors';
import { beforeEach, describe, expect, it } from 'vitest';
import { useLab } from './index';
import { recoveryMessage } from './recovery';
import { delta as msgDelta, tinyInfo } from './testing/messages';
import { resetLabStore } from './testing/reset';

const info = tinyInfo;
const delta = (fromStep: number, count: number) => msgDelta(fromStep, count, 0, (from, i) => from + i / 8);
const evalAt = (step: number) => ({
  type: 'eval' as const,
  lane: 0,
  step,
  overall: step,
  perFamily: new Float32Array(2),
  valLoss: new Float32Array(3),
  alignment: new Float32Array(8),
});

describe('store recovery', () => {
  beforeEach(resetLabStore);

  it('rewinds each lane to its checkpoint on the next packLoaded; the live run is the same run', () => {
    const st = useLab.getState;
    st().applyMessage({ type: 'packLoaded', info });
    st().applyMessage(delta(0, 150));
    st().applyMessage(evalAt(100));
    st().applyMessage(evalAt(150));
    const runId = selectedLaneOf(st()).live!.id;
    st().beginRecovery({
      reason: 'The training worker crashed (boom)',
      atStep: 150,
      steps: { 0: 100 },
      resume: true,
      backendChange: null,
    });
    expect(st().status).toBe('loading');
    st().applyMessage({ type: 'packLoaded', info });
    const s = st();
    expect(s.recovery).toBeNull();
    expect(selectedLaneOf(s).series.n).toBe(100); // steps 100…149 are dropped: the resumed worker sends them again
    expect(selectedLaneOf(s).series.step[99]).toBe(99);
    expect(selectedLaneOf(s).evals.map((e) => e.step)).toEqual([100]);
    expect(selectedLaneOf(s).live!.id).toBe(runId);
    expect(s.step).toBe(100);
    expect(s.banner?.error.message).toMatch(
      /crashed \(boom\)\. The lab restarted it and resumed the run from the checkpoint at step 100 \(race step 150; at most 50 steps lost/,
    );
    st().applyMessage(delta(100, 5));
    expect(selectedLaneOf(st()).series.n).toBe(105);
    // a later, ordinary packLoaded resets as before
    st().applyMessage({ type: 'packLoaded', info });
    expect(selectedLaneOf(st()).series.n).toBe(0);
  });

  it('a device loss names the new backend in the badge', () => {
    const st = useLab.getState;
    st().applyMessage({
      type: 'ready',
      version: 4,
      backend: 'webgpu',
      isFallbackAdapter: true,
      adapter: 'swiftshader',
      note: null,
    });
    expect(st().backend?.changed).toBeNull();
    st().beginRecovery({
      reason: 'The webgpu device was lost (destroyed)',
      atStep: 10,
      steps: {},
      resume: false,
      backendChange: 'The webgpu device was lost (destroyed); continued on webgl',
    });
    st().applyMessage({
      type: 'ready',
      version: 4,
      backend: 'webgl',
      isFallbackAdapter: null,
      adapter: null,
      note: null,
    });
    expect(st().backend).toMatchObject({
      name: 'webgl',
      changed: 'The webgpu device was lost (destroyed); continued on webgl',
    });
  });

  it('the message names the lanes and the most steps lost', () => {
    const lanes = useLab.getState().lanes;
    const two = [lanes[0], { ...lanes[0], id: 7 }];
    expect(
      recoveryMessage({ reason: 'X', atStep: 230, steps: { 0: 200, 7: 100 }, resume: false, backendChange: null }, two),
    ).toBe(
      'X. The lab restarted it and resumed all 2 lanes from the checkpoint at steps 200, 100 (race step 230; at most 130 steps lost; curves and runs kept).',
    );
  });
});
