// npm run build:kernels: compile src/model/simd/asm/*.ts (AssemblyScript) to WebAssembly twice — SIMD128, and relaxed
// SIMD (the matmul's sums with f32x4.relaxed_madd, FMA) — and write both, base64, into src/model/simd/kernelsWasm.ts,
// and their (shared) exports' typings into src/model/simd/kernelExports.ts (both generated).
import { writeFileSync } from 'node:fs';
import {
  compileKernelVariants,
  KERNEL_MODULE,
  KERNEL_TYPINGS,
  kernelExports,
  renderKernelExports,
  renderKernelModule,
} from './lib/kernels';

compileKernelVariants()
  .then((builds) => {
    const exports = kernelExports(builds.simd, builds.relaxed);
    writeFileSync(KERNEL_MODULE, renderKernelModule(builds));
    writeFileSync(KERNEL_TYPINGS, renderKernelExports(exports));
    console.log(
      `build:kernels  SIMD128 ${builds.simd.length} bytes, relaxed SIMD ${builds.relaxed.length} bytes → ${KERNEL_MODULE}; ${exports.length} exports → ${KERNEL_TYPINGS}`,
    );
  })
  .catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
