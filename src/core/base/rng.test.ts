// Tests of the seeded PRNG: determinism, range, rough uniformity, shuffle is a permutation.
import { describe, expect, it } from 'vitest';
import { Rng, deriveSeed } from './rng';

describe('Rng', () => {
  it('same seed gives the same stream; another seed differs', () => {
    const a = new Rng(42),
      b = new Rng(42),
      c = new Rng(43);
    const xa = Array.from({ length: 20 }, () => a.nextU32());
    const xb = Array.from({ length: 20 }, () => b.nextU32());
    const xc = Array.from({ length: 20 }, () => c.nextU32());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
  });
  it('state() / fromState() continue the stream exactly, through JSON too', () => {
    const a = new Rng(11);
    for (let i = 0; i < 5; i++) a.next();
    const b = Rng.fromState(JSON.parse(JSON.stringify(a.state())));
    expect(Array.from({ length: 50 }, () => b.nextU32())).toEqual(Array.from({ length: 50 }, () => a.nextU32()));
    expect(() => Rng.fromState([1, 2, 3] as unknown as [number, number, number, number])).toThrow(
      /four 32-bit integers/,
    );
  });
  it('next() is in [0,1) with mean ≈ ½ and int(n) covers [0,n)', () => {
    const r = new Rng(7);
    let s = 0;
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 20000; i++) {
      const x = r.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      s += x;
      counts[r.int(5)]++;
    }
    expect(s / 20000).toBeGreaterThan(0.49);
    expect(s / 20000).toBeLessThan(0.51);
    for (const c of counts) expect(c).toBeGreaterThan(3700);
  });
  it('normal() has mean ≈ 0 and variance ≈ 1', () => {
    const r = new Rng(3);
    let s = 0,
      s2 = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.05);
  });
  it('shuffle is a seeded permutation', () => {
    const a = new Rng(1).shuffle([...Array(50).keys()]);
    const b = new Rng(1).shuffle([...Array(50).keys()]);
    expect(a).toEqual(b);
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(50).keys()]);
    expect(a).not.toEqual([...Array(50).keys()]);
  });
  it('categorical follows the weights', () => {
    const r = new Rng(9);
    const c = [0, 0, 0];
    for (let i = 0; i < 10000; i++) c[r.categorical([1, 0, 3])]++;
    expect(c[1]).toBe(0);
    expect(c[2] / c[0]).toBeGreaterThan(2.6);
    expect(c[2] / c[0]).toBeLessThan(3.4);
  });
  it('deriveSeed separates labels', () => {
    expect(deriveSeed(1, 'data')).not.toBe(deriveSeed(1, 'init'));
    expect(deriveSeed(1, 'data')).toBe(deriveSeed(1, 'data'));
  });
});
