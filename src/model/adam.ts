// Adam keyed by the parameters' dotted names, with a per-parameter step count: a parameter without a gradient in a
// step is skipped (as PyTorch does), moments survive stage switches and live β/ε changes, and the state round-trips.
import * as tf from '@tensorflow/tfjs-core';

/** One saved optimizer tensor: `${param}/m`, `${param}/v` (shape of the param) or `${param}/t` ([1], its step count). */
export interface OptimizerTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export class Adam {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private readonly t = new Map<string, number>();

  /** lr, β1 ∈ [0,1), β2 ∈ [0,1), ε > 0: set them before each apply (live knobs). */
  constructor(
    public lr: number,
    public beta1: number,
    public beta2: number,
    public epsilon: number,
  ) {}

  /**
   * p ← p − lr · m̂ / (√v̂ + ε) with m ← β1 m + (1−β1) g, v ← β2 v + (1−β2) g², m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ)
   * and t the parameter's own step count. grads and vars are keyed by the same dotted names.
   */
  apply(grads: Record<string, tf.Tensor>, vars: Record<string, tf.Variable>): void {
    tf.tidy(() => {
      for (const [name, g] of Object.entries(grads)) {
        const p = vars[name];
        if (!p) throw new Error(`src/model/adam.ts: gradient for unknown parameter "${name}"`);
        let m = this.m.get(name);
        let v = this.v.get(name);
        if (!m || !v) {
          m = tf.variable(tf.zerosLike(p), false);
          v = tf.variable(tf.zerosLike(p), false);
          this.m.set(name, m);
          this.v.set(name, v);
        }
        const t = (this.t.get(name) ?? 0) + 1;
        this.t.set(name, t);
        const m1 = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
        const v1 = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        m.assign(m1);
        v.assign(v1);
        const mHat = tf.div(m1, 1 - this.beta1 ** t);
        const vHat = tf.div(v1, 1 - this.beta2 ** t);
        p.assign(tf.sub(p, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)), this.lr)));
      }
    });
  }

  /** The moments and step counts on the host (one read per tensor). */
  async state(): Promise<OptimizerTensor[]> {
    const out: OptimizerTensor[] = [];
    for (const [name, m] of this.m) {
      const v = this.v.get(name)!;
      out.push({ name: `${name}/m`, shape: m.shape.slice(), data: new Float32Array(await m.data()) });
      out.push({ name: `${name}/v`, shape: v.shape.slice(), data: new Float32Array(await v.data()) });
      out.push({ name: `${name}/t`, shape: [1], data: new Float32Array([this.t.get(name) ?? 0]) });
    }
    return out;
  }

  /** Replace the state with a saved one (names as written by state()). */
  load(state: OptimizerTensor[]): void {
    this.clear();
    for (const s of state) {
      const cut = s.name.lastIndexOf('/');
      const name = s.name.slice(0, cut);
      const kind = s.name.slice(cut + 1);
      if (kind === 't') this.t.set(name, s.data[0]);
      else if (kind === 'm' || kind === 'v') {
        const x = tf.tidy(() => tf.variable(tf.tensor(Float32Array.from(s.data), s.shape, 'float32'), false));
        (kind === 'm' ? this.m : this.v).set(name, x);
      } else throw new Error(`src/model/adam.ts load: optimizer tensor "${s.name}" is not <param>/m, /v or /t`);
    }
    for (const name of this.m.keys()) {
      if (!this.v.has(name) || !this.t.has(name)) throw new Error(`src/model/adam.ts load: "${name}" lacks /v or /t`);
    }
  }

  private clear(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
    this.t.clear();
  }

  dispose(): void {
    this.clear();
  }
}
