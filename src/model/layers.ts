// Transformer building blocks shared by the vision encoder and the causal LM: linear, LayerNorm, GELU,
// multi-head attention with an additive mask, pre-LN block, and their parameter specs. Pure functions of params.
import * as tf from '@tensorflow/tfjs-core';
import type { Params, ParamSpecs } from './params';
import { geluFused, geluGradFused, layerNormFused, layerNormGradFused, linearFused, wasmKernelsActive } from './simd';

/** Additive mask value for disallowed keys (exp underflows to exactly 0 after the softmax's max shift). */
export const NEG_INF = -1e9;
const LN_EPS = 1e-5;

// Each layer below is one tape node (tf.customGrad) with its backward written out: inside a custom op tfjs records no
// tape and clones no saved inputs, so a layer costs its own kernels only (on wasm every saved input of a taped op is
// an Identity copy and every op a ~10 µs dispatch: DESIGN §5). Forwards are the same ops, in the same order, as the
// plain formulas in the comments; gradients are pinned by gradcheck.test.ts and by layers.test.ts against autograd.

type T = tf.Tensor;
type Save = tf.GradSaveFunc;
type CustomFn = Parameters<typeof tf.customGrad>[0];

/**
 * f() computed off the gradient tape: for constants built inside a taped forward (masks, one-hots), which would
 * otherwise record tape nodes and save copies of their inputs for a backward that never reaches them.
 */
export function offTape<R extends T>(f: () => R): R {
  if (!tf.engine().isTapeOn()) return f();
  return (tf.customGrad((() => ({ value: f(), gradFunc: () => [] })) as unknown as CustomFn) as unknown as () => R)();
}

/** tf.slice as one tape node that saves nothing: its backward pads dy back to x's shape (tfjs's Slice saves x). */
export function slice(x: T, begin: number[], size: number[]): T {
  const shape = x.shape;
  const end = size.map((n, i) => (n < 0 ? shape[i] : begin[i] + n));
  const op = tf.customGrad(((xx: T) => ({
    value: tf.slice(xx, begin, size),
    gradFunc: (dy: T | T[]) => [
      tf.pad(
        dy as T,
        begin.map((b, i) => [b, shape[i] - end[i]] as [number, number]),
      ),
    ],
  })) as unknown as CustomFn) as unknown as (a: T) => T;
  return op(x);
}

/** concat(parts, axis 1) + pos as one tape node: [B, Lᵢ, d]… and pos [L, d] → [B, L, d]. */
export function concatAddPos(parts: T[], pos: T): T {
  const lens = parts.map((t) => t.shape[1]!);
  const op = tf.customGrad(((...ins: T[]) => {
    const ps = ins.slice(0, parts.length);
    return {
      value: tf.add(tf.concat(ps, 1), ins[parts.length]),
      gradFunc: (dy: T | T[]) => {
        const g = dy as T;
        return [...tf.split(g, lens, 1), tf.sum(g, 0)];
      },
    };
  }) as unknown as CustomFn) as unknown as (...a: T[]) => T;
  return op(...parts, pos);
}

/** Same dims in the same order. */
export const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** x in `shape`, without a Reshape dispatch when it already has it (a bias, a LayerNorm gain, a flat activation). */
export function reshapeTo(x: T, shape: number[]): T {
  return sameShape(x.shape, shape) ? x : tf.reshape(x, shape);
}

/**
 * y = x·W (+ b) over the last axis. x [..., n], W [n, m], b [m] → [..., m]. Backward: dX = dY·Wᵀ, dW = Xᵀ·dY,
 * db = Σ dY, with explicit transposes (the wasm backend runs a transposed matmul ~10× slower than a plain one).
 * opts.xConst: x needs no gradient (a one-hot, frozen features), so dX is never computed.
 * opts.res: a residual [..., m] added to y in the same node (y = res + x·W + b; dres = dY).
 */
