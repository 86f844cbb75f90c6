// Tests of the safetensors reader/writer: round trips, byte layout, every header rejection, the gzip bomb guard
// and the float16 conversions.
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'fflate';
import {
  PackError,
  readSafetensors,
  writeSafetensors,
  maybeGunzip,
  gzip,
  isGzip,
  crc32,
  f32ToF16Bits,
  f16BitsToF32,
  isF16NonFinite,
  type SafeTensor,
} from './safetensors';

/** A file from a header (object or raw JSON text, padded to 8 with spaces) and data bytes. */
function craft(header: unknown, data: Uint8Array = new Uint8Array(0), headerLenOverride?: number): Uint8Array {
  let text = typeof header === 'string' ? header : JSON.stringify(header);
  while (new TextEncoder().encode(text).length % 8) text += ' ';
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, headerLenOverride ?? json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function expectPackError(fn: () => unknown, field: string | RegExp, file = 'x.safetensors'): PackError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PackError);
    const pe = e as PackError;
    expect(pe.file).toBe(file);
    if (typeof field === 'string') expect(pe.field).toBe(field);
    else expect(pe.field).toMatch(field);
    expect(pe.message).toBe(`${pe.file}: ${pe.field}: ${pe.expected}`);
    return pe;
  }
  throw new Error('expected a PackError');
}

const sample = (): Record<string, SafeTensor> => ({
  b_u8: { dtype: 'U8', shape: [3], data: new Uint8Array([1, 2, 255]) },
  a_i32: { dtype: 'I32', shape: [2, 2], data: new Int32Array([-1, 0, 7, 2147483647]) },
  c_f16: { dtype: 'F16', shape: [3], data: f32ToF16Bits(new Float32Array([1, -2.5, 0.1])) },
  d_f32: { dtype: 'F32', shape: [1, 2], data: new Float32Array([Math.PI, -1e-30]) },
  empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
});

describe('writeSafetensors / readSafetensors', () => {
  it('round-trips every dtype, metadata and an empty tensor', () => {
    const t = sample();
    const bytes = writeSafetensors(t, { z: 'last', a: '{"json": [1]}' });
    const r = readSafetensors(bytes, 'x.safetensors');
    expect(r.metadata).toEqual({ a: '{"json": [1]}', z: 'last' });
    expect(Object.keys(r.tensors).sort()).toEqual(Object.keys(t).sort());
    for (const [name, want] of Object.entries(t)) {
      expect(r.tensors[name].dtype).toBe(want.dtype);
      expect(r.tensors[name].shape).toEqual(want.shape);
      expect(Array.from(r.tensors[name].data)).toEqual(Array.from(want.data));
      expect(r.tensors[name].data.constructor).toBe(want.data.constructor);
    }
  });

  it('is deterministic, pads the header with spaces to 8 bytes and aligns every tensor', () => {
    const bytes = writeSafetensors(sample(), { k: 'v' });
    expect(writeSafetensors(sample(), { k: 'v' })).toEqual(bytes);
    const n = new DataView(bytes.buffer).getUint32(0, true);
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text.trimEnd().length).toBeLessThanOrEqual(n);
    expect(/^ *$/.test(text.slice(text.trimEnd().length))).toBe(true);
    const header = JSON.parse(text);
    expect(Object.keys(header)[0]).toBe('__metadata__');
    for (const [name, info] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const { dtype, data_offsets } = info as { dtype: string; data_offsets: number[] };
      const w = { U8: 1, F16: 2, I32: 4, F32: 4 }[dtype]!;
      expect(data_offsets[0] % w).toBe(0);
    }
    // The views share the file's buffer (no copy) when aligned.
    const r = readSafetensors(bytes, 'x.safetensors');
    expect(r.tensors.d_f32.data.buffer).toBe(bytes.buffer);
  });

  it('copies unaligned tensors into aligned arrays', () => {
    const data = new Uint8Array(1 + 8);
    data[0] = 9;
    new DataView(data.buffer).setFloat32(1, 1.5, true);
    new DataView(data.buffer).setFloat32(5, -2, true);
    const bytes = craft(
      { a: { dtype: 'U8', shape: [1], data_offsets: [0, 1] }, b: { dtype: 'F32', shape: [2], data_offsets: [1, 9] } },
      data,
    );
    const r = readSafetensors(bytes, 'x.safetensors');
    expect(Array.from(r.tensors.b.data)).toEqual([1.5, -2]);
    expect(Array.from(r.tensors.a.data)).toEqual([9]);
  });

  it('reads a file whose bytes sit at an odd offset of a larger buffer', () => {
    const bytes = writeSafetensors(sample(), {});
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    const r = readSafetensors(big.subarray(3), 'x.safetensors');
    expect(Array.from(r.tensors.a_i32.data)).toEqual([-1, 0, 7, 2147483647]);
  });

  it('keeps a tensor named __proto__ as data', () => {
    const bytes = craft('{"__proto__":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', new Uint8Array([4]));
    const r = readSafetensors(bytes, 'x.safetensors');
    expect(Object.prototype.hasOwnProperty.call(r.tensors, '__proto__')).toBe(true);
  });

  it('refuses writer input whose data length disagrees with the shape', () => {
    expectPackError(
      () => writeSafetensors({ a: { dtype: 'F32', shape: [3], data: new Float32Array(2) } }, {}),
      'tensor a',
      'writeSafetensors',
    );
  });
});

