// The committed SIMD kernel module and its exports' typings are what their AssemblyScript sources give today (so the
// three cannot drift); run npm run build:kernels after changing src/model/simd/asm.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  compileKernels,
  KERNEL_MODULE,
  KERNEL_TYPINGS,
  kernelExports,
  parseExports,
  renderKernelExports,
  renderKernelModule,
} from './lib/kernels';

describe('build:kernels', () => {
  let bytes: Uint8Array<ArrayBuffer>;
  beforeAll(async () => {
    bytes = await compileKernels();
  });

  it('src/model/simd/kernelsWasm.ts matches a fresh compile of its source (run npm run build:kernels)', () => {
    expect(readFileSync(KERNEL_MODULE, 'utf8')).toBe(renderKernelModule(bytes));
  });

  it("src/model/simd/kernelExports.ts matches the sources' exports, which are the compiled module's (run npm run build:kernels)", () => {
    expect(readFileSync(KERNEL_TYPINGS, 'utf8')).toBe(renderKernelExports(kernelExports(bytes)));
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
