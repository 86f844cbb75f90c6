// The lab's wasm SIMD kernels: all registered at init; BatchMatMul against a float64 reference for every transpose, batch
// broadcast and edge size; the fused Adam against tfjs's own formulation on wasm, bit for bit, clipping and the guard included.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fusedLinearCase, values } from './testing/kernelCases';
import { Adam } from '../adam';
import { initBackend } from '../backend';
import { gelu, layerNorm } from '../layers';
import { installWasmKernels, wasmKernelsState } from '.';
import * as names from './kernelNames';
import { labKernelConfigs, overrideConfigs } from './registerAll';

/** float64 op(A)·op(B) per batch; a [bA, r, c] and b [bB, r, c] as stored, bA or bB may be 1 (broadcast). */
function reference(
  a: Float32Array,
  aShape: number[],
  b: Float32Array,
  bShape: number[],
  ta: boolean,
  tb: boolean,
): Float64Array {
  const [bA, ar, ac] = aShape;
  const [bB, br, bc] = bShape;
  const M = ta ? ac : ar;
  const K = ta ? ar : ac;
  const N = tb ? br : bc;
  const batch = Math.max(bA, bB);
  const out = new Float64Array(batch * M * N);
  for (let z = 0; z < batch; z++) {
    const ao = (bA === 1 ? 0 : z) * ar * ac;
    const bo = (bB === 1 ? 0 : z) * br * bc;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let sum = 0;
        for (let k = 0; k < K; k++)
          sum += a[ao + (ta ? k * ac + i : i * ac + k)] * b[bo + (tb ? j * bc + k : k * bc + j)];
        out[(z * M + i) * N + j] = sum;
      }
    }
  }
  return out;
}

