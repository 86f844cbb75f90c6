// Generic safetensors reader/writer (pure TS: browser, worker and Node), gzip detection with a decompression-bomb
// guard, and float16 bit conversions. Every size a header declares is checked against the real bytes before use.
import { Float16Array } from '@petamoriken/float16';
import { brief, PackError } from '../base/errors';

export { brief, PackError } from '../base/errors';
export { crc32, DEFAULT_MAX_GUNZIP_BYTES, gzip, isGzip, maybeGunzip } from './gzip';

export type Dtype = 'U8' | 'I32' | 'F16' | 'F32';
export const DTYPES: readonly Dtype[] = ['U8', 'I32', 'F16', 'F32'];
/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<Dtype, number>> = { U8: 1, I32: 4, F16: 2, F32: 4 };

/** One tensor: dtype, shape and its elements (F16 as raw half-precision bits). */
export type SafeTensor =
  | { dtype: 'U8'; shape: number[]; data: Uint8Array }
  | { dtype: 'I32'; shape: number[]; data: Int32Array }
  | { dtype: 'F16'; shape: number[]; data: Uint16Array }
  | { dtype: 'F32'; shape: number[]; data: Float32Array };

export interface SafetensorsFile {
  metadata: Record<string, string>;
  tensors: Record<string, SafeTensor>;
}

/** Largest header the reader accepts (bytes); the reference implementation uses the same 100 MB limit. */
export const MAX_HEADER_BYTES = 100_000_000;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Number of elements of a shape, or -1 when it is not an array of non-negative safe integers or overflows. */
export function shapeSize(shape: unknown): number {
  if (!Array.isArray(shape)) return -1;
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return -1;
    n *= d;
    if (!Number.isSafeInteger(n)) return -1;
  }
  return n;
}

/** A tensor or key name for an error field, cut to 200 characters. */
export function nameOf(name: string): string {
  return name.length > 200 ? `${name.slice(0, 200)}…` : name;
}

function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Raw little-endian bytes of a typed array (a view when the platform is little-endian). */
function leBytes(data: Uint8Array | Int32Array | Uint16Array | Float32Array): Uint8Array {
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN || data.BYTES_PER_ELEMENT === 1) return raw;
  const out = new Uint8Array(raw.length);
  const w = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < raw.length; i += w) for (let j = 0; j < w; j++) out[i + j] = raw[i + w - 1 - j];
  return out;
}

/** Data order: larger elements first (then name), so that every tensor is aligned to its element size. */
function dataOrder(names: string[], tensors: Record<string, SafeTensor>): string[] {
  return [...names].sort((a, b) => {
    const d = DTYPE_BYTES[tensors[b].dtype] - DTYPE_BYTES[tensors[a].dtype];
    return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
  });
}

/**
 * Serialise tensors + string metadata as safetensors. Deterministic: same input → same bytes. Header JSON holds
 * `__metadata__` (keys sorted) then the tensors in data order (element size descending, then name), padded with
 * spaces to a multiple of 8 bytes as the Python library does; offsets are contiguous, so each tensor is aligned.
 */
