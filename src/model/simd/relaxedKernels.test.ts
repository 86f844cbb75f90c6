// Both builds of the lab's kernels where this engine runs them: SIMD128 (every engine with SIMD) and relaxed SIMD (the
// matmul's sums with f32x4.relaxed_madd, FMA), which Node 20 validates behind --experimental-wasm-relaxed-simd, set
// here at run time (vitest runs each test file in its own process, so no other file sees it). Each build's BatchMatMul
// and linear against float64 and tfjs's kernels within the tolerances wasmKernels.test.ts uses; a training step on
// each build against tfjs's; start-up picks the relaxed build where it validates and reports it.
import v8 from 'node:v8';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fusedLinearCase, values } from './testing/kernelCases';
import { deriveSeed, Rng } from '../../core/base/rng';
import { backendInfo, initBackend } from '../backend';
import { initEncoder } from '../encoder';
import { disposeParams } from '../params';
import { syntheticData, TINY_ENC, tinyConfig, tinyModel } from '../testing/tiny';
import { readStep, Trainer } from '../train/trainer';
import {
  installWasmKernels,
  type KernelVariant,
  relaxedSimdSupported,
  wasmKernelsProvenance,
  wasmKernelsState,
} from '.';

/** float64 op(A)·op(B) of single matrices a [r, c], b [r, c] as stored. */
function reference(a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], ta: boolean, tb: boolean) {
  const [ar, ac] = aShape;
  const [br, bc] = bShape;
  const [M, K, N] = [ta ? ac : ar, ta ? ar : ac, tb ? br : bc];
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += a[ta ? k * ac + i : i * ac + k] * b[tb ? j * bc + k : k * bc + j];
      out[i * N + j] = sum;
    }
  return out;
}

const VARIANTS: KernelVariant[] = ['simd', 'relaxed'];

/** Switch to `variant` (the instance is re-created on the same memory) and check it took. */
async function switchTo(variant: KernelVariant, mode: 'all' | 'off' = 'all'): Promise<void> {
  const s = await installWasmKernels(mode, variant);
  expect(s?.variant, `${variant} build`).toBe(variant);
  expect(wasmKernelsState()).toMatchObject({
    mode,
    variant,
    kernels: variant === 'relaxed' ? 'lab-relaxed' : 'lab-simd',
  });
}

