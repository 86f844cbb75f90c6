// gzip for packs: magic-byte detection (a server may already have decoded the file), CRC-32, and a gunzip that
// checks the trailer's size against a cap and stops a decompression bomb before it allocates (DESIGN §4).
import { Inflate, inflateSync, gzipSync } from 'fflate';
import { PackError } from './errors';

/** Default cap on gunzipped size (bytes): far above any lab pack, low enough that the worst case inflates in seconds. */
export const DEFAULT_MAX_GUNZIP_BYTES = 256 * 1024 * 1024;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** True when the bytes start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

let crcTables: Uint32Array | null = null; // 8 tables of 256 entries (slicing-by-8)
/** CRC-32 (IEEE, as in gzip) of the bytes. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTables) {
    const t = new Uint32Array(8 * 256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      t[n] = c >>> 0;
    }
    for (let k = 1; k < 8; k++) {
      for (let n = 0; n < 256; n++) {
        const prev = t[(k - 1) * 256 + n];
        t[k * 256 + n] = (prev >>> 8) ^ t[prev & 0xff];
      }
    }
    crcTables = t;
  }
  const t = crcTables;
  const b = bytes;
  const n = b.length;
  let c = 0xffffffff;
  let i = 0;
  for (; i < n && (b.byteOffset + i) % 4 !== 0; i++) c = t[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  if (LITTLE_ENDIAN && n - i >= 8) {
    // Eight bytes per step through an aligned 32-bit view.
    const words = new Uint32Array(b.buffer, b.byteOffset + i, ((n - i) >>> 3) << 1);
    for (let w = 0; w < words.length; w += 2) {
      const a = c ^ words[w];
      const d = words[w + 1];
      c = t[1792 + (a & 0xff)] ^ t[1536 + ((a >>> 8) & 0xff)] ^ t[1280 + ((a >>> 16) & 0xff)] ^ t[1024 + (a >>> 24)]
        ^ t[768 + (d & 0xff)] ^ t[512 + ((d >>> 8) & 0xff)] ^ t[256 + ((d >>> 16) & 0xff)] ^ t[d >>> 24];
    }
    i += words.length * 4;
  }
  for (; i < n; i++) c = t[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Deflate's best ratio is about 1032:1; a trailer claiming more than this is a lie. */
const MAX_DEFLATE_RATIO = 1032;
const INFLATE_CHUNK = 16 * 1024;

const tooLong = (F: string, isize: number): PackError =>
  new PackError(F, 'gzip', `decompressed data no longer than the trailer's size ${isize} (it is longer: corrupt, or a bomb)`);

/** One-shot inflate into isize + 1 bytes: used only when even a maximal expansion of the body fits the cap. */
function inflateWhole(body: Uint8Array, isize: number, F: string): Uint8Array {
  const res = inflateSync(body, { out: new Uint8Array(isize + 1) });
  if (res.length > isize) throw tooLong(F, isize);
  if (res.length !== isize) throw new PackError(F, 'gzip', `decompressed size ${isize} as the trailer says (got ${res.length})`);
  return res;
}

/** Chunked inflate into isize bytes that stops as soon as the output would pass isize (a lying trailer). */
function inflateStreamed(body: Uint8Array, isize: number, F: string): Uint8Array {
  const out = new Uint8Array(isize);
  let got = 0;
  let overflow = false;
  const inflater = new Inflate((chunk) => {
    if (overflow) return;
    if (got + chunk.length > isize) {
      overflow = true;
      return;
    }
    out.set(chunk, got);
    got += chunk.length;
  });
  for (let i = 0; i < body.length && !overflow; i += INFLATE_CHUNK) {
    const end = Math.min(body.length, i + INFLATE_CHUNK);
    inflater.push(body.subarray(i, end), end === body.length);
  }
  if (overflow) throw tooLong(F, isize);
  if (got !== isize) throw new PackError(F, 'gzip', `decompressed size ${isize} as the trailer says (got ${got})`);
  return out;
}

/**
 * Return `bytes` unchanged unless they start with the gzip magic (1f 8b; the name is not consulted), else the
 * decompressed bytes of its (single) member. Bomb guard: the ISIZE trailer must be ≤ maxBytes and plausible for the
 * compressed size before anything is allocated. When even a maximal (1032:1) expansion of the body fits the cap it is
 * inflated in one call; otherwise in 16 KiB chunks, stopping as soon as the output passes ISIZE. Either way the work
 * is bounded by the cap. The result must match ISIZE and the CRC-32. Throws PackError(fileName, 'gzip', …).
 */
export function maybeGunzip(bytes: Uint8Array, fileName: string, maxBytes: number = DEFAULT_MAX_GUNZIP_BYTES): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  const F = fileName;
  const G = 'gzip';
  if (bytes.length < 18) throw new PackError(F, G, `a complete gzip stream (file has ${bytes.length} bytes)`);
  if (bytes[2] !== 8) throw new PackError(F, G, 'compression method 8 (deflate)');
  const flg = bytes[3];
  let pos = 10;
  if (flg & 4) pos += 2 + (bytes[10] | (bytes[11] << 8));
  for (const bit of [8, 16]) {
    if (flg & bit) {
      while (pos < bytes.length && bytes[pos] !== 0) pos++;
      pos++;
    }
  }
  if (flg & 2) pos += 2;
  if (pos > bytes.length - 8) throw new PackError(F, G, 'a gzip header followed by data and an 8-byte trailer');
  const tail = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 8);
  const wantCrc = tail.getUint32(0, true);
  const isize = tail.getUint32(4, true);
  const body = bytes.subarray(pos, bytes.length - 8);
  if (isize > maxBytes) throw new PackError(F, G, `decompressed size at most ${maxBytes} bytes (trailer says ${isize})`);
  if (isize > body.length * MAX_DEFLATE_RATIO + 1024) {
    throw new PackError(F, G, `a decompressed size possible for ${body.length} compressed bytes (trailer says ${isize})`);
  }
  const maxPossible = body.length * MAX_DEFLATE_RATIO + 1024;
  let out: Uint8Array;
  try {
    out = maxPossible <= maxBytes ? inflateWhole(body, isize, F) : inflateStreamed(body, isize, F);
  } catch (e) {
    if (e instanceof PackError) throw e;
    throw new PackError(F, G, `a valid deflate stream (${e instanceof Error ? e.message : String(e)})`);
  }
  if (crc32(out) !== wantCrc) throw new PackError(F, G, 'decompressed data matching the trailer CRC-32');
  return out;
}

/** gzip with a zero mtime and no file name, so the same input always gives the same bytes. */
export function gzip(bytes: Uint8Array, level: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 = 6): Uint8Array {
  return gzipSync(bytes, { level, mtime: 0 });
}

