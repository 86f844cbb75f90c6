// Kernels one training step dispatches, counted by tf.profile (exact counts; the per-kernel times are inflated
// by profiling, which syncs each kernel, so read them as shares). Shared by bench:step and profile:step.
import * as tf from '@tensorflow/tfjs-core';
import { readStep, type Trainer } from '../../src/model/trainer';

export interface KernelRow {
  name: string; // tfjs kernel name (MatMul, BatchMatMul, Add, …)
  count: number; // dispatches in the profiled step
  ms: number; // summed kernel time in the profiled step (profiling mode)
}
export interface StepProfile {
  kernels: number; // dispatches in one step
  byKernel: KernelRow[]; // sorted by ms, descending
}

/** Profile one step of `tr` (call it after warm-up, so shader compiles and first-step allocations are not counted). */
export async function profileStep(tr: Trainer): Promise<StepProfile> {
  const info = await tf.profile(async () => {
    await readStep(tr.step());
  });
  const rows = new Map<string, KernelRow>();
  for (const k of info.kernels) {
    const r = rows.get(k.name) ?? { name: k.name, count: 0, ms: 0 };
    r.count++;
    if (typeof k.kernelTimeMs === 'number') r.ms += k.kernelTimeMs;
    rows.set(k.name, r);
  }
  const byKernel = [...rows.values()].sort((a, b) => b.ms - a.ms).map((r) => ({ ...r, ms: Math.round(r.ms * 100) / 100 }));
  return { kernels: info.kernels.length, byKernel };
}
