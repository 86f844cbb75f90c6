// Adam keyed by the parameters' dotted names, with a per-parameter step count: a parameter without a gradient in a
// step is skipped (as PyTorch does), moments survive stage switches and live β/ε changes, and the state round-trips.
// A step whose gradient norm (or any value passed as `finite`) is non-finite changes nothing: selected in-graph.
import * as tf from '@tensorflow/tfjs-core';
import { reshapeTo } from './layers';
import { fusedAdam, sumSquares, wasmKernelsActive } from './simd';

/** One saved optimizer tensor: `${param}/m`, `${param}/v` (shape of the param) or `${param}/t` ([1], its step count). */
export interface OptimizerTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/**
 * The moments of parameters that step together, in one flat buffer each, so that an update is ~15 kernels for the
 * whole group instead of ~14 per parameter (the per-kernel dispatch cost dominates at these sizes: DESIGN §5).
 */
interface Group {
  names: string[]; // parameters in buffer order
  shapes: number[][];
  offsets: number[]; // start of each parameter in the flat buffers
  sizes: number[];
  m: tf.Variable; // [total] first moments
  v: tf.Variable; // [total] second moments
}

const keyOf = (names: string[]) => names.join('\n');

export class Adam {
  private readonly groups = new Map<string, Group>(); // by keyOf(names)
  private readonly groupOf = new Map<string, Group>(); // parameter → its group
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
   * When clipNorm > 0 every gradient is first scaled by clipNorm / max(‖g‖, clipNorm), ‖g‖ the global L2 norm.
   * Non-finite guard: when ‖g‖ or any scalar in `finite` (the step's total and terms) is NaN/±Inf, the new moments
   * and parameters are discarded in-graph (Select of the old buffers: no host read), so nothing changes bit for bit.
   * The host step counts advance regardless (the host cannot know without a read): the caller that reads the step
   * and finds it non-finite calls `unstep(names)` (Trainer.settle does), before the next step when it can.
   * Returns ‖g‖ (a scalar the caller owns, before clipping).
   */
  apply(
    grads: Record<string, tf.Tensor>,
    vars: Record<string, tf.Variable>,
    clipNorm = 0,
    finite: tf.Scalar[] = [],
  ): tf.Scalar {
    return tf.tidy(() => {
      const parts = new Map<number, string[]>(); // next step count → the parameters that reach it now
      for (const name of Object.keys(grads)) {
        if (!vars[name]) throw new Error(`Adam: gradient for unknown parameter "${name}"`);
        const t = (this.t.get(name) ?? 0) + 1;
        parts.set(t, [...(parts.get(t) ?? []), name]);
      }
      // wasm: the lab's fused kernels (the same float32 operations, 2 kernels instead of ~25; simd/kernels/LabAdam.ts).
      const fused = wasmKernelsActive();
      const flats = [...parts].map(([t, names]) => ({
        t,
        group: this.groupFor(names, vars),
        g: fused ? null : flatten(names.map((n) => grads[n])),
      }));
      // ‖g‖ over every parameter: one square-sum per group (one group unless a stage schedule split the step counts).
      const sq = flats.map((f) => (f.g ? tf.sum(tf.square(f.g)) : sumSquares(f.group.names.map((n) => grads[n]))));
      const norm = tf.sqrt(sq.length === 1 ? sq[0] : tf.sum(tf.stack(sq))) as tf.Scalar;
      const scale = clipNorm > 0 ? tf.div(clipNorm, tf.maximum(norm, clipNorm)) : null;
      // [1] bool: every guarded value finite (3 kernels); NaN/Inf in any gradient reaches ‖g‖ through the square-sum.
      const ok = tf.all(tf.isFinite(tf.stack([...finite, norm])), 0, true);
      if (fused) {
        const okF = tf.cast(ok, 'float32'); // [1]
        for (const { t, group } of flats) {
          const hyper = { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, lr: this.lr, t };
          const r = fusedAdam(
            group.names.map((n) => grads[n]),
            group.names.map((n) => vars[n]),
            group.m,
            group.v,
            okF,
            scale as tf.Scalar | null,
            hyper,
          );
          group.m.assign(r.m);
          group.v.assign(r.v);
          group.names.forEach((n, i) => {
            vars[n].assign(r.params[i]);
            this.t.set(n, t);
          });
        }
        return norm;
      }
      for (const { t, group, g: g0 } of flats) {
        if (g0 == null) throw new Error('Adam: unfused step without a flat gradient');
        const g = scale ? tf.mul(g0, scale) : g0;
        const m1 = tf.add(tf.mul(group.m, this.beta1), tf.mul(g, 1 - this.beta1));
        const v1 = tf.add(tf.mul(group.v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const okB = tf.tile(ok, [g0.size]); // [total] bool: Select needs its condition in the values' shape
        const mHat = tf.div(m1, 1 - this.beta1 ** t);
        const vHat = tf.div(v1, 1 - this.beta2 ** t);
        const u = tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)), this.lr); // [total] the step of every entry
        // p ← p − u over the group's flat buffer: one Sub and one SplitV for the group, not a Sub and a Slice each.
        const flat = flatten(group.names.map((n) => vars[n]));
        const next = select(okB, tf.sub(flat, u), flat);
        group.m.assign(select(okB, m1, group.m));
        group.v.assign(select(okB, v1, group.v));
        const parts = group.names.length === 1 ? [next] : tf.split(next, group.sizes);
        group.names.forEach((n, i) => {
          vars[n].assign(reshapeTo(parts[i], group.shapes[i]));
          this.t.set(n, t);
        });
      }
      return norm;
    });
  }

