// npm run build:kernels: compile src/model/simd/asm/*.ts (AssemblyScript) to WebAssembly and write it, base64, into
// src/model/simd/kernelsWasm.ts, and its exports' typings into src/model/simd/kernelExports.ts (both generated).
import { writeFileSync } from 'node:fs';
import {
  compileKernels,
  KERNEL_MODULE,
  KERNEL_TYPINGS,
  kernelExports,
  renderKernelExports,
  renderKernelModule,
} from './lib/kernels';

compileKernels()
  .then((bytes) => {
    const exports = kernelExports(bytes);
    writeFileSync(KERNEL_MODULE, renderKernelModule(bytes));
    writeFileSync(KERNEL_TYPINGS, renderKernelExports(exports));
    console.log(
      `build:kernels  ${bytes.length} bytes → ${KERNEL_MODULE}; ${exports.length} exports → ${KERNEL_TYPINGS}`,
    );
  })
  .catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
