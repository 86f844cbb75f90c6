// Seeded mutations of valid pack bytes for the pack-reader fuzz (issue 16 item 6): byte flips, truncation, extension,
// header-length, header-JSON syntax, tensor dtype/shape/offset edits, metadata edits; each case replayable by seed.
import { gzip } from '../pack/gzip';
import { PackError, parsePack } from '../pack/pack';
import { deriveSeed, Rng } from '../base/rng';

export const MUTATIONS = ['flip', 'truncate', 'extend', 'headerLength', 'headerSyntax', 'tensor', 'metadata'] as const;
export type Mutation = (typeof MUTATIONS)[number];

/** One valid pack to mutate: its uncompressed safetensors bytes, split into header JSON and data. */
export interface FuzzBase {
  name: string;
  bytes: Uint8Array; // [8 + headerLen + data] uncompressed
  header: Record<string, Record<string, unknown>>; // parsed header JSON (tensors + __metadata__)
  data: Uint8Array; // the tensor bytes after the header
}

export function fuzzBase(name: string, bytes: Uint8Array): FuzzBase {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as FuzzBase['header'];
  return { name, bytes, header, data: bytes.subarray(8 + n) };
}

/** Values a hostile header might hold where numbers, dtypes, shapes or JSON strings are expected. */
const WEIRD: unknown[] = [
  -1,
  0,
  1,
  2,
  3,
  7,
  255,
  1e9,
  2 ** 31,
  2 ** 32 + 1,
  2 ** 53,
  1.5,
  -0.5,
  1e308,
  null,
  true,
  'x',
  '',
  [],
  {},
  [1, 2],
  [-1],
  [1e9, 1e9],
  'I64',
  'F64',
  'BOOL',
  'U8',
  'F16',
  'F32',
  'I32',
  'u8',
  '{',
  '[]',
  '{}',
  'null',
  '"1"',
  '[1,2',
  '{"a":',
  '\u0000',
  'NaN',
];

function weird(r: Rng): unknown {
  const k = r.int(4);
  if (k === 0) return r.pick(WEIRD);
  if (k === 1) return r.int(5000) - 5;
  if (k === 2) return Array.from({ length: r.int(5) }, () => r.int(100) - 2);
  return r.pick(WEIRD);
}

/** Re-assemble a safetensors file from (possibly edited) header JSON text and the data bytes. */
function assemble(json: string, data: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(json);
  const b = new Uint8Array(8 + h.length + data.length);
  new DataView(b.buffer).setUint32(0, h.length, true);
  b.set(h, 8);
  b.set(data, 8 + h.length);
  return b;
}

/** An edit of one metadata value: replace, delete, or edit inside its JSON (drop/replace an element or a field). */
function editMetadata(md: Record<string, unknown>, r: Rng): void {
  const keys = Object.keys(md);
  const key = r.int(8) === 0 ? 'extra' : r.pick(keys);
  const op = r.int(4);
  if (op === 0) delete md[key];
  else if (op === 1) md[key] = typeof md[key] === 'string' && r.int(2) ? String(weird(r)) : JSON.stringify(weird(r));
  else {
    let v: unknown;
    try {
      v = JSON.parse(String(md[key]));
    } catch {
      md[key] = String(md[key]).slice(0, r.int(String(md[key]).length + 1));
      return;
    }
    if (Array.isArray(v) && v.length) {
      if (op === 2) v.splice(r.int(v.length), 1);
      else v[r.int(v.length)] = weird(r);
    } else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const fields = Object.keys(o);
      if (fields.length) {
        const f = r.pick(fields);
        if (op === 2) delete o[f];
        else o[f] = weird(r);
      }
    } else v = weird(r);
    md[key] = JSON.stringify(v);
  }
}

