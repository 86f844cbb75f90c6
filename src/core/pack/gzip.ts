// gzip for packs: magic-byte detection (a server may already have decoded the file), CRC-32, and a gunzip that
// stops at a cap (a bomb, a lying trailer), says when a file is truncated, refuses a second member (DESIGN §4).
import { Gunzip, gzipSync } from 'fflate';
import { PackError } from '../base/errors';

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
      c =
        t[1792 + (a & 0xff)] ^
        t[1536 + ((a >>> 8) & 0xff)] ^
        t[1280 + ((a >>> 16) & 0xff)] ^
        t[1024 + (a >>> 24)] ^
        t[768 + (d & 0xff)] ^
        t[512 + ((d >>> 8) & 0xff)] ^
        t[256 + ((d >>> 16) & 0xff)] ^
        t[d >>> 24];
    }
    i += words.length * 4;
  }
  for (; i < n; i++) c = t[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Deflate's best ratio is about 1032:1; a trailer claiming more than this is a lie. */
const MAX_DEFLATE_RATIO = 1032;
const INFLATE_CHUNK = 64 * 1024;

/**
 * Called with the output so far after each inflated chunk, until it returns true: lets a reader check a header (its
 * length, its entry count) as soon as those bytes exist and throw before the rest is inflated.
 */
export type PrefixCheck = (out: Uint8Array) => boolean;

/** Why an inflation stopped early: the output passed `limit`, a second gzip member began, or the check threw. */
class Stop extends Error {}

/**
 * Inflate the one gzip member of `bytes` (header included) in 64 KiB input chunks into at most `limit` bytes
 * (`exact`: the trailer's size, allocated up front; else grown by doubling). Stops at once when the output passes
 * the limit or a second member begins (fflate's onmember), and hands the prefix to `check` as it grows.
 */
function inflateMember(
  bytes: Uint8Array,
  limit: number,
  exact: boolean,
  F: string,
  check?: PrefixCheck,
): { out: Uint8Array; over: boolean } {
  let out = new Uint8Array(exact ? limit : Math.min(limit, Math.max(1 << 20, bytes.length * 4)));
  let got = 0;
  let over = false;
  let checking = check !== undefined;
  let stop = null as Error | null; // set by the callbacks below
  const g = new Gunzip((chunk) => {
    if (stop) return;
    if (got + chunk.length > limit) {
      over = true;
      stop = new Stop('over');
      return;
    }
    if (got + chunk.length > out.length) {
      const grown = new Uint8Array(Math.min(limit, Math.max(out.length * 2, got + chunk.length)));
      grown.set(out.subarray(0, got));
      out = grown;
    }
    out.set(chunk, got);
    got += chunk.length;
    if (checking) {
      try {
        if (check!(out.subarray(0, got))) checking = false;
      } catch (e) {
        stop = e instanceof Error ? e : new Error(String(e));
      }
    }
  });
  g.onmember = (offset) => {
    if (!stop)
      stop = new PackError(
        F,
        'gzip',
        `one gzip member (a second one starts at byte ${offset}: files concatenated? decompress and gzip the pack again as one file)`,
      );
  };
  try {
    for (let i = 0; i < bytes.length && !stop; i += INFLATE_CHUNK) {
      const end = Math.min(bytes.length, i + INFLATE_CHUNK);
      g.push(bytes.subarray(i, end), end === bytes.length);
    }
  } catch (e) {
    const why = stop as Error | null;
    if (why instanceof Stop) return { out: out.subarray(0, got), over };
    if (why) throw why;
    const msg = e instanceof Error ? e.message : String(e);
    if (/unexpected EOF/i.test(msg)) {
      throw new PackError(
        F,
        'gzip',
        `a complete gzip file (the compressed data ends early after ${bytes.length} bytes: the file is truncated; download or copy it again)`,
      );
    }
    throw new PackError(F, 'gzip', `a valid deflate stream (${msg})`);
  }
  const stopped = stop as Error | null; // (assigned in callbacks: TS cannot see it)
  if (stopped && !(stopped instanceof Stop)) throw stopped;
  return { out: out.subarray(0, got), over };
}

const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;

/**
 * Return `bytes` unchanged unless they start with the gzip magic (1f 8b; the name is not consulted), else the
 * decompressed bytes of its one member. Bomb guard: nothing larger than the ISIZE trailer (when it is ≤ maxBytes and
 * plausible for the compressed size) or than maxBytes is ever allocated, and inflation stops as soon as the output
 * passes it. When the trailer is implausible the member is inflated up to maxBytes anyway to say what is wrong: a
 * truncated file (the deflate data ends early), a file that inflates past the cap, or a corrupt trailer. A second
 * member is refused. `check` sees the output's prefix as it grows (see PrefixCheck). The result must match ISIZE and
 * the CRC-32. Throws PackError(fileName, 'gzip', …).
 */
export function maybeGunzip(
  bytes: Uint8Array,
  fileName: string,
  maxBytes: number = DEFAULT_MAX_GUNZIP_BYTES,
  check?: PrefixCheck,
): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  const F = fileName;
  const G = 'gzip';
  if (bytes.length < 18)
    throw new PackError(F, G, `a complete gzip file of at least 18 bytes (it has ${bytes.length}: truncated?)`);
  if (bytes[2] !== 8) throw new PackError(F, G, 'compression method 8 (deflate)');
  const tail = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 8);
  const wantCrc = tail.getUint32(0, true);
  const isize = tail.getUint32(4, true);
  const plausible = isize <= maxBytes && isize <= bytes.length * MAX_DEFLATE_RATIO + 1024;
  if (!plausible) {
    // Either a bomb, a corrupt trailer or (most often) a truncated download whose last 8 bytes are not a trailer.
    const { out, over } = inflateMember(bytes, maxBytes, false, F, check);
    if (over)
      throw new PackError(
        F,
        G,
        `a decompressed size of at most ${mib(maxBytes)} (it inflates past that; the trailer says ${mib(isize)})`,
      );
    throw new PackError(
      F,
      G,
      `a trailer that gives the decompressed size (it says ${isize} bytes; the data inflates to ${out.length}: corrupt)`,
    );
  }
  const { out, over } = inflateMember(bytes, isize, true, F, check);
  if (over)
    throw new PackError(
      F,
      G,
      `decompressed data no longer than the trailer's size ${isize} (it is longer: corrupt, or a bomb)`,
    );
  if (out.length !== isize)
    throw new PackError(F, G, `decompressed size ${isize} as the trailer says (got ${out.length})`);
  if (crc32(out) !== wantCrc) throw new PackError(F, G, 'decompressed data matching the trailer CRC-32');
  return out;
}

/** gzip with a zero mtime and no file name, so the same input always gives the same bytes. */
export function gzip(bytes: Uint8Array, level: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 = 6): Uint8Array {
  return gzipSync(bytes, { level, mtime: 0 });
}
