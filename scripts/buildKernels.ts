// npm run build:kernels: compile src/model/simd/asm/matmul.ts (AssemblyScript) to WebAssembly and write it, base64,
// into src/model/simd/kernelsWasm.ts, the module the wasm backend loads (no separate .wasm file to serve or locate).
import { writeFileSync } from 'node:fs';
import { compileKernels, KERNEL_MODULE, renderKernelModule } from './lib/kernels';

compileKernels()
  .then((bytes) => {
    writeFileSync(KERNEL_MODULE, renderKernelModule(bytes));
    console.log(`build:kernels  ${bytes.length} bytes → ${KERNEL_MODULE}`);
  })
  .catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
