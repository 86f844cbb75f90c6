// The committed SIMD kernel modules (SIMD128 and relaxed SIMD) and their exports' typings are what their AssemblyScript
// sources give today (so they cannot drift); run npm run build:kernels after changing src/model/simd/asm.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  compileKernelVariants,
  type KernelVariant,
  KERNEL_MODULE,
  KERNEL_TYPINGS,
  kernelExports,
  parseExports,
  renderKernelExports,
  renderKernelModule,
} from './lib/kernels';

describe('build:kernels', () => {
  let builds: Record<KernelVariant, Uint8Array<ArrayBuffer>>;
  beforeAll(async () => {
    builds = await compileKernelVariants();
  });

  it('src/model/simd/kernelsWasm.ts matches a fresh compile of its source, both builds (run npm run build:kernels)', () => {
    expect(readFileSync(KERNEL_MODULE, 'utf8')).toBe(renderKernelModule(builds));
  });

  it("src/model/simd/kernelExports.ts matches the sources' exports, which are both builds' (run npm run build:kernels)", () => {
    expect(readFileSync(KERNEL_TYPINGS, 'utf8')).toBe(renderKernelExports(kernelExports(builds.simd, builds.relaxed)));
  });

  it('the relaxed build uses relaxed SIMD (f32x4.relaxed_madd) and the SIMD128 build does not', () => {
    // f32x4.relaxed_madd is 0xfd 0x85 0x02 (SIMD prefix, LEB128 0x105); validation needs no V8 flag for SIMD128
    const hasMadd = (b: Uint8Array) => b.some((x, i) => x === 0xfd && b[i + 1] === 0x85 && b[i + 2] === 0x02);
    expect(hasMadd(builds.relaxed)).toBe(true);
    expect(hasMadd(builds.simd)).toBe(false);
    expect(WebAssembly.validate(builds.simd)).toBe(true);
  });

  it('reads an export signature, and refuses a type that is not a JavaScript number', () => {
    const text = 'export function f(a: usize, n: i32): f32 {\n}\nfunction g(): void {}\nexport function h(): void {}';
    expect(parseExports('x.ts', text)).toEqual([
      {
        source: 'x.ts',
        name: 'f',
        params: [
          { name: 'a', type: 'usize' },
          { name: 'n', type: 'i32' },
        ],
        result: 'f32',
      },
      { source: 'x.ts', name: 'h', params: [], result: 'void' },
    ]);
    expect(() => parseExports('x.ts', 'export function f(a: i64): void {}')).toThrow(/i64 is not a JS number/);
  });
});