export function writeSafetensors(tensors: Record<string, SafeTensor>, metadata: Record<string, string>): Uint8Array {
  const W = 'writeSafetensors';
  const names = Object.keys(tensors);
  for (const name of names) {
    const t = tensors[name];
    if (name === '__metadata__' || name.length === 0)
      throw new PackError(W, `tensor ${JSON.stringify(name)}`, 'a non-empty name other than __metadata__');
    if (!DTYPES.includes(t.dtype))
      throw new PackError(W, `tensor ${name}`, `dtype one of ${DTYPES.join(', ')} (got ${String(t.dtype)})`);
    const n = shapeSize(t.shape);
    if (n < 0) throw new PackError(W, `tensor ${name}`, 'shape an array of non-negative integers');
    if (n !== t.data.length)
      throw new PackError(W, `tensor ${name}`, `${n} elements for shape ${fmtShape(t.shape)} (got ${t.data.length})`);
    if (t.data.BYTES_PER_ELEMENT !== DTYPE_BYTES[t.dtype])
      throw new PackError(W, `tensor ${name}`, `a typed array matching dtype ${t.dtype}`);
  }
  const meta: Record<string, string> = {};
  for (const k of Object.keys(metadata).sort()) {
    if (typeof metadata[k] !== 'string') throw new PackError(W, `metadata.${k}`, 'a string value');
    meta[k] = metadata[k];
  }
  const order = dataOrder(names, tensors);
  const header: [string, unknown][] = [];
  if (Object.keys(meta).length > 0) header.push(['__metadata__', meta]);
  let offset = 0;
  for (const name of order) {
    const t = tensors[name];
    const end = offset + t.data.byteLength;
    header.push([name, { dtype: t.dtype, shape: t.shape, data_offsets: [offset, end] }]);
    offset = end;
  }
  // Object.fromEntries defines own properties, so a name like "__proto__" is serialised rather than swallowed.
  const json = new TextEncoder().encode(JSON.stringify(Object.fromEntries(header)));
  const pad = (8 - (json.length % 8)) % 8;
  const headerLen = json.length + pad;
  const out = new Uint8Array(8 + headerLen + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, headerLen >>> 0, true);
  dv.setUint32(4, Math.floor(headerLen / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let pos = 8 + headerLen;
  for (const name of order) {
    const bytes = leBytes(tensors[name].data);
    out.set(bytes, pos);
    pos += bytes.length;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Typed view (or aligned copy) over `byteLength` bytes at `start` of `bytes`. Caller has checked the bounds. */
function typedAt(bytes: Uint8Array, start: number, count: number, dtype: Dtype): SafeTensor['data'] {
  const w = DTYPE_BYTES[dtype];
  const abs = bytes.byteOffset + start;
  let buf = bytes.buffer as ArrayBuffer;
  let off = abs;
  if (abs % w !== 0 || (!LITTLE_ENDIAN && w > 1)) {
    const copy = new Uint8Array(count * w);
    copy.set(bytes.subarray(start, start + count * w));
    if (!LITTLE_ENDIAN && w > 1) {
      for (let i = 0; i < copy.length; i += w) copy.subarray(i, i + w).reverse();
    }
    buf = copy.buffer;
    off = 0;
  }
  switch (dtype) {
    case 'U8':
      return new Uint8Array(buf, off, count);
    case 'I32':
      return new Int32Array(buf, off, count);
    case 'F16':
      return new Uint16Array(buf, off, count);
    case 'F32':
      return new Float32Array(buf, off, count);
  }
}

/** Bounds a reader puts on a header before parsing it: its bytes, and the entries it lists. */
export interface HeaderLimits {
  maxHeaderBytes: number; // default MAX_HEADER_BYTES
  maxEntries: number; // default MAX_HEADER_ENTRIES
}
/** Entries (tensors) a header may list by default; a reader of packs sets a tighter bound. */
export const MAX_HEADER_ENTRIES = 1_000_000;
const DEFAULT_LIMITS: HeaderLimits = { maxHeaderBytes: MAX_HEADER_BYTES, maxEntries: MAX_HEADER_ENTRIES };
const KEY = new TextEncoder().encode('"data_offsets"');

/** Upper bound on the entries of a header, counted on its raw bytes (every entry has one `"data_offsets"` key). */
function countEntries(header: Uint8Array): number {
  let n = 0;
  const first = KEY[0];
  outer: for (
    let i = header.indexOf(first);
    i >= 0 && i <= header.length - KEY.length;
    i = header.indexOf(first, i + 1)
  ) {
    for (let j = 1; j < KEY.length; j++) if (header[i + j] !== KEY[j]) continue outer;
    n++;
  }
  return n;
}

/**
 * Check what the first bytes of a safetensors file say before anything is parsed or inflated further: the header
 * length against the bound (needs 8 bytes), then the entry count (needs the header). Returns true once both are
 * checked (false: not enough bytes yet). `total`: the file's size when known (the header must fit inside it).
 */
export function checkHeaderPrefix(
  prefix: Uint8Array,
  fileName: string,
  limits: Partial<HeaderLimits> = {},
  total?: number,
): boolean {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  if (prefix.length < 8) return false;
  const dv = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const headerLen = dv.getUint32(4, true) * 2 ** 32 + dv.getUint32(0, true);
  if (total !== undefined && headerLen > total - 8) {
    throw new PackError(
      fileName,
      'header length',
      `at most ${total - 8} (the bytes after the length field; got ${headerLen})`,
    );
  }
  if (headerLen > lim.maxHeaderBytes) {
    throw new PackError(
      fileName,
      'header length',
      `at most ${lim.maxHeaderBytes} bytes (got ${headerLen})`,
      'a pack header holds metadata and one entry per tensor; one this large is not a pack',
    );
  }
  if (prefix.length < 8 + headerLen) return false;
  const entries = countEntries(prefix.subarray(8, 8 + headerLen));
  if (entries > lim.maxEntries) {
    throw new PackError(
      fileName,
      'header',
      `at most ${lim.maxEntries} tensors (it lists ${entries})`,
      'a pack has one tensor per field and weight; merge or drop the rest',
    );
  }
  return true;
}

/**
 * Parse a safetensors file. Validates the header against the real byte length before creating any view:
 * header length, JSON, dtype, shape × element size = offsets span, offsets inside the data region and not
 * overlapping, string metadata. Tensor data are views into `bytes` where aligned (copies otherwise), so keep
 * `bytes` unchanged while they are used. Throws PackError(fileName, field, expected).
 */
export function readSafetensors(
  bytes: Uint8Array,
  fileName: string,
  limits: Partial<HeaderLimits> = {},
): SafetensorsFile {
  const F = fileName;
  if (bytes.length < 8)
    throw new PackError(F, 'header length', `8-byte little-endian header length (file has ${bytes.length} bytes)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  const headerLen = hi * 2 ** 32 + lo;
  checkHeaderPrefix(bytes, F, limits, bytes.length); // length and entry count before JSON.parse
  if (headerLen < 2) throw new PackError(F, 'header', `a JSON object (header length ${headerLen} is too short)`);
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
    header = JSON.parse(text);
  } catch (e) {
    throw new PackError(F, 'header', `UTF-8 JSON that parses (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isPlainObject(header)) throw new PackError(F, 'header', 'a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;

  const metaEntries: [string, string][] = [];
  const rawMeta = header['__metadata__'];
  if (rawMeta !== undefined && rawMeta !== null) {
    if (!isPlainObject(rawMeta)) throw new PackError(F, '__metadata__', 'a JSON object of string values');
    for (const [k, v] of Object.entries(rawMeta)) {
      if (typeof v !== 'string')
        throw new PackError(F, `metadata.${nameOf(k)}`, `a string value (got ${v === null ? 'null' : typeof v})`);
      metaEntries.push([k, v]);
    }
  }

  interface Entry {
    name: string;
    dtype: Dtype;
    shape: number[];
    begin: number;
    end: number;
    count: number;
  }
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const field = `tensor ${nameOf(name)}`;
    if (!isPlainObject(info)) throw new PackError(F, field, 'an object {dtype, shape, data_offsets}');
    const dtype = info['dtype'];
    if (typeof dtype !== 'string' || !(DTYPES as readonly string[]).includes(dtype)) {
      const hint =
        dtype === 'I64'
          ? '; cast ids with .astype(np.int32)'
          : dtype === 'F64'
            ? '; cast with .astype(np.float32)'
            : '';
      throw new PackError(F, field, `dtype one of ${DTYPES.join(', ')} (got ${brief(dtype)}${hint})`);
    }
    const shape = info['shape'];
    const count = shapeSize(shape);
    if (count < 0) throw new PackError(F, field, `shape an array of non-negative integers (got ${brief(shape)})`);
    const offs = info['data_offsets'];
    if (
      !Array.isArray(offs) ||
      offs.length !== 2 ||
      !offs.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)
    ) {
      throw new PackError(F, field, `data_offsets [begin, end] of non-negative integers (got ${brief(offs)})`);
    }
    const [begin, end] = offs as number[];
    if (begin > end) throw new PackError(F, field, `data_offsets begin ≤ end (got [${begin}, ${end}])`);
    if (end > dataLen)
      throw new PackError(
        F,
        field,
        `data_offsets inside the ${dataLen} data bytes of the file (got [${begin}, ${end}])`,
      );
    const bytesNeeded = count * DTYPE_BYTES[dtype as Dtype];
    if (bytesNeeded !== end - begin) {
      throw new PackError(
        F,
        field,
        `shape ${fmtShape(shape as number[])} × ${DTYPE_BYTES[dtype as Dtype]} bytes = ${bytesNeeded} bytes, equal to its data_offsets span ${end - begin}`,
      );
    }
    entries.push({ name, dtype: dtype as Dtype, shape: [...(shape as number[])], begin, end, count });
  }
  // Non-empty spans, in order of begin, must each start at or after the furthest end seen so far.
  const byBegin = entries.filter((e) => e.end > e.begin).sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < byBegin.length; i++) {
    const prev = byBegin[i - 1];
    const cur = byBegin[i];
    if (cur.begin < prev.end) {
      throw new PackError(
        F,
        `tensor ${nameOf(cur.name)}`,
        `data_offsets not overlapping tensor ${nameOf(prev.name)} (got [${cur.begin}, ${cur.end}] vs [${prev.begin}, ${prev.end}])`,
      );
    }
  }
  const tensorEntries: [string, SafeTensor][] = entries.map((e) => [
    e.name,
    { dtype: e.dtype, shape: e.shape, data: typedAt(bytes, dataStart + e.begin, e.count, e.dtype) } as SafeTensor,
  ]);
  return { metadata: Object.fromEntries(metaEntries), tensors: Object.fromEntries(tensorEntries) };
}

// ---------------------------------------------------------------- float16

/** float32 → IEEE half-precision bits (round to nearest even; |x| > 65504 → ±Infinity, NaN stays NaN). */
export function f32ToF16Bits(values: Float32Array): Uint16Array {
  const h = new Float16Array(values);
  return new Uint16Array(h.buffer, h.byteOffset, h.length);
}

let f16Table: Float32Array | null = null;
/** Half-precision bits → float32 (exact), through a 65,536-entry table built once. */
export function f16BitsToF32(bits: Uint16Array): Float32Array {
  if (!f16Table) {
    const all = new Uint16Array(65536);
    for (let i = 0; i < 65536; i++) all[i] = i;
    f16Table = Float32Array.from(new Float16Array(all.buffer));
  }
  const t = f16Table;
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = t[bits[i]];
  return out;
}

/** True when the half-precision bits encode ±Infinity or NaN (exponent all ones). */
export function isF16NonFinite(bits: number): boolean {
  return (bits & 0x7c00) === 0x7c00;
}
