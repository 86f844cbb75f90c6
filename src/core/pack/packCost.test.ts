// The hostile corpus of issue 31 at the reader's level: what a pack costs (by hand), packs past the bounds refused by
// name before any work (file size, header bytes and entries, sequence length), and the gzip cases (truncated, two members).
import { describe, expect, it } from 'vitest';
import { gzip, maybeGunzip } from './gzip';
import { buildPackBytes, PackError, parsePack } from './pack';
import { checkPackCost, checkPackFileSize, lmParams, maxBatch, PACK_LIMITS, stepCost } from './packCost';
import { checkHeaderPrefix } from './safetensors';
import { makeTinyFeaturesPack, makeTinyPack } from '../testing/packFixture';

const STUDENT = { d: 64, layers: 2, heads: 2, mlpRatio: 4 };
const SHAPES = { P: 9, Lp: 13, A: 4, V: 57, dV: 64 }; // the shipped shapes pack

/** A safetensors file whose header lists `n` zero-size U8 tensors (and nothing else). */
function manyTensors(n: number): Uint8Array {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`"t${i}":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}`);
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const out = new Uint8Array(8 + json.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  return out;
}

function refused(fn: () => unknown): PackError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PackError);
    return e as PackError;
  }
  throw new Error('expected a PackError');
}

describe('what a pack costs', () => {
  it('parameters by hand: projector, embeddings, positions, blocks, final LN, head', () => {
    // d 2, 1 layer, mlp ×1, V 4, L 3, dV 1: projector 1·2+2+2·2+2 = 10; embed 8; pos 6;
    // block: LNs 8 + attention 16+8 + MLP 2·2·2+2+2 = 12 → 44; final LN 4; head 8+4 = 12. Total 84.
    expect(lmParams({ P: 1, Lp: 1, A: 1, V: 4, dV: 1 }, { d: 2, layers: 1, heads: 1, mlpRatio: 1 })).toBe(84);
  });
  it('the step estimate grows with the batch linearly and with L about quadratically', () => {
    const one = stepCost({ seq: SHAPES, student: STUDENT, teacher: null, batch: 1, lanes: 1 });
    const b32 = stepCost({ seq: SHAPES, student: STUDENT, teacher: null, batch: 32, lanes: 1 });
    expect(b32.stepBytes).toBe(32 * one.stepBytes);
    const long = stepCost({ seq: { ...SHAPES, P: 200 }, student: STUDENT, teacher: null, batch: 1, lanes: 1 });
    expect(long.stepBytes / one.stepBytes).toBeGreaterThan(217 / 26);
    expect(long.stepBytes / one.stepBytes).toBeLessThan((217 / 26) ** 2);
  });
  it('the shipped packs fit at every batch the lab offers (512), with the online teacher', () => {
    const teacher = { d: 128, layers: 4, heads: 8, mlpRatio: 4 };
    expect(() =>
      checkPackCost('shapes', { seq: SHAPES, student: STUDENT, teacher, batch: 512, lanes: 4 }),
    ).not.toThrow();
  });
  it('P = 1,024 image tokens is refused by name with a hint to pool', () => {
    const e = refused(() =>
      checkPackCost('big.safetensors', {
        seq: { ...SHAPES, P: 1024, dV: 8 },
        student: STUDENT,
        teacher: null,
        batch: 32,
        lanes: 1,
      }),
    );
    expect(e.message).toContain('big.safetensors');
    expect(e.field).toBe('sequence length');
    expect(e.message).toContain('1041');
    expect(e.hint).toMatch(/pool the image features to P ≤ 64/);
  });
  it('a batch whose step passes the memory bound is refused with the largest batch that fits', () => {
    const x = { seq: { ...SHAPES, P: 200 }, student: STUDENT, teacher: null, lanes: 1 };
    const fit = maxBatch(x);
    expect(fit).toBeGreaterThan(32);
    expect(fit).toBeLessThan(512);
    expect(() => checkPackCost('p', { ...x, batch: fit })).not.toThrow();
    const e = refused(() => checkPackCost('p', { ...x, batch: fit + 1 }));
    expect(e.field).toBe('step memory');
    expect(e.hint).toBe(`use a batch size of at most ${fit}`);
  });
  it('a file over the bound is refused before it is read', () => {
    expect(() => checkPackFileSize('f', PACK_LIMITS.fileBytes)).not.toThrow();
    expect(refused(() => checkPackFileSize('f', 1.5 * 2 ** 30)).message).toContain(
      'at most 1024 MiB (it is 1536 MiB); nothing was read',
    );
  });
});