describe('lab wasm kernels', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });
  afterAll(async () => {
    await installWasmKernels('all');
  });

  it('is installed by initBackend on wasm', () => {
    expect(wasmKernelsState()?.mode).toBe('all');
  });

  it("registers every kernel config at init, before any is used: the overrides over tfjs's, the lab's own", () => {
    for (const c of overrideConfigs) expect(tf.getKernel(c.kernelName, 'wasm'), c.kernelName).toHaveProperty('stock');
    for (const c of labKernelConfigs) expect(tf.getKernel(c.kernelName, 'wasm'), c.kernelName).toBe(c);
    expect(overrideConfigs.map((c) => c.kernelName)).toEqual([tf.BatchMatMul, tf.Sum, tf.Exp, tf.Identity]);
    expect(labKernelConfigs.map((c) => c.kernelName)).toEqual(
      Object.values(names).filter((v) => typeof v === 'string' && v.startsWith('Lab')),
    );
  });

  it('BatchMatMul matches float64 for every transpose, edge size and batch broadcast, and takes the SIMD path', async () => {
    await installWasmKernels('all');
    const before = wasmKernelsState()!.calls;
    let cases = 0;
    const sizes: [number, number, number][] = [
      [1, 1, 1],
      [3, 5, 2],
      [4, 8, 4],
      [5, 9, 7],
      [33, 33, 32],
      [9, 17, 64],
      [2, 1, 130],
    ];
    const batches: [number, number][] = [
      [1, 1],
      [3, 3],
      [1, 4],
      [4, 1],
    ];
    for (const [M, N, K] of sizes) {
      for (const [bA, bB] of batches) {
        for (const ta of [false, true]) {
          for (const tb of [false, true]) {
            const aShape = [bA, ta ? K : M, ta ? M : K];
            const bShape = [bB, tb ? N : K, tb ? K : N];
            const av = values(aShape[0] * aShape[1] * aShape[2], 7 + cases);
            const bv = values(bShape[0] * bShape[1] * bShape[2], 101 + cases);
            const want = reference(av, aShape, bv, bShape, ta, tb);
            const got = tf.tidy(() =>
              tf
                .matMul(
                  tf.tensor3d(av, aShape as [number, number, number]),
                  tf.tensor3d(bv, bShape as [number, number, number]),
                  ta,
                  tb,
                )
                .dataSync(),
            );
            expect(got.length, `M${M} N${N} K${K} b${bA}/${bB} ta${ta} tb${tb}`).toBe(want.length);
            for (let i = 0; i < want.length; i++) {
              if (Math.abs(got[i] - want[i]) > 1e-5 * (1 + K))
                throw new Error(`M${M} N${N} K${K} b${bA}/${bB} ta${ta} tb${tb} [${i}]: ${got[i]} vs ${want[i]}`);
            }
            cases++;
          }
        }
      }
    }
    expect(wasmKernelsState()!.calls - before).toBe(cases);
  });

  it('BatchMatMul of rank 4 (the attention shapes) agrees with tfjs kernel and is the same on every run', async () => {
    const a = tf.tensor4d(values(2 * 2 * 33 * 33, 3), [2, 2, 33, 33]);
    const b = tf.tensor4d(values(2 * 2 * 33 * 16, 4), [2, 2, 33, 16]);
    await installWasmKernels('off');
    const stock = tf.matMul(a, b, true, false).dataSync();
    await installWasmKernels('all');
    const mine = tf.matMul(a, b, true, false).dataSync();
    const again = tf.matMul(a, b, true, false).dataSync();
    expect(Array.from(again)).toEqual(Array.from(mine));
    for (let i = 0; i < stock.length; i++) expect(Math.abs(mine[i] - stock[i])).toBeLessThan(1e-5);
    tf.dispose([a, b]);
  });

  it('fused Adam equals tfjs formulation bit for bit: 6 steps, clipping, two step-count groups, a non-finite step', async () => {
    const shapes: Record<string, number[]> = { 'a.w': [5, 3], 'a.b': [3], 'c.w': [7, 2], 'c.b': [2] };
    const run = async (mode: 'off' | 'all') => {
      await installWasmKernels(mode);
      const vars: Record<string, tf.Variable> = {};
      Object.entries(shapes).forEach(
        ([n, s], i) =>
          (vars[n] = tf.variable(
            tf.tensor(
              values(
                s.reduce((p, x) => p * x, 1),
                11 + i,
              ),
              s,
            ),
          )),
      );
      const opt = new Adam(1e-2, 0.9, 0.999, 1e-7);
      for (let step = 0; step < 6; step++) {
        const names = step === 3 ? ['a.w', 'a.b'] : Object.keys(shapes); // step 3: only some params → two count groups after
        const grads: Record<string, tf.Tensor> = {};
        names.forEach((n, i) => {
          const g = values(vars[n].size, 1000 * step + i);
          if (step === 4 && n === 'c.b') g[1] = NaN; // the guard keeps everything as it was
          grads[n] = tf.tensor(
            g.map((x) => x * (step + 1)),
            shapes[n],
          );
        });
        const info = await tf.profile(() => tf.dispose(opt.apply(grads, vars, step % 2 === 0 ? 0.5 : 0)));
        const fusedRan = info.kernels.some((k) => k.name === 'LabAdam');
        expect(fusedRan, `step ${step} on ${mode}`).toBe(mode === 'all');
        if (step === 4) opt.unstep(names);
        tf.dispose(Object.values(grads));
      }
      const out = Object.fromEntries(Object.entries(vars).map(([n, v]) => [n, Array.from(v.dataSync())]));
      const state = (await opt.state()).map((s) => [s.name, Array.from(s.data)]);
      opt.dispose();
      Object.values(vars).forEach((v) => v.dispose());
      return { out, state };
    };
    const stock = await run('off');
    const fused = await run('all');
    expect(fused.out).toEqual(stock.out);
    expect(fused.state).toEqual(stock.state);
  });

  it('fused GELU and its gradient match the float64 formula and tfjs kernels; NaN stays NaN', async () => {
    const xs = Float32Array.from([...values(1021, 5).map((v) => v * 12), 0, -0, 1e-6, -1e-6, 30, -30, 88, -88, 100]);
    const run = async (mode: 'off' | 'all') => {
      await installWasmKernels(mode);
      const x = tf.tensor1d(xs);
      const { value, grads } = tf.valueAndGrads((t: tf.Tensor) =>
        tf.sum(tf.mul(gelu(t), tf.div(tf.range(0, xs.length), xs.length))),
      )([x]);
      const out = { y: value.dataSync().slice(), yv: gelu(x).dataSync(), dx: grads[0].dataSync() };
      tf.dispose([x, value, ...grads]);
      return out;
    };
    const stock = await run('off');
    const fused = await run('all');
    const erf = (z: number) => {
      // float64 erf from Numerical Recipes' erfc (fractional error < 1.2e-7)
      const t = 1 / (1 + 0.5 * Math.abs(z));
      const r =
        t *
        Math.exp(
          -z * z -
            1.26551223 +
            t *
              (1.00002368 +
                t *
                  (0.37409196 +
                    t *
                      (0.09678418 +
                        t *
                          (-0.18628806 +
                            t *
                              (0.27886807 +
                                t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
        );
      return z >= 0 ? 1 - r : r - 1;
    };
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      const w = i / xs.length;
      const y = 0.5 * x * (1 + erf(x / Math.SQRT2));
      const g = w * (0.5 * (1 + erf(x / Math.SQRT2)) + (x * Math.exp((-x * x) / 2)) / Math.sqrt(2 * Math.PI));
      expect(Math.abs(fused.yv[i] - y), `y(${x})`).toBeLessThan(2e-6 * (1 + Math.abs(x)));
      expect(Math.abs(fused.dx[i] - g), `dy/dx(${x})`).toBeLessThan(2e-6);
      expect(Math.abs(fused.yv[i] - stock.yv[i]), `vs tfjs y(${x})`).toBeLessThan(1e-6 * (1 + Math.abs(x)));
      expect(Math.abs(fused.dx[i] - stock.dx[i]), `vs tfjs dx(${x})`).toBeLessThan(1e-6);
    }
    const nan = tf.tidy(() => gelu(tf.tensor1d([NaN, 1, NaN, 2, 3])).dataSync());
    expect(Number.isNaN(nan[0]) && Number.isNaN(nan[2]) && Number.isFinite(nan[1])).toBe(true);
  });

  it('fused LayerNorm and its gradients (x, g, b) agree with the tfjs formulation, d a multiple of 4 or not', async () => {
    for (const shape of [
      [7, 5],
      [3, 4, 64],
      [2, 3],
    ]) {
      const d = shape[shape.length - 1];
      const n = shape.reduce((p, x) => p * x, 1);
      const run = async (mode: 'off' | 'all') => {
        await installWasmKernels(mode);
        const x = tf.tensor(
          values(n, 21).map((v, i) => 3 * v + (i % d)),
          shape,
        );
        const g = tf.tensor1d(values(d, 22).map((v) => 1 + v));
        const b = tf.tensor1d(values(d, 23));
        const w = tf.tensor(values(n, 24), shape);
        const { value, grads } = tf.valueAndGrads((a: tf.Tensor, c: tf.Tensor, e: tf.Tensor) =>
          tf.sum(tf.mul(layerNorm(a, c, e), w)),
        )([x, g, b]);
        const out = [value, ...grads].map((t) => Array.from(t.dataSync()));
        tf.dispose([x, g, b, w, value, ...grads]);
        return out;
      };
      const stock = await run('off');
      const fused = await run('all');
      stock.forEach((arr, k) =>
        arr.forEach((v, i) =>
          expect(Math.abs(fused[k][i] - v), `${shape} output ${k}[${i}]`).toBeLessThan(2e-5 * (1 + Math.abs(v))),
        ),
      );
    }
  });

  it('Exp matches Math.exp to float32 precision, with IEEE edges (0 past underflow, subnormals, +Inf, NaN)', async () => {
    await installWasmKernels('all');
    const xs = [
      ...Array.from(values(1001, 9), (v) => v * 80),
      -1e9,
      -104,
      -100,
      -90,
      -87.5,
      -1e-7,
      0,
      1e-7,
      1,
      88,
      88.5,
      88.72,
      89,
      1e9,
      NaN,
    ];
    const got = tf.tidy(() => tf.exp(tf.tensor1d(xs)).dataSync());
    xs.forEach((x, i) => {
      const want = Math.fround(Math.exp(Math.fround(x))); // of the float32 input
      if (Number.isNaN(x)) expect(Number.isNaN(got[i])).toBe(true);
      else if (!Number.isFinite(want) || want === 0) expect(got[i], `exp(${x})`).toBe(want);
      else if (want < 1.2e-38) expect(Math.abs(got[i] - want), `exp(${x}) subnormal`).toBeLessThan(3e-45);
      else expect(Math.abs(got[i] - want) / want, `exp(${x})`).toBeLessThan(3e-7);
    });
  });

  it('Sum over leading axes (column sums) equals tfjs kernel; other axes still reduce correctly', async () => {
    const x = tf.tensor3d(values(2 * 7 * 5, 31), [2, 7, 5]);
    const cases: [number | number[], boolean][] = [
      [0, false],
      [[0, 1], false],
      [[1, 0], true],
      [1, false],
      [2, true],
      [[0, 1, 2], false],
      [-1, false],
    ];
    for (const [axis, keepDims] of cases) {
      await installWasmKernels('off');
      const want = tf.tidy(() => {
        const t = tf.sum(x, axis, keepDims);
        return { v: Array.from(t.dataSync()), s: t.shape };
      });
      await installWasmKernels('all');
      const got = tf.tidy(() => {
        const t = tf.sum(x, axis, keepDims);
        return { v: Array.from(t.dataSync()), s: t.shape };
      });
      expect(got.s, `axis ${axis}`).toEqual(want.s);
      got.v.forEach((v, i) => expect(Math.abs(v - want.v[i]), `axis ${axis} [${i}]`).toBeLessThan(1e-5));
    }
    x.dispose();
  });

  it('fused linear (x·W + b, + residual) and its gradients agree with tfjs kernels', async () => {
    const run = async (mode: 'off' | 'all') => {
      await installWasmKernels(mode);
      return fusedLinearCase(7, 6);
    };
    const stock = await run('off');
    const fused = await run('all');
    stock.forEach((arr, k) =>
      arr.forEach((v, i) =>
        expect(Math.abs(fused[k][i] - v), `output ${k}[${i}]`).toBeLessThan(1e-5 * (1 + Math.abs(v))),
      ),
    );
  });

  it('Identity (tf.clone) shares the data: either copy outlives the other, and nothing leaks', async () => {
    await installWasmKernels('all');
    const before = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    const a = tf.tensor2d(values(12, 51), [3, 4]);
    const want = Array.from(a.dataSync());
    const b = tf.clone(a);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual(want);
    const c = tf.clone(b);
    b.dispose();
    expect(Array.from(tf.tidy(() => tf.add(c, 0).dataSync()))).toEqual(want);
    c.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytes);
  });
});