  /** Take back one step count of each of `names` (a step the guard discarded; see apply). */
  unstep(names: readonly string[]): void {
    for (const n of names) {
      const t = this.t.get(n);
      if (t === undefined || t < 1) throw new Error(`Adam.unstep: "${n}" has no step to take back`);
      this.t.set(n, t - 1);
    }
  }

  /** The group holding exactly `names`, in that order; regroups (copying the moments) when the set changed. */
  private groupFor(names: string[], vars: Record<string, tf.Variable>): Group {
    const have = this.groups.get(keyOf(names));
    if (have) return have;
    // Take the moments of these parameters out of their old groups; the old groups' other members are re-packed.
    const old = new Set(names.map((n) => this.groupOf.get(n)).filter((g): g is Group => !!g));
    const saved = new Map<string, { m: tf.Tensor; v: tf.Tensor; shape: number[] }>();
    for (const g of old) {
      g.names.forEach((n, i) =>
        saved.set(n, {
          m: tf.slice(g.m, g.offsets[i], g.sizes[i]),
          v: tf.slice(g.v, g.offsets[i], g.sizes[i]),
          shape: g.shapes[i],
        }),
      );
      this.dropGroup(g);
    }
    const rest = [...old].flatMap((g) => g.names).filter((n) => !names.includes(n));
    const make = (ns: string[], shapes: number[][]) => {
      const mk = (k: 'm' | 'v') =>
        tf.concat(ns.map((n, i) => saved.get(n)?.[k] ?? tf.zeros([shapes[i].reduce((a, b) => a * b, 1)])));
      this.addGroup(ns, shapes, mk('m'), mk('v'));
    };
    if (rest.length)
      make(
        rest,
        rest.map((n) => saved.get(n)!.shape),
      );
    make(
      names,
      names.map((n) => vars[n].shape.slice()),
    );
    return this.groups.get(keyOf(names))!;
  }

  private addGroup(names: string[], shapes: number[][], m: tf.Tensor, v: tf.Tensor): void {
    const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
    const offsets: number[] = [];
    sizes.reduce((o, s) => (offsets.push(o), o + s), 0);
    const g: Group = {
      names,
      shapes,
      sizes,
      offsets,
      m: tf.keep(tf.variable(m, false)),
      v: tf.keep(tf.variable(v, false)),
    };
    this.groups.set(keyOf(names), g);
    for (const n of names) this.groupOf.set(n, g);
  }

  private dropGroup(g: Group): void {
    g.m.dispose();
    g.v.dispose();
    this.groups.delete(keyOf(g.names));
    for (const n of g.names) if (this.groupOf.get(n) === g) this.groupOf.delete(n);
  }