/** The bytes of case `i` of a run seeded `seed` on `base`; same arguments → same bytes. Half the cases are gzipped. */
export function mutateCase(
  base: FuzzBase,
  seed: number,
  i: number,
): { kind: Mutation; gz: boolean; bytes: Uint8Array } {
  const r = new Rng(deriveSeed(seed, `${base.name}:${i}`));
  const kind = MUTATIONS[r.int(MUTATIONS.length)];
  const gz = r.int(2) === 0;
  const src = base.bytes;
  const hdrEnd = src.length - base.data.length;
  let out: Uint8Array;
  switch (kind) {
    case 'flip': {
      out = src.slice();
      const n = 1 + r.int(8);
      const inHeader = r.int(2) === 0;
      for (let k = 0; k < n; k++) out[inHeader ? r.int(hdrEnd) : r.int(out.length)] = r.int(256);
      break;
    }
    case 'truncate':
      out = src.slice(0, r.int(src.length));
      break;
    case 'extend': {
      out = new Uint8Array(src.length + 1 + r.int(64));
      out.set(src);
      for (let k = src.length; k < out.length; k++) out[k] = r.int(256);
      break;
    }
    case 'headerLength': {
      out = src.slice();
      const dv = new DataView(out.buffer);
      const choice = r.int(4);
      if (choice === 0) dv.setUint32(0, r.nextU32(), true);
      else if (choice === 1)
        dv.setUint32(4, 1 + r.int(255), true); // length ≥ 2^32
      else if (choice === 2) dv.setUint32(0, Math.max(0, hdrEnd - 8 + r.int(64) - 32), true);
      else dv.setUint32(0, src.length, true);
      break;
    }
    case 'headerSyntax': {
      const json = JSON.stringify(base.header);
      const at = r.int(json.length);
      const junk = r.pick(['', '{', '}', '[', ']', ',', ':', '"', '\\', 'null', '1e999', '\u0000', '💥']);
      out = assemble(json.slice(0, at) + junk + json.slice(at + (r.int(3) ? 1 : 0)), base.data);
      break;
    }
    case 'tensor': {
      const h = structuredClone(base.header);
      const names = Object.keys(h).filter((n) => n !== '__metadata__');
      for (let e = 1 + r.int(3); e > 0; e--) {
        const name = r.pick(names);
        const entry = h[name];
        if (!entry) continue;
        const field = r.pick(['dtype', 'shape', 'data_offsets', 'shape.i', 'offset.i', 'delete', 'copy']);
        if (field === 'delete') delete h[name];
        else if (field === 'copy') h[`${name}_copy${r.int(3)}`] = structuredClone(entry);
        else if (field === 'shape.i' && Array.isArray(entry.shape) && entry.shape.length)
          (entry.shape as unknown[])[r.int(entry.shape.length)] = weird(r);
        else if (field === 'offset.i' && Array.isArray(entry.data_offsets))
          (entry.data_offsets as unknown[])[r.int(2)] = r.int(3)
            ? (entry.data_offsets as number[])[r.int(2)] + r.int(9) - 4
            : weird(r);
        else entry[field] = weird(r);
      }
      out = assemble(JSON.stringify(h), base.data);
      break;
    }
    case 'metadata': {
      const h = structuredClone(base.header);
      const md = (h.__metadata__ ?? {}) as Record<string, unknown>;
      for (let e = 1 + r.int(2); e > 0; e--) editMetadata(md, r);
      if (r.int(20) === 0) delete h.__metadata__;
      out = assemble(JSON.stringify(h), base.data);
      break;
    }
  }
  return { kind, gz, bytes: gz ? gzip(out) : out };
}

/** What one case did: parsed, refused with a PackError, or failed (any other throw, or slower than the limit). */
export interface CaseResult {
  outcome: 'parsed' | 'packError' | 'failure';
  ms: number; // on `clock` (wall time by default)
  error?: string; // for failures: the name and message
}

/**
 * Parse `bytes`; anything but a return or a PackError within limitMs is a failure. `clock` (ms) defaults to wall
 * time; the Node script passes the process's CPU time, which other processes on a shared machine do not inflate.
 */
export function runCase(
  bytes: Uint8Array,
  fileName: string,
  limitMs = 1000,
  clock: () => number = () => performance.now(),
): CaseResult {
  const t0 = clock();
  let outcome: CaseResult['outcome'] = 'parsed';
  let error: string | undefined;
  try {
    parsePack(bytes, fileName);
  } catch (e) {
    if (e instanceof PackError) outcome = 'packError';
    else {
      outcome = 'failure';
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
  }
  const ms = clock() - t0;
  if (outcome !== 'failure' && ms > limitMs) {
    outcome = 'failure';
    error = `took ${ms.toFixed(0)} ms (limit ${limitMs} ms)`;
  }
  return { outcome, ms, error };
}