export function linear(x: T, w: T, b?: T, opts: { xConst?: boolean; res?: T } = {}): T {
  const xConst = opts.xConst ?? false;
  const res = opts.res;
  const n = x.shape[x.shape.length - 1];
  const m = w.shape[1]!;
  const lead = x.shape.slice(0, -1);
  const rows = x.size / n;
  const wVar = w instanceof tf.Variable; // a weight outlives the step: read it in the backward, do not save a copy
  const fwd = (xx: T, ww: T, bb: T | undefined, rr: T | undefined, save: Save) => {
    const x2 = reshapeTo(xx, [rows, n]) as tf.Tensor2D;
    save(wVar ? [x2] : [x2, ww]);
    if (wasmKernelsActive())
      return reshapeTo(linearFused(x2, ww, bb, rr ? reshapeTo(rr, [rows, m]) : undefined), [...lead, m]); // one kernel
    const y = tf.matMul(x2, ww as tf.Tensor2D);
    const out = reshapeTo(bb ? tf.add(y, bb) : y, [...lead, m]);
    return rr ? tf.add(rr, out) : out;
  };
  const back = (dy: T, [x2, ws]: T[], withX: boolean, withB: boolean): T[] => {
    const ww = wVar ? w : ws;
    const dy2 = reshapeTo(dy, [rows, m]) as tf.Tensor2D;
    const out: T[] = [];
    // The lab's wasm SIMD matmul reads transposed operands in place; tfjs's stock kernels want explicit transposes.
    const direct = wasmKernelsActive();
    if (withX)
      out.push(
        reshapeTo(
          direct ? tf.matMul(dy2, ww as tf.Tensor2D, false, true) : tf.matMul(dy2, tf.transpose(ww) as tf.Tensor2D),
          x.shape,
        ),
      );
    out.push(direct ? tf.matMul(x2, dy2, true, false) : tf.matMul(tf.transpose(x2) as tf.Tensor2D, dy2));
    if (withB) out.push(tf.sum(dy2, 0));
    if (res) out.push(tf.reshape(dy, res.shape)); // a new tensor object: the tape may dispose either gradient
    return out;
  };
  const hasB = b !== undefined;
  const op = tf.customGrad((...args: (T | Save)[]) => {
    const save = args[args.length - 1] as Save;
    const ins = args.slice(0, -1) as T[];
    const xx = xConst ? x : ins[0];
    const ww = ins[xConst ? 0 : 1];
    const bb = hasB ? ins[xConst ? 1 : 2] : undefined;
    const rr = res ? ins[ins.length - 1] : undefined;
    return {
      value: fwd(xx, ww, bb, rr, save),
      gradFunc: (dy: T | T[], saved: T[]) => back(dy as T, saved, !xConst, hasB),
    };
  }) as (...t: T[]) => T;
  const inputs = [...(xConst ? [] : [x]), w, ...(hasB ? [b!] : []), ...(res ? [res] : [])];
  return op(...inputs);
}

/**
 * LayerNorm over the last axis: y = x̂·g + b, x̂ = (x − mean) / sqrt(var + 1e-5) (biased variance, as PyTorch).
 * Backward: dg = Σ dy·x̂, db = Σ dy, dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / sqrt(var + ε) with dx̂ = dy·g.
 */
export function layerNorm(x: T, g: T, b: T): T {
  const d = x.shape[x.shape.length - 1];
  const gVar = g instanceof tf.Variable; // as in linear: a gain outlives the step
  const fused = wasmKernelsActive(); // wasm: one kernel each way (simd/kernels/LabLayerNorm*.ts)
  const op = tf.customGrad(((xx: T, gg: T, bb: T, save: Save) => {
    if (fused) {
      const [y, xhat, rstd] = layerNormFused(xx, gg, bb, LN_EPS);
      save(gVar ? [xhat, rstd] : [xhat, rstd, gg]);
      return {
        value: y,
        gradFunc: (dy: T | T[], [xh, rs, gSaved]: T[]) => layerNormGradFused(xh, rs, gVar ? g : gSaved, dy as T),
      };
    }
    const mean = tf.mean(xx, -1, true);
    const xc = tf.sub(xx, mean);
    const v = tf.mean(tf.square(xc), -1, true);
    const rstd = tf.rsqrt(tf.add(v, LN_EPS)); // [..., 1]
    const xhat = tf.mul(xc, rstd);
    save(gVar ? [xhat, rstd] : [xhat, rstd, gg]);
    return {
      value: tf.add(tf.mul(xhat, gg), bb),
      gradFunc: (dy: T | T[], [xh, rs, gSaved]: T[]) => {
        const gs = gVar ? g : gSaved;
        const dyT = dy as T;
        const dxhat = tf.mul(dyT, gs);
        const dx = tf.mul(
          tf.sub(tf.sub(dxhat, tf.mean(dxhat, -1, true)), tf.mul(xh, tf.mean(tf.mul(dxhat, xh), -1, true))),
          rs,
        );
        const R = dyT.size / d;
        const dy2 = reshapeTo(dyT, [R, d]);
        return [dx, tf.sum(tf.mul(dy2, reshapeTo(xh, [R, d])), 0), tf.sum(dy2, 0)];
      },
    };
  }) as unknown as CustomFn) as unknown as (a: T, c: T, e: T) => T;
  return op(x, g, b);
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
/**
 * Exact GELU: x · Φ(x) = ½ x (1 + erf(x / √2)) (PyTorch nn.GELU default).
 * Backward: d/dx = ½ (1 + erf(x/√2)) + x · φ(x), φ(x) = exp(−x²/2) / √(2π).
 */
export function gelu(x: T): T {
  // wasm: one fused kernel each way (simd/kernels/LabGelu*.ts; the same formula in f32x4, within float32 rounding).
  const fused = wasmKernelsActive();
  const op = tf.customGrad(((xx: T, save: Save) => {
    if (fused) {
      const [y, e1, pdf] = geluFused(xx);
      save([xx, e1, pdf]);
      return { value: y, gradFunc: (dy: T | T[], [xs, e, ph]: T[]) => [geluGradFused(xs, e, ph, dy as T)] };
    }
    const e1 = tf.add(tf.erf(tf.mul(xx, Math.SQRT1_2)), 1); // 1 + erf(x/√2)
    save([xx, e1]);
    return {
      value: tf.mul(tf.mul(xx, 0.5), e1),
      gradFunc: (dy: T | T[], [xs, e]: T[]) => {
        const pdf = tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), INV_SQRT_2PI);
        return [tf.mul(dy as T, tf.add(tf.mul(e, 0.5), tf.mul(xs, pdf)))];
      },
    };
  }) as unknown as CustomFn) as unknown as (a: T) => T;
  return op(x);
}