describe('lab wasm kernels, SIMD128 and relaxed SIMD builds', () => {
  beforeAll(async () => {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd'); // Node 20; on by default in current Chromium
    await initBackend('wasm');
  });
  afterAll(async () => {
    await installWasmKernels('all', 'auto');
  });

  it('start-up picks the relaxed build where relaxed SIMD validates, and every report names it', () => {
    expect(relaxedSimdSupported()).toBe(true);
    expect(wasmKernelsState()).toMatchObject({ mode: 'all', variant: 'relaxed', kernels: 'lab-relaxed' });
    expect(wasmKernelsProvenance()).toBe('lab-relaxed');
    expect(backendInfo().kernels).toMatch(/^lab SIMD, relaxed \(FMA\)/);
  });

  it('forcing SIMD128 runs the SIMD128 build and says so; off says tfjs', async () => {
    await switchTo('simd');
    expect(wasmKernelsProvenance()).toBe('lab-simd');
    expect(backendInfo().kernels).toMatch(/^lab SIMD128/);
    await installWasmKernels('off', 'simd');
    expect(wasmKernelsProvenance()).toBe('tfjs');
    await switchTo('relaxed');
  });

  it('f32x4.relaxed_madd: SIMD128 rounds the product first; relaxed rounds once where the CPU has FMA', async () => {
    // (1 + 2⁻¹²)² = 1 + 2⁻¹¹ + 2⁻²⁴: its float32 product drops the 2⁻²⁴ that a fused multiply-add keeps
    const e = 1 + 2 ** -12;
    const a = tf.tensor2d([-(1 + 2 ** -11), e], [1, 2]);
    const b = tf.tensor2d([1, e], [2, 1]);
    const got: Record<string, number> = {};
    for (const v of VARIANTS) {
      await switchTo(v);
      got[v] = tf.tidy(() => tf.matMul(a, b).dataSync()[0]);
    }
    tf.dispose([a, b]);
    expect(got.simd).toBe(0);
    expect([0, 2 ** -24]).toContain(got.relaxed);
    console.log(`relaxed build: ${got.relaxed === 0 ? 'not fused (no FMA here)' : 'fused (FMA)'}`);
  });

  it('BatchMatMul on each build matches float64 and tfjs (1e-5 relative) for every transpose and edge size', async () => {
    const sizes: [number, number, number][] = [
      [1, 1, 1],
      [3, 5, 2],
      [4, 8, 4],
      [5, 9, 7],
      [33, 33, 32],
      [9, 17, 64],
      [2, 1, 130],
      [64, 256, 64],
    ];
    let seed = 0;
    for (const [M, N, K] of sizes)
      for (const ta of [false, true])
        for (const tb of [false, true]) {
          seed++;
          const aShape = ta ? [K, M] : [M, K];
          const bShape = tb ? [N, K] : [K, N];
          const av = values(M * K, 7 + seed);
          const bv = values(K * N, 101 + seed);
          const want = reference(av, aShape, bv, bShape, ta, tb);
          const run = () =>
            tf.tidy(() =>
              tf
                .matMul(
                  tf.tensor2d(av, aShape as [number, number]),
                  tf.tensor2d(bv, bShape as [number, number]),
                  ta,
                  tb,
                )
                .dataSync(),
            );
          await installWasmKernels('off');
          const stock = run();
          for (const v of VARIANTS) {
            await switchTo(v);
            const before = wasmKernelsState()!.calls;
            const got = run();
            expect(wasmKernelsState()!.calls - before, `${v}: the lab's kernel ran`).toBe(1);
            expect(Array.from(run()), `${v}: the same on every run`).toEqual(Array.from(got));
            const what = `${v} M${M} N${N} K${K} ta${ta} tb${tb}`;
            for (let i = 0; i < want.length; i++) {
              if (Math.abs(got[i] - want[i]) > 1e-5 * (1 + K))
                throw new Error(`${what} [${i}]: ${got[i]} vs ${want[i]}`);
              if (Math.abs(got[i] - stock[i]) > 1e-5 * (1 + Math.abs(stock[i])))
                throw new Error(`${what} [${i}] vs tfjs: ${got[i]} vs ${stock[i]}`);
            }
          }
        }
  });

  it('fused linear (x·W + b, + residual) and its gradients on each build agree with tfjs kernels', async () => {
    const run = () => fusedLinearCase(67, 18);
    await installWasmKernels('off');
    const stock = await run();
    for (const v of VARIANTS) {
      await switchTo(v);
      const fused = await run();
      stock.forEach((arr, k) =>
        arr.forEach((x, i) =>
          expect(Math.abs(fused[k][i] - x), `${v} output ${k}[${i}]`).toBeLessThan(1e-5 * (1 + Math.abs(x))),
        ),
      );
    }
  });

  it('a training step on each build agrees with tfjs kernels: losses and gradient norms for 4 steps', async () => {
    const model = tinyModel();
    const data = syntheticData(TINY_ENC, model, { N: 32, labeled: 28, targets: 'dense', hiddenDim: 24, seed: 3 });
    const run = async (v: KernelVariant | 'off') => {
      if (v === 'off') await installWasmKernels('off');
      else await switchTo(v);
      const enc = initEncoder(TINY_ENC, new Rng(deriveSeed(1, 'enc')));
      const tr = new Trainer({
        model,
        encoder: { config: TINY_ENC, params: enc },
        config: tinyConfig({ optim: { batchSize: 8 } }),
        data,
      });
      const out: number[] = [];
      for (let i = 0; i < 4; i++) {
        const s = await readStep(tr.step());
        out.push(s.total, s.gradNorm);
      }
      tr.dispose();
      disposeParams(enc);
      return out;
    };
    const stock = await run('off');
    for (const v of VARIANTS) {
      const got = await run(v);
      got.forEach((x, i) =>
        expect(Math.abs(x - stock[i]), `${v} [${i}]`).toBeLessThan(1e-4 * (1 + Math.abs(stock[i]))),
      );
    }
  });
});
