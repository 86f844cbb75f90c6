// Tests of the kd:eval conformance CLI: spawns it on a temp JSONL with one valid case per loss and top-K mode plus
// invalid cases, on the wasm (default) and cpu backends; values are checked against the float64 reference.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIVERGENCES } from '../src/core/config/config';
import * as ref from '../src/core/kd/kdRef';
import { Rng } from '../src/core/base/rng';

const rng = new Rng(4242);
const row = (V: number, s = 2) => Array.from({ length: V }, () => Math.fround(s * rng.normal()));
const lse = (z: number[]) => Math.fround(Math.log(z.reduce((a, v) => a + Math.exp(v), 0)));
const top = (z: number[], K: number) =>
  z
    .map((_, i) => i)
    .sort((a, b) => z[b] - z[a])
    .slice(0, K);

type Line = Record<string, unknown> | string; // a string is written verbatim
const valid: { line: Line; want: number[] }[] = [];

// dense: one case per loss, 2 rows, with a mix of options
for (const [i, loss] of DIVERGENCES.entries()) {
  const opts = { T: [1, 2, 0.5][i % 3], t2: i % 2 === 0, normLogits: i === 3 || i === 6, beta: 0.3, alpha: 0.2 };
  const zs = [row(6), row(6)];
  const zt = [row(6), row(6)];
  const o: ref.DivOptions = { divergence: loss, ...opts };
  valid.push({ line: { loss, ...opts, zs, zt }, want: zs.map((r, k) => ref.divergenceRow(r, zt[k], o)) });
}
// defaults only (T 1, no t2, β 0.5, α 0.1)
{
  const zs = [row(4)];
  const zt = [row(4)];
  const o: ref.DivOptions = { divergence: 'sfkl', T: 1, t2: false, normLogits: false, beta: 0.5, alpha: 0.1 };
  valid.push({ line: { loss: 'sfkl', zs, zt }, want: [ref.divergenceRow(zs[0], zt[0], o)] });
}
// top-K: every divergence but mse, in both modes
for (const loss of DIVERGENCES.filter((d) => d !== 'mse')) {
  for (const mode of ['renorm', 'tail'] as const) {
    const V = 9;
    const K = 3;
    const zs = [row(V), row(V)];
    const zt = [row(V), row(V)];
    const ids = zt.map((r) => top(r, K));
    const logits = ids.map((r, k) => r.map((id) => zt[k][id]));
    const l = zt.map(lse);
    const T = mode === 'tail' ? 1 : 2;
    const o: ref.DivOptions = { divergence: loss, T, t2: true, normLogits: false, beta: 0.5, alpha: 0.1 };
    valid.push({
      line: { loss, T, t2: true, zs, topk: { mode, ids, logits, lse: l } },
      want: zs.map((r, k) => ref.topkDivergenceRow(r, ids[k], logits[k], l[k], o, mode)),
    });
  }
}