  /** The moments and step counts on the host (one read per buffer). */
  state(): Promise<OptimizerTensor[]> {
    return this.snapshot()();
  }

  /**
   * Freeze the state now (a clone of each moment buffer and a copy of the step counts, no host read) and return the
   * reader of that frozen copy: steps taken while it reads do not leak into it. The reader frees the clones.
   */
  snapshot(): () => Promise<OptimizerTensor[]> {
    const frozen = [...this.groups.values()].map((g) => ({
      g,
      m: tf.clone(g.m),
      v: tf.clone(g.v),
      t: g.names.map((n) => this.t.get(n) ?? 0),
    }));
    return async () => {
      const out: OptimizerTensor[] = [];
      try {
        for (const { g, m: mt, v: vt, t } of frozen) {
          const [m, v] = [await mt.data(), await vt.data()] as Float32Array[];
          g.names.forEach((n, i) => {
            const at = (a: Float32Array) => a.slice(g.offsets[i], g.offsets[i] + g.sizes[i]);
            out.push({ name: `${n}/m`, shape: g.shapes[i].slice(), data: at(m) });
            out.push({ name: `${n}/v`, shape: g.shapes[i].slice(), data: at(v) });
            out.push({ name: `${n}/t`, shape: [1], data: new Float32Array([t[i]]) });
          });
        }
      } finally {
        for (const f of frozen) tf.dispose([f.m, f.v]);
      }
      return out;
    };
  }

  /** Replace the state with a saved one (names as written by state()). */
  load(state: OptimizerTensor[]): void {
    this.clear();
    const m = new Map<string, OptimizerTensor>();
    const v = new Map<string, OptimizerTensor>();
    for (const s of state) {
      const cut = s.name.lastIndexOf('/');
      const name = s.name.slice(0, cut);
      const kind = s.name.slice(cut + 1);
      if (kind === 't') this.t.set(name, s.data[0]);
      else if (kind === 'm') m.set(name, s);
      else if (kind === 'v') v.set(name, s);
      else throw new Error(`Adam.load: optimizer tensor "${s.name}" is not <param>/m, /v or /t`);
    }
    for (const name of m.keys()) {
      if (!v.has(name) || !this.t.has(name)) throw new Error(`Adam.load: "${name}" lacks /v or /t`);
    }
    // One group per parameter; the first apply packs them as the step counts say.
    tf.tidy(() => {
      for (const [name, s] of m)
        this.addGroup(
          [name],
          [s.shape.slice()],
          tf.tensor1d(Float32Array.from(s.data)),
          tf.tensor1d(Float32Array.from(v.get(name)!.data)),
        );
    });
  }

  private clear(): void {
    for (const g of [...this.groups.values()]) this.dropGroup(g);
    this.t.clear();
  }

  dispose(): void {
    this.clear();
  }
}

/**
 * cond ? a : b elementwise, all three of one shape: the Select kernel alone (tf.where would first broadcast each
 * input, one Identity dispatch apiece even when the shapes already agree).
 */
function select(cond: tf.Tensor, a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel('Select', { condition: cond, t: a, e: b }) as tf.Tensor;
}

/** Gradients as one flat buffer, in the given order. [Σ size] */
function flatten(gs: tf.Tensor[]): tf.Tensor1D {
  const flat = gs.map((g) => reshapeTo(g, [g.size]) as tf.Tensor1D);
  return flat.length === 1 ? flat[0] : tf.concat1d(flat);
}

/**
 * One Adam step on `loss` over `vars` (call inside tf.tidy): the gradients of every variable, applied by name, with
 * optional clipping. Returns the loss value (a scalar kept by the caller's tidy). The pretraining stages use it.
 */
export function adamStep(
  adam: Adam,
  vars: Record<string, tf.Variable>,
  loss: () => tf.Scalar,
  clipNorm = 0,
): tf.Scalar {
  const { value, grads } = tf.variableGrads(loss, Object.values(vars));
  const byName = new Map(Object.entries(vars).map(([k, v]) => [v.name, k]));
  adam.apply(Object.fromEntries(Object.entries(grads).map(([vn, g]) => [byName.get(vn)!, g])), vars, clipNorm);
  return value;
}