/** Specs of a Linear(n→m) under `${prefix}.w` [n,m] and `${prefix}.b` [m]. */
export function linearSpecs(prefix: string, n: number, m: number, std = 1 / Math.sqrt(n)): ParamSpecs {
  return { [`${prefix}.w`]: { shape: [n, m], init: 'normal', std }, [`${prefix}.b`]: { shape: [m], init: 'zeros' } };
}

export function lnSpecs(prefix: string, d: number): ParamSpecs {
  return { [`${prefix}.g`]: { shape: [d], init: 'ones' }, [`${prefix}.b`]: { shape: [d], init: 'zeros' } };
}

/**
 * Pre-LN block parameters under `${prefix}`: ln1, attn.{wq,bq,wk,bk,wv,bv,wo,bo}, ln2, mlp.fc1, mlp.fc2.
 * Weights start at std 1/√fan_in, so attention scores are not all ≈ 0 at init: with GPT-2's fixed 0.02 at these
 * small widths (d = 64–128), q·k starts ~100× too small and training sits on a long plateau before the LM learns
 * to look at the image (measured: CE flat for 1,200 steps on shapes). Output projections are further scaled by
 * 1/√(2·layers) (GPT-2) so the residual stream starts near the identity.
 */
export function blockSpecs(prefix: string, d: number, mlpRatio: number, layers: number): ParamSpecs {
  const std = 1 / Math.sqrt(d);
  const outStd = std / Math.sqrt(2 * Math.max(1, layers));
  const h = d * mlpRatio;
  const a = `${prefix}.attn`;
  return {
    ...lnSpecs(`${prefix}.ln1`, d),
    [`${a}.wq`]: { shape: [d, d], init: 'normal', std },
    [`${a}.bq`]: { shape: [d], init: 'zeros' },
    [`${a}.wk`]: { shape: [d, d], init: 'normal', std },
    [`${a}.bk`]: { shape: [d], init: 'zeros' },
    [`${a}.wv`]: { shape: [d, d], init: 'normal', std },
    [`${a}.bv`]: { shape: [d], init: 'zeros' },
    [`${a}.wo`]: { shape: [d, d], init: 'normal', std: outStd },
    [`${a}.bo`]: { shape: [d], init: 'zeros' },
    ...lnSpecs(`${prefix}.ln2`, d),
    ...linearSpecs(`${prefix}.mlp.fc1`, d, h),
    ...linearSpecs(`${prefix}.mlp.fc2`, h, d, outStd),
  };
}

/**
 * Scaled dot-product attention over heads, one tape node. q, k, v [B,L,d] (the projections); bias [B|1, 1, L, L]
 * added to the scores (0 = allowed, NEG_INF = masked) or null. P = softmax(Q_h·K_hᵀ/√dh + bias) [B,H,L,L];
 * returns merge(P·V_h) [B,L,d], or with `withMean` that and the head mean of P on the last axis: [B, L, d + L].
 * Backward (Q_h already scaled): dP = dC·V_hᵀ (+ dMean/H), dV = Pᵀ·dC, dS = P ⊙ (dP − Σ_j dP ⊙ P),
 * dQ = dS·K_h / √dh, dK = dSᵀ·Q_h.
 */