const tk = { mode: 'renorm', ids: [[0]], logits: [[1]], lse: [2] };
const invalid: { line: Line; match: RegExp }[] = [
  { line: '{"loss": "fkl", "zs": [[1, 2]]', match: /not valid JSON/ },
  { line: { loss: 'kl', zs: [[1, 2]], zt: [[1, 2]] }, match: /config\.kd\.divergence: expected one of/ },
  {
    line: { loss: 'jsd', beta: 1, zs: [[1, 2]], zt: [[1, 2]] },
    match: /config\.kd\.beta: expected a number in \(0, 1\)/,
  },
  { line: { loss: 'sfkl', alpha: 1, zs: [[1, 2]], zt: [[1, 2]] }, match: /config\.kd\.alpha/ },
  { line: { loss: 'fkl', T: 0, zs: [[1, 2]], zt: [[1, 2]] }, match: /config\.kd\.T/ },
  {
    line: { loss: 'fkl', T: 2, zs: [[1, 2]], topk: { ...tk, mode: 'tail' } },
    match: /config\.kd\.T: expected 1 in tail mode/,
  },
  { line: { loss: 'fkl', normLogits: true, zs: [[1, 2]], topk: tk }, match: /config\.kd\.normLogits/ },
  {
    line: { loss: 'mse', zs: [[1, 2]], topk: tk },
    match: /config\.kd\.divergence: expected a divergence other than mse/,
  },
  { line: { loss: 'fkl', zs: [[1, 2]], topk: { ...tk, mode: 'dense' } }, match: /topk\.mode/ },
  {
    line: {
      loss: 'fkl',
      zs: [[1, 2], [3]],
      zt: [
        [1, 2],
        [3, 4],
      ],
    },
    match: /zs\[1\]: expected 2 entries \(ragged rows\)/,
  },
  { line: { loss: 'fkl', zs: [[1, 2]], zt: [[1, 2, 3]] }, match: /zt\[0\]: expected 2 entries \(shape mismatch\)/ },
  {
    line: {
      loss: 'fkl',
      zs: [[1, 2]],
      zt: [
        [1, 2],
        [1, 2],
      ],
    },
    match: /zt: expected 1 rows/,
  },
  {
    line: { loss: 'fkl', zs: [[1, 2]], topk: { ...tk, ids: [[2]] } },
    match: /topk\.ids\[0\]\[0\]: expected an id in \[0, 2\)/,
  },
  { line: { loss: 'fkl', zs: [[1, 2]], topk: { ...tk, ids: [[-1]] } }, match: /expected an id in/ },
  { line: { loss: 'fkl', zs: [[1, 2, 3]], topk: { ...tk, ids: [[1, 1]], logits: [[1, 1]] } }, match: /distinct/ },
  { line: { loss: 'fkl', zs: [[1, 2]], topk: { ...tk, ids: [[0, 1, 1]], logits: [[1, 1, 1]] } }, match: /K ≤ V/ },
  { line: { loss: 'fkl', zs: [[1, 2]], topk: { ...tk, lse: [] } }, match: /topk\.lse/ },
  { line: '{"loss": "fkl", "zs": [[1, 1e999]], "zt": [[1, 2]]}', match: /zs\[0\]\[1\]: expected a finite number/ },
  { line: { loss: 'fkl', zs: [[1, 'a']], zt: [[1, 2]] }, match: /zs\[0\]\[1\]/ },
  { line: { loss: 'fkl', zs: [[1, 2]], zt: [[1, 2]], topk: tk }, match: /exactly one of zt/ },
  { line: { loss: 'fkl', zs: [], zt: [] }, match: /zs: expected a non-empty array/ },
  { line: '[1, 2]', match: /expected a JSON object/ },
];

const dir = mkdtempSync(join(tmpdir(), 'kdeval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runCli(lines: Line[], backend?: string): string[] {
  const file = join(dir, `cases-${backend ?? 'default'}.jsonl`);
  // blank lines between cases are skipped by the CLI
  writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n\n') + '\n  \n');
  const args = ['scripts/kdEval.ts', '--input', file, ...(backend ? ['--backend', backend] : [])];
  const out = execFileSync('node_modules/.bin/tsx', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').filter((l) => l !== '');
}

describe.each([
  ['wasm (the default)', undefined],
  ['cpu', 'cpu'],
])('kd:eval on %s', (_name, backend) => {
  it('prints one line per case: values matching the reference, or errors naming the field', () => {
    const lines = [...valid.map((v) => v.line), ...invalid.map((v) => v.line)];
    const out = runCli(lines, backend).map((l) => JSON.parse(l) as { values?: number[]; error?: string });
    expect(out.length).toBe(lines.length);
    valid.forEach((v, i) => {
      expect(out[i].error).toBeUndefined();
      const got = out[i].values!;
      expect(got.length).toBe(v.want.length);
      got.forEach((a, k) => expect(Math.abs(a - v.want[k])).toBeLessThanOrEqual(1e-4 + 1e-3 * Math.abs(v.want[k])));
    });
    invalid.forEach((v, i) => {
      const o = out[valid.length + i];
      expect(o.values, JSON.stringify(v.line)).toBeUndefined();
      expect(o.error, JSON.stringify(v.line)).toMatch(v.match);
      expect(o.error).toMatch(/cases-.*\.jsonl:\d+: /); // names the file and line
    });
  });
});

describe('kd:eval usage errors', () => {
  it('exits 2 without --input or with an unknown backend', () => {
    const a = spawnSync('node_modules/.bin/tsx', ['scripts/kdEval.ts'], { encoding: 'utf8' });
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/--input FILE is required/);
    const b = spawnSync('node_modules/.bin/tsx', ['scripts/kdEval.ts', '--input', 'x', '--backend', 'gpu'], {
      encoding: 'utf8',
    });
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/--backend: expected wasm or cpu/);
  });
});
