// LTTB downsampling: at most max points, first and last kept, ascending, and a spike survives where even spacing
// would drop it; short lines pass through unchanged; non-finite points are skipped.
import { describe, expect, it } from 'vitest';
import { lttbIndices } from './lttb';

describe('lttbIndices', () => {
  it('keeps a short line whole and skips non-finite points', () => {
    expect(lttbIndices([0, 1, 2, 3], [1, NaN, 3, 4], 10)).toEqual([0, 2, 3]);
  });

  it('returns ≤ max ascending indices with both ends, and keeps a one-point spike', () => {
    const n = 10_000;
    const xs = Array.from({ length: n }, (_, i) => i);
    const ys = xs.map((i) => Math.sin(i / 300) + (i === 4321 ? 50 : 0));
    const out = lttbIndices(xs, ys, 1000);
    expect(out.length).toBe(1000);
    expect(out[0]).toBe(0);
    expect(out.at(-1)).toBe(n - 1);
    for (let i = 1; i < out.length; i++) expect(out[i]).toBeGreaterThan(out[i - 1]);
    expect(out).toContain(4321);
  });

  it('refuses max < 3', () => {
    expect(() => lttbIndices([0, 1, 2, 3], [0, 1, 2, 3], 2)).toThrow(/max/);
  });
});
