// Capped append-only series and TensorBoard smoothing: rows keep their steps across a drop, and the debiased EMA
// of a constant is that constant from the first point.
import { describe, expect, it } from 'vitest';
import { sampleIndices, StepSeries, tbSmooth } from './series';

const row = (v: number, count: number) => new Float32Array(8 * count).fill(v);
const w = (count: number) => new Float32Array(6 * count).fill(1);

describe('StepSeries', () => {
  it('appends deltas and drops the oldest half when full', () => {
    const s = new StepSeries(10);
    s.append(0, 6, row(1, 6), w(6), new Float32Array(6));
    expect(s.n).toBe(6);
    s.append(6, 6, row(2, 6), w(6), new Float32Array(6));
    expect(s.n).toBe(7);
    expect(s.step[0]).toBe(5);
    expect(s.step[s.n - 1]).toBe(11);
    expect(s.value(s.n - 1, 'total')).toBe(2);
    expect(s.column('kd')).toHaveLength(7);
  });
});

describe('tbSmooth', () => {
  it('is debiased: a constant stays constant; w = 0 is the identity; NaN passes through', () => {
    expect(Array.from(tbSmooth([3, 3, 3], 0.9)).map((x) => +x.toFixed(5))).toEqual([3, 3, 3]);
    expect(Array.from(tbSmooth([1, 2, 3], 0))).toEqual([1, 2, 3]);
    const s = tbSmooth([1, NaN, 3], 0.5);
    expect(Number.isNaN(s[1])).toBe(true);
    expect(s[2]).toBeCloseTo((0.25 * 1 + 0.5 * 3) / 0.75, 6);
  });
  it('sampleIndices keeps the ends', () => {
    expect(sampleIndices(5, 10)).toEqual([0, 1, 2, 3, 4]);
    const s = sampleIndices(1000, 11);
    expect(s[0]).toBe(0);
    expect(s.at(-1)).toBe(999);
    expect(s).toHaveLength(11);
  });
});
