// Seeded PRNG (sfc32, seeded through splitmix32) used for everything random in the project: data order,
// init, sampling, scene generation. Never Math.random. Same seed → same stream on every platform.

/** splitmix32 step: a well-mixed 32-bit hash of a 32-bit state (used only to seed sfc32). */
function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) | 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [state, z >>> 0];
}

/** An Rng's whole state: sfc32's four 32-bit words (plain numbers, so it survives structured clone and JSON). */
export type RngState = [number, number, number, number];

/** Small fast counter PRNG (sfc32): 128-bit state, period ≥ 2^32. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number, got ${seed}`);
    let s = seed >>> 0;
    let v: number;
    [s, v] = splitmix32(s);
    this.a = v;
    [s, v] = splitmix32(s);
    this.b = v;
    [s, v] = splitmix32(s);
    this.c = v;
    [, v] = splitmix32(s);
    this.d = v;
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /** The current state: `Rng.fromState(r.state())` continues r's stream exactly (checkpoints). */
  state(): RngState {
    return [this.a, this.b, this.c, this.d];
  }

  /** A generator that continues from a saved state (four 32-bit integers, as `state()` returns). */
  static fromState(s: RngState): Rng {
    if (!Array.isArray(s) || s.length !== 4 || !s.every((x) => Number.isInteger(x) && x >= -(2 ** 31) && x < 2 ** 32)) {
      throw new Error(`Rng.fromState: expected four 32-bit integers, got ${JSON.stringify(s)}`);
    }
    const r = new Rng(0);
    [r.a, r.b, r.c, r.d] = s.map((x) => x | 0);
    return r;
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). n ≥ 1. */
  int(n: number): number {
    if (!(n >= 1)) throw new Error(`Rng.int: n must be ≥ 1, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal N(0, 1) by Box–Muller (one value per call; the pair's twin is discarded for simplicity). */
  normal(): number {
    let u = this.next();
    while (u <= 1e-12) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Pick one element uniformly. */
  pick<T>(arr: readonly T[]): T {
    if (arr.length === 0) throw new Error('Rng.pick: empty array');
    return arr[this.int(arr.length)];
  }

  /** In-place Fisher–Yates shuffle; returns arr. */
  shuffle<T>(arr: T[]): T[] {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    }
    return arr;
  }

  /** Index drawn from unnormalised non-negative weights. */
  categorical(weights: ArrayLike<number>): number {
    let sum = 0;
    for (let i = 0; i < weights.length; i++) sum += weights[i];
    if (!(sum > 0)) throw new Error('Rng.categorical: weights must have a positive sum');
    let r = this.next() * sum;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** A new independent generator derived from this one's stream (for sub-tasks that must not shift others). */
  fork(): Rng {
    return new Rng(this.nextU32());
  }
}

/** Derive a stable seed from a base seed and a label, so that streams for different purposes are independent. */
export function deriveSeed(seed: number, label: string): number {
  let h = (seed >>> 0) ^ 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