describe('readSafetensors rejections', () => {
  const F = 'x.safetensors';
  it('a file shorter than the length field', () => {
    expectPackError(() => readSafetensors(new Uint8Array(5), F), 'header length');
  });
  it('a header length past the file', () => {
    expectPackError(() => readSafetensors(craft({}, new Uint8Array(0), 1000), F), 'header length');
  });
  it('a header length whose high 32 bits are set', () => {
    const b = craft({});
    new DataView(b.buffer).setUint32(4, 1, true);
    expectPackError(() => readSafetensors(b, F), 'header length');
  });
  it('header JSON that does not parse', () => {
    expectPackError(() => readSafetensors(craft('{"a": '), F), 'header');
  });
  it('header JSON that is not an object', () => {
    expectPackError(() => readSafetensors(craft('[1, 2]'), F), 'header');
  });
  it('an unknown dtype, with a hint for int64', () => {
    const pe = expectPackError(
      () => readSafetensors(craft({ a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), F),
      'tensor a',
    );
    expect(pe.expected).toContain('int32');
  });
  it('a shape whose byte size differs from its offsets', () => {
    expectPackError(
      () => readSafetensors(craft({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)), F),
      'tensor a',
    );
  });
  it('a malformed shape', () => {
    expectPackError(
      () => readSafetensors(craft({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), F),
      'tensor a',
    );
    expectPackError(
      () => readSafetensors(craft({ a: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, new Uint8Array(4)), F),
      'tensor a',
    );
  });
  it('offsets past the end of the file', () => {
    expectPackError(
      () => readSafetensors(craft({ a: { dtype: 'U8', shape: [9], data_offsets: [0, 9] } }, new Uint8Array(8)), F),
      'tensor a',
    );
  });
  it('offsets with begin after end', () => {
    expectPackError(
      () => readSafetensors(craft({ a: { dtype: 'U8', shape: [0], data_offsets: [4, 2] } }, new Uint8Array(8)), F),
      'tensor a',
    );
  });
  it('overlapping offsets', () => {
    const h = {
      a: { dtype: 'U8', shape: [6], data_offsets: [0, 6] },
      b: { dtype: 'U8', shape: [4], data_offsets: [4, 8] },
    };
    expectPackError(() => readSafetensors(craft(h, new Uint8Array(8)), F), /^tensor (a|b)$/);
  });
  it('an overlap hidden behind an empty tensor', () => {
    const h = {
      a: { dtype: 'U8', shape: [8], data_offsets: [0, 8] },
      e: { dtype: 'U8', shape: [0], data_offsets: [3, 3] },
      b: { dtype: 'U8', shape: [2], data_offsets: [5, 7] },
    };
    expectPackError(() => readSafetensors(craft(h, new Uint8Array(8)), F), 'tensor b');
  });
  it('a non-string metadata value', () => {
    expectPackError(() => readSafetensors(craft({ __metadata__: { version: 1 } }), F), 'metadata.version');
  });
  it('a huge declared tensor in a small file, without allocating it', () => {
    // Allocating 4 GB would throw a RangeError (or exhaust the heap) before any PackError: the PackError is the check.
    expectPackError(
      () =>
        readSafetensors(craft({ a: { dtype: 'F32', shape: [1e9], data_offsets: [0, 4e9] } }, new Uint8Array(16)), F),
      'tensor a',
    );
    expectPackError(
      () => readSafetensors(craft({ a: { dtype: 'F32', shape: [1e9], data_offsets: [0, 16] } }, new Uint8Array(16)), F),
      'tensor a',
    );
    expectPackError(
      () =>
        readSafetensors(
          craft({ a: { dtype: 'F32', shape: [1e9, 1e9, 1e9], data_offsets: [0, 16] } }, new Uint8Array(16)),
          F,
        ),
      'tensor a',
    );
  });
});

describe('gzip', () => {
  const plain = writeSafetensors(sample(), { k: 'v' });
  it('passes plain bytes through and detects gzip by magic, not by name', () => {
    expect(maybeGunzip(plain, 'x.safetensors.gz')).toBe(plain);
    const gz = gzip(plain);
    expect(isGzip(gz)).toBe(true);
    expect(maybeGunzip(gz, 'x.safetensors')).toEqual(plain);
  });
  it('is byte-deterministic (zero mtime)', () => {
    expect(gzip(plain)).toEqual(gzip(plain));
    const gz = gzip(plain);
    expect(Array.from(gz.subarray(4, 8))).toEqual([0, 0, 0, 0]);
  });
  it('reads a gzip with a file name field (as Python gzip writes)', () => {
    const gz = gzipSync(plain, { filename: 'pack.safetensors', mtime: 0 });
    expect(maybeGunzip(gz, 'p')).toEqual(plain);
  });
  it('refuses a trailer size over the cap before decompressing', () => {
    const gz = gzip(new Uint8Array(5000));
    expectPackError(() => maybeGunzip(gz, 'g', 1000), 'gzip', 'g');
    const lie = gz.slice();
    new DataView(lie.buffer).setUint32(lie.length - 4, 0xfffffff0, true);
    expectPackError(() => maybeGunzip(lie, 'g'), 'gzip', 'g');
  });
  it('decompresses on both paths: one-shot (small body) and chunked (body whose maximal expansion passes the cap)', () => {
    const gz = gzip(plain);
    expect(maybeGunzip(gz, 'g')).toEqual(plain); // 1032 × body ≤ 512 MiB: one shot
    expect(maybeGunzip(gz, 'g', plain.length)).toEqual(plain); // cap below 1032 × body: chunked
    const big = new Uint8Array(300_000).map((_, i) => (i * 7919) % 251);
    expect(maybeGunzip(gzip(big), 'g', big.length)).toEqual(big);
  });
  it('stops a bomb whose trailer lies about its size, quickly, on both paths', () => {
    const gz = gzip(new Uint8Array(8 * 1024 * 1024), 9); // ~8 KB compressed
    const lie = gz.slice();
    new DataView(lie.buffer).setUint32(lie.length - 4, 100, true);
    expect(expectPackError(() => maybeGunzip(lie, 'g'), 'gzip', 'g').expected).toContain('bomb');
    expect(expectPackError(() => maybeGunzip(lie, 'g', 1000), 'gzip', 'g').expected).toContain('bomb');
    // No time assert: a hang (inflating the whole bomb) is caught by the test timeout, and the speed is no contract.
  });
  it('rejects a trailer that claims more than the data holds', () => {
    const gz = gzip(plain);
    const lie = gz.slice();
    new DataView(lie.buffer).setUint32(lie.length - 4, plain.length + 10, true);
    expectPackError(() => maybeGunzip(lie, 'g'), 'gzip', 'g');
    expectPackError(() => maybeGunzip(lie, 'g', plain.length + 10), 'gzip', 'g');
  });
  it('rejects a CRC mismatch, a truncated stream and garbage', () => {
    const gz = gzip(plain);
    const bad = gz.slice();
    bad[bad.length - 8] ^= 1;
    expectPackError(() => maybeGunzip(bad, 'g'), 'gzip', 'g');
    const cut = gz.slice(0, gz.length - 20);
    expectPackError(() => maybeGunzip(cut, 'g'), 'gzip', 'g');
    expectPackError(
      () => maybeGunzip(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0]), 'g'),
      'gzip',
      'g',
    );
  });
  it('crc32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('float16', () => {
  it('converts named values', () => {
    const bits = f32ToF16Bits(
      new Float32Array([1, -2, 65504, 1e5, -0, 0.5, 6.103515625e-5, 5.960464477539063e-8, NaN]),
    );
    expect(Array.from(bits.subarray(0, 8))).toEqual([0x3c00, 0xc000, 0x7bff, 0x7c00, 0x8000, 0x3800, 0x0400, 0x0001]);
    expect(isF16NonFinite(bits[3])).toBe(true);
    expect(isF16NonFinite(bits[8])).toBe(true);
    expect(isF16NonFinite(bits[2])).toBe(false);
  });
  it('round-trips every finite half exactly', () => {
    const all = new Uint16Array(65536).map((_, i) => i).filter((b) => !isF16NonFinite(b));
    const back = f32ToF16Bits(f16BitsToF32(all));
    expect(Array.from(back)).toEqual(Array.from(all));
  });
});
