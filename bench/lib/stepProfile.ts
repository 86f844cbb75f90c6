// Kernels one training step dispatches, counted by tf.profile (exact counts; the per-kernel times are inflated
// by profiling, which syncs each kernel, so read them as shares). Shared by bench:step and profile:step.
import * as tf from '@tensorflow/tfjs-core';
import { readStep, type Trainer } from '../../src/model/train/trainer';

export interface KernelRow {
  name: string; // tfjs kernel name (MatMul, BatchMatMul, Add, …)
  count: number; // dispatches in the profiled step
  ms: number; // summed kernel time in the profiled step (profiling mode)
}
export interface StepProfile {
  kernels: number; // registered-kernel dispatches in one step (nested ones included)
  scopes: number; // custom-gradient scopes tf.profile also lists (not dispatches)
  byKernel: KernelRow[]; // sorted by ms, descending
}

/** Profile one step of `tr` (call it after warm-up, so shader compiles and first-step allocations are not counted). */
export async function profileStep(tr: Trainer): Promise<StepProfile> {
  const info = await tf.profile(async () => {
    await readStep(tr.step());
  });
  // tf.profile also lists custom-gradient scopes ('unnamed scope', 'forward', 'logSoftmax__op'): they dispatch nothing
  // themselves (their kernels are listed on their own), so only registered kernels are counted.
  const backend = tf.getBackend();
  const dispatched = info.kernels.filter((k) => tf.getKernel(k.name, backend) != null);
  const rows = new Map<string, KernelRow>();
  for (const k of dispatched) {
    const r = rows.get(k.name) ?? { name: k.name, count: 0, ms: 0 };
    r.count++;
    if (typeof k.kernelTimeMs === 'number') r.ms += k.kernelTimeMs;
    rows.set(k.name, r);
  }
  const byKernel = [...rows.values()]
    .sort((a, b) => b.ms - a.ms)
    .map((r) => ({ ...r, ms: Math.round(r.ms * 100) / 100 }));
  return { kernels: dispatched.length, scopes: info.kernels.length - dispatched.length, byKernel };
}
