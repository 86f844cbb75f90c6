// Test helpers for the pack readers (DESIGN §4, §4b): a pack input's bytes with tensors or metadata edited and no
// validation, and the check that parsing them throws one PackError naming the file and the field.
import { expect } from 'vitest';
import { PackError, parsePack, serializePackMeta, type PackInput } from '../pack/pack';
import { writeSafetensors, type SafeTensor } from '../pack/safetensors';

/** Parses `bytes` as `file` and returns the PackError it must throw on `field` (its message: "file: field: detail"). */
export function expectPackError(bytes: Uint8Array, field: string, file: string): PackError {
  try {
    parsePack(bytes, file);
  } catch (e) {
    if (!(e instanceof PackError)) throw e;
    expect(e.field).toBe(field);
    expect(e.file).toBe(file);
    expect(e.detail.startsWith(e.expected)).toBe(true);
    expect(e.message).toBe(`${file}: ${field}: ${e.detail}`);
    return e;
  }
  throw new Error(`expected a PackError on ${field}`);
}

/** Bytes of a pack input with some tensors replaced (null: removed) and metadata strings edited, without validation. */
export function bytesOf(
  input: PackInput,
  tensors: Record<string, SafeTensor | null> = {},
  meta: Record<string, string | null> = {},
): Uint8Array {
  const t: Record<string, SafeTensor> = { ...input.tensors };
  for (const [k, v] of Object.entries(tensors)) {
    if (v === null) delete t[k];
    else t[k] = v;
  }
  const m = serializePackMeta(input.meta);
  for (const [k, v] of Object.entries(meta)) {
    if (v === null) delete m[k];
    else m[k] = v;
  }
  return writeSafetensors(t, m);
}