describe('headers are bounded before they are parsed', () => {
  it('a header longer than 16 MiB is refused from its 8-byte length, gzipped or not, before inflating the rest', () => {
    const bytes = manyTensors(300_000); // ≈ 17 MB of zero-size tensors
    expect(bytes.length).toBeGreaterThan(PACK_LIMITS.headerBytes);
    expect(refused(() => parsePack(bytes, 'h.safetensors')).field).toBe('header length');
    let inflated = 0; // the prefix check stops inflation at the first chunk that holds the 8-byte length
    const e = refused(() =>
      maybeGunzip(gzip(bytes, 1), 'h.gz', undefined, (prefix) => {
        inflated = prefix.length;
        return checkHeaderPrefix(prefix, 'h.gz', { maxHeaderBytes: PACK_LIMITS.headerBytes });
      }),
    );
    expect(e.field).toBe('header length');
    expect(e.message).toContain(`at most ${PACK_LIMITS.headerBytes} bytes`);
    expect(inflated).toBeLessThan(bytes.length / 8);
    expect(refused(() => parsePack(gzip(bytes, 1), 'h.safetensors.gz')).field).toBe('header length');
  });
  it('a header listing more tensors than the bound is refused before JSON.parse', () => {
    const e = refused(() => parsePack(manyTensors(PACK_LIMITS.headerEntries + 1), 'n.safetensors'));
    expect(e.field).toBe('header');
    expect(e.message).toContain(
      `at most ${PACK_LIMITS.headerEntries} tensors (it lists ${PACK_LIMITS.headerEntries + 1})`,
    );
  });
});

describe('gzip that is not one complete member', () => {
  const data = new Uint8Array(200_000).map((_, i) => (i * 31) % 251);
  const gz = gzip(data);
  it('a truncated file says it is truncated, not what its last bytes happen to say', () => {
    for (const cut of [9, 100, gz.length >> 1, gz.length - 9]) {
      const e = refused(() => maybeGunzip(gz.subarray(0, gz.length - cut), 'p.safetensors.gz'));
      expect(e.message).toMatch(/truncated|at least 18 bytes/);
      expect(e.message).not.toContain('268435456');
    }
  });
  it('two concatenated members are refused (the format says one)', () => {
    const two = new Uint8Array(2 * gz.length);
    two.set(gz);
    two.set(gz, gz.length);
    expect(refused(() => maybeGunzip(two, 'p.gz')).message).toContain('one gzip member');
  });
  it('one member still inflates exactly, and an empty one too', () => {
    expect(maybeGunzip(gz, 'p.gz')).toEqual(data);
    expect(maybeGunzip(gzip(new Uint8Array(0)), 'e.gz').length).toBe(0);
  });
});

describe('an external teacher (DESIGN §4b)', () => {
  it('may leave teacher.params and trainedSteps null; a v1 pack may not', () => {
    const input = makeTinyFeaturesPack();
    input.meta.teacher = { ...input.meta.teacher, config: null, params: null, trainedSteps: null };
    expect(parsePack(buildPackBytes(input), 'ext').meta.teacher.params).toBeNull();
    const v1 = makeTinyPack();
    v1.meta.teacher = { ...v1.meta.teacher, params: null };
    expect(() => buildPackBytes(v1)).toThrow(/params: integer ≥ 0,/);
  });
});
