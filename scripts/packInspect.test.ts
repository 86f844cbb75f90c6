// Tests of the pack:inspect CLI contract: a valid pack prints one JSON summary and exits 0; a corrupt, invalid, unbuildable
// or missing file prints `error: <file>: <field>: <expected>` to stderr and exits 1, and the lab's loader refuses it alike.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG } from '../src/core/config/config';
import { PackError } from '../src/core/base/errors';
import { buildPackBytes, packToInput, parsePack, serializePackMeta } from '../src/core/pack/pack';
import { type SafeTensor, writeSafetensors } from '../src/core/pack/safetensors';
import { makeTinyPack } from '../src/core/testing/packFixture';
import { initBackend } from '../src/model/backend';
import { buildStudentRun } from '../src/model/studentRun';
import { labPackBytes } from '../src/worker/testing/labPack';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let dir = '';

function inspect(file: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/packInspect.ts', file], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  await initBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'pack-inspect-'));
});
afterAll(() => {
  tf.disposeVariables();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * What the lab's loader (buildStudentRun, as the worker's Session) says about these bytes, as `<field>: <expected>`
 * (null when it builds). The file it names is the run's name once studentRun passes it to encoderConfigOf, else "pack".
 */
function labError(bytes: Uint8Array, name: string): string | null {
  try {
    buildStudentRun(parsePack(bytes, name), DEFAULT_CONFIG, { name }).dispose();
    return null;
  } catch (e) {
    if (!(e instanceof PackError)) throw e;
    expect([name, 'pack']).toContain(e.file);
    return `${e.field}: ${e.detail}`;
  }
}

/** The CLI's message without `error: <file>: `. */
const cliTail = (stderr: string, file: string): string => stderr.trim().slice(`error: ${file}: `.length);

describe('pack:inspect', () => {
  it('prints the summary of a valid gzipped pack and exits 0', async () => {
    const file = join(dir, 'tiny.safetensors.gz');
    writeFileSync(file, await labPackBytes({ n: 6, kind: 'topk', gzip: true }));
    const r = inspect(file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(Object.keys(s).join(' ')).toBe(
      'format version n families vocab_size answer_slots patches targets teacher_accuracy tensors',
    );
    expect(s.targets).toEqual({ kind: 'topk', k: 4 });
    expect(s.tensors.teacher_lse).toEqual({ dtype: 'F32', shape: [6, 4] });
    expect(s.tensors['encoder.patch.w']).toEqual({ dtype: 'F32', shape: [48, 8] });
  });

  it('refuses a pack the lab cannot build exactly as the lab does: the encoder config the builder reads', () => {
    // The shape of the old docs/pack-format.md example: encoder {patch, dim, layers, heads}, encoder.patch_embed.weight.
    const file = join(dir, 'old-doc.safetensors');
    const bytes = buildPackBytes(makeTinyPack());
    writeFileSync(file, bytes);
    const r = inspect(file);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const head = `error: ${file}: metadata.encoder.height: an integer ≥ 1 (got undefined). HINT: metadata.encoder is a JSON object {height, width, channels, patch, dV, layers, heads} (got keys patch, dim, layers, heads)`;
    expect(r.stderr.startsWith(head)).toBe(true);
    expect(labError(bytes, file)).toBe(cliTail(r.stderr, file));
  });

  it("refuses wrong weights by tensor name and shape, from the builder's specs, as the lab does", async () => {
    const good = packToInput(parsePack(await labPackBytes({ n: 6 }), 'good'));
    const f32 = (shape: number[]): SafeTensor => ({
      dtype: 'F32',
      shape,
      data: new Float32Array(shape.reduce((a, b) => a * b, 1)),
    });
    const cases: [string, (t: Record<string, SafeTensor>) => void, RegExp][] = [
      [
        'missing',
        (t) => delete t['encoder.lnf.g'],
        /: tensor encoder\.lnf\.g: present: an F32 weight of shape \[8\] for metadata\.encoder \(it is missing\)/,
      ],
      [
        'shape',
        (t) => (t['teacher.lm.head.w'] = f32([12, 16])),
        /: tensor teacher\.lm\.head\.w: shape \[\d+, \d+\] for metadata\.teacher\.config \(got \[12, 16\]\)/,
      ],
      [
        'extra',
        (t) => (t['encoder.patch_embed.weight'] = f32([2])),
        /: tensor encoder\.patch_embed\.weight: absent: metadata\.encoder has no such weight/,
      ],
    ];
    for (const [what, edit, want] of cases) {
      const tensors = { ...good.tensors };
      edit(tensors);
      const file = join(dir, `w-${what}.safetensors`);
      const bytes = buildPackBytes({ ...good, tensors });
      writeFileSync(file, bytes);
      const r = inspect(file);
      expect(r.code, what).toBe(1);
      expect(r.stderr, what).toMatch(want);
      expect(labError(bytes, file), what).toBe(cliTail(r.stderr, file));
    }
  });

  it('rejects a corrupted pack with `error: <file>: <field>: …` and exit 1', () => {
    const file = join(dir, 'bad.safetensors');
    const input = makeTinyPack();
    const split = { dtype: 'U8' as const, shape: [6], data: new Uint8Array([0, 1, 2, 3, 7, 0]) };
    writeFileSync(file, writeSafetensors({ ...input.tensors, split }, serializePackMeta(input.meta)));
    const r = inspect(file);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.startsWith(`error: ${file}: tensor split: `)).toBe(true);
  });

  it('rejects a truncated file and a missing file with exit 1', () => {
    const file = join(dir, 'cut.safetensors');
    writeFileSync(file, buildPackBytes(makeTinyPack()).subarray(0, 100));
    const cut = inspect(file);
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/^error: .*cut\.safetensors: header length: /);
    const missing = inspect(join(dir, 'nope.safetensors'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: .*nope\.safetensors: file: /);
  });
});
