// The committed SIMD kernel module is what its AssemblyScript source compiles to today (so the two cannot drift).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileKernels, KERNEL_MODULE, renderKernelModule } from './lib/kernels';

describe('build:kernels', () => {
  it('src/model/simd/kernelsWasm.ts matches a fresh compile of its source (run npm run build:kernels)', async () => {
    const bytes = await compileKernels();
    expect(readFileSync(KERNEL_MODULE, 'utf8')).toBe(renderKernelModule(bytes));
  });
});
