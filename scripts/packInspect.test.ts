// Tests of the pack:inspect CLI contract: a valid pack prints one JSON summary and exits 0; a corrupt, invalid or
// missing file prints `error: <file>: <field>: <expected>` to stderr and exits 1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPackBytes, serializePackMeta } from '../src/core/pack';
import { writeSafetensors } from '../src/core/safetensors';
import { makeTinyPack } from '../src/core/testing/packFixture';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let dir = '';

function inspect(file: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/packInspect.ts', file], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pack-inspect-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('pack:inspect', () => {
  it('prints the summary of a valid gzipped pack and exits 0', () => {
    const file = join(dir, 'tiny.safetensors.gz');
    writeFileSync(file, buildPackBytes(makeTinyPack({ kind: 'topk' }), { gzip: true }));
    const r = inspect(file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(Object.keys(s)).toEqual(['format', 'version', 'n', 'families', 'vocab_size', 'answer_slots', 'patches', 'targets', 'teacher_accuracy', 'tensors']);
    expect(s.targets).toEqual({ kind: 'topk', k: 3 });
    expect(s.tensors.teacher_lse).toEqual({ dtype: 'F32', shape: [6, 4] });
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