function attend(q: T, k: T, v: T, B: number, L: number, H: number, bias: T | null, withMean: boolean): T {
  const d = q.shape[1]!;
  const dh = d / H;
  const s = 1 / Math.sqrt(dh);
  const split = (x: T) => tf.transpose(tf.reshape(x, [B, L, H, dh]), [0, 2, 1, 3]); // [B·L,d] → [B,H,L,dh]
  const merge = (x: T) => tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [B * L, d]); // [B,H,L,dh] → [B·L,d]
  const op = tf.customGrad(((qq: T, kk: T, vv: T, save: Save) => {
    const qh = split(tf.mul(qq, s));
    const kh = split(kk);
    const vh = split(vv);
    let scores: T = tf.matMul(qh, kh, false, true); // [B,H,L,L]
    if (bias) scores = tf.add(scores, bias);
    const probs = tf.softmax(scores);
    const ctx = merge(tf.matMul(probs, vh));
    save([qh, kh, vh, probs]);
    return {
      value: withMean ? tf.concat([ctx, tf.reshape(tf.mean(probs, 1), [B * L, L])], 1) : ctx,
      gradFunc: (dy: T | T[], [qs, ks, vs, P]: T[]) => {
        const g = dy as T;
        const dC = split(withMean ? tf.slice(g, [0, 0], [B * L, d]) : g);
        let dP: T = tf.matMul(dC, vs, false, true); // [B,H,L,L]
        if (withMean) dP = tf.add(dP, tf.reshape(tf.div(tf.slice(g, [0, d], [B * L, L]), H), [B, 1, L, L]));
        const dV = tf.matMul(P, dC, true, false);
        const dS = tf.mul(P, tf.sub(dP, tf.sum(tf.mul(dP, P), -1, true)));
        return [tf.mul(merge(tf.matMul(dS, ks)), s), merge(tf.matMul(dS, qs, true, false)), merge(dV)];
      },
    };
  }) as unknown as CustomFn) as unknown as (a: T, b: T, c: T) => T;
  return op(q, k, v);
}

/**
 * Multi-head self-attention over B sequences of L tokens. x [B·L, d] (the residual stream, flat); bias as in attend.
 * Returns the output [B·L, d] and, with `withMean`, the attention probabilities averaged over heads [B, L, L]
 * (differentiable: the attention term reads them).
 */
export function attention(
  x: T,
  p: Params,
  prefix: string,
  heads: number,
  bias: T | null,
  B: number,
  L: number,
  withMean = false,
  res?: T,
): { out: T; attnMean: T | null } {
  const d = x.shape[1]!;
  const q = linear(x, p[`${prefix}.wq`], p[`${prefix}.bq`]);
  const k = linear(x, p[`${prefix}.wk`], p[`${prefix}.bk`]);
  const v = linear(x, p[`${prefix}.wv`], p[`${prefix}.bv`]);
  const a = attend(q, k, v, B, L, heads, bias, withMean);
  const ctx = withMean ? slice(a, [0, 0], [B * L, d]) : a;
  const attnMean = withMean ? tf.reshape(slice(a, [0, d], [B * L, L]), [B, L, L]) : null;
  return { out: linear(ctx, p[`${prefix}.wo`], p[`${prefix}.bo`], { res }), attnMean }; // res + output projection
}

/**
 * Pre-LN block: x + attn(LN1(x)); then x + MLP(LN2(x)) with GELU. x [B·L, d] (flat, so no layer reshapes);
 * attnMean [B, L, L] with `withMean`.
 */
export function block(
  x: T,
  p: Params,
  prefix: string,
  heads: number,
  bias: T | null,
  B: number,
  L: number,
  withMean = false,
): { x: T; attnMean: T | null } {
  const a = attention(
    layerNorm(x, p[`${prefix}.ln1.g`], p[`${prefix}.ln1.b`]),
    p,
    `${prefix}.attn`,
    heads,
    bias,
    B,
    L,
    withMean,
    x,
  );
  const x1 = a.out; // x + attn(LN1(x))
  const h = layerNorm(x1, p[`${prefix}.ln2.g`], p[`${prefix}.ln2.b`]);
  const x2 = linear(
    gelu(linear(h, p[`${prefix}.mlp.fc1.w`], p[`${prefix}.mlp.fc1.b`])),
    p[`${prefix}.mlp.fc2.w`],
    p[`${prefix}.mlp.fc2.b`],
    { res: x1 },
  );
  return { x: x2, attnMean: a.attnMean };
}
