// Conformance CLI for the logit losses (DESIGN §3): reads JSONL cases, prints one JSON line per case with the
// per-row values computed by the tfjs code in src/model/losses.ts (wasm by default, or cpu), or an error.
// Usage: npm run --silent kd:eval -- --input FILE [--backend wasm|cpu]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_CONFIG, validateKdOptions, type KdOptions } from '../src/core/config/config';
import { divergencePerRow, topkDivergencePerRow, type DivOptions } from '../src/model/losses';

const FLOAT32_MAX = 3.4028234663852886e38;

/** A case that cannot be evaluated; the message names the line, the field and what was expected. */
class CaseError extends Error {}

interface Case {
  o: DivOptions;
  zs: number[][]; // [R][V]
  zt?: number[][]; // [R][V] dense teacher
  topk?: { mode: 'renorm' | 'tail'; ids: number[][]; logits: number[][]; lse: number[] }; // [R][K], [R][K], [R]
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isF32(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= FLOAT32_MAX;
}

/** A rows × cols matrix of finite float32-range numbers (integers if `int`); cols given or taken from row 0. */
function matrix(v: unknown, field: string, rows: number | null, cols: number | null, int = false): number[][] {
  const what = `${int ? 'integers' : 'finite numbers'}`;
  if (!Array.isArray(v) || v.length === 0)
    throw new CaseError(`${field}: expected a non-empty array of rows of ${what}`);
  if (rows !== null && v.length !== rows)
    throw new CaseError(`${field}: expected ${rows} rows (as zs), got ${v.length}`);
  const n = cols ?? (Array.isArray(v[0]) ? v[0].length : -1);
  if (n < 1) throw new CaseError(`${field}[0]: expected a non-empty array of ${what}`);
  v.forEach((row: unknown, r: number) => {
    if (!Array.isArray(row)) throw new CaseError(`${field}[${r}]: expected an array of ${what}`);
    if (row.length !== n) {
      throw new CaseError(
        `${field}[${r}]: expected ${n} entries (${cols === null ? 'ragged rows' : 'shape mismatch'}), got ${row.length}`,
      );
    }
    row.forEach((x: unknown, c: number) => {
      if (!isF32(x) || (int && !Number.isInteger(x))) {
        throw new CaseError(
          `${field}[${r}][${c}]: expected ${int ? 'an integer' : 'a finite number (float32 range)'}, got ${JSON.stringify(x)}`,
        );
      }
    });
  });
  return v as number[][];
}

function parseCase(c: unknown): Case {
  if (!isObj(c)) throw new CaseError('expected a JSON object per line');
  const topk = c.topk;
  if (topk !== undefined && !isObj(topk)) throw new CaseError('topk: expected an object {mode, ids, logits, lse}');
  if ((topk === undefined) === (c.zt === undefined))
    throw new CaseError('expected exactly one of zt (dense teacher) or topk');
  if (topk && topk.mode !== 'renorm' && topk.mode !== 'tail') {
    throw new CaseError(`topk.mode: expected "renorm" or "tail", got ${JSON.stringify(topk.mode)}`);
  }
  const kIds = topk && Array.isArray(topk.ids) && Array.isArray(topk.ids[0]) ? (topk.ids[0] as unknown[]).length : 1;
  const kd: KdOptions = {
    ...DEFAULT_CONFIG.kd,
    divergence: c.loss as KdOptions['divergence'],
    T: (c.T ?? 1) as number,
    t2: (c.t2 ?? false) as boolean,
    normLogits: (c.normLogits ?? false) as boolean,
    beta: (c.beta ?? 0.5) as number,
    alpha: (c.alpha ?? 0.1) as number,
    topKMode: topk ? (topk.mode as KdOptions['topKMode']) : 'dense',
    topK: topk ? kIds : DEFAULT_CONFIG.kd.topK,
  };
  validateKdOptions(kd, 'kd'); // ConfigError: the same message as config validation
  const o: DivOptions = {
    divergence: kd.divergence,
    T: kd.T,
    t2: kd.t2,
    normLogits: kd.normLogits,
    beta: kd.beta,
    alpha: kd.alpha,
  };
  const zs = matrix(c.zs, 'zs', null, null);
  const R = zs.length;
  const V = zs[0].length;
  if (!topk) return { o, zs, zt: matrix(c.zt, 'zt', R, V) };
  const ids = matrix(topk.ids, 'topk.ids', R, null, true);
  const K = ids[0].length;
  if (K > V) throw new CaseError(`topk.ids: expected K ≤ V = ${V} ids per row, got ${K}`);
  ids.forEach((row, r) => {
    const seen = new Set<number>();
    row.forEach((id, k) => {
      if (id < 0 || id >= V) throw new CaseError(`topk.ids[${r}][${k}]: expected an id in [0, ${V}), got ${id}`);
      if (seen.has(id)) throw new CaseError(`topk.ids[${r}][${k}]: expected distinct ids in a row, ${id} repeats`);
      seen.add(id);
    });
  });
  const logits = matrix(topk.logits, 'topk.logits', R, K);
  const lse = topk.lse;
  if (!Array.isArray(lse) || lse.length !== R)
    throw new CaseError(`topk.lse: expected an array of ${R} finite numbers (one per row)`);
  lse.forEach((x: unknown, r: number) => {
    if (!isF32(x))
      throw new CaseError(`topk.lse[${r}]: expected a finite number (float32 range), got ${JSON.stringify(x)}`);
  });
  return { o, zs, topk: { mode: topk.mode as 'renorm' | 'tail', ids, logits, lse: lse as number[] } };
}

async function evaluate(c: Case): Promise<number[]> {
  const out = tf.tidy(() => {
    const zs = tf.tensor2d(c.zs, undefined, 'float32');
    if (c.zt) return divergencePerRow(zs, tf.tensor2d(c.zt, undefined, 'float32'), c.o);
    const t = c.topk!;
    return topkDivergencePerRow(
      zs,
      tf.tensor2d(t.ids, undefined, 'int32'),
      tf.tensor2d(t.logits, undefined, 'float32'),
      tf.tensor1d(t.lse, 'float32'),
      c.o,
      t.mode,
    );
  });
  const v = await out.data();
  out.dispose();
  return Array.from(v);
}

/**
 * Local backend init, without gradients (this CLI only evaluates): src/model/backend.ts's initBackend also loads
 * the whole @tensorflow/tfjs bundle to register gradients, which doubles the start-up time.
 */
async function initBackend(name: 'wasm' | 'cpu'): Promise<void> {
  if (name === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm'); // registers the WASM_* flags, so set them after the import
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // single-threaded SIMD build, as in the lab (DESIGN §5)
  } else {
    await import('@tensorflow/tfjs-backend-cpu');
  }
  if (!(await tf.setBackend(name))) throw new Error(`kd:eval: could not initialise the ${name} backend`);
  await tf.ready();
}

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: { input: { type: 'string' }, backend: { type: 'string', default: 'wasm' } },
    strict: true,
  });
  if (!args.input) {
    process.stderr.write(
      'kd:eval: --input FILE is required (JSONL, one case per line)\nusage: npm run --silent kd:eval -- --input FILE [--backend wasm|cpu]\n',
    );
    return 2;
  }
  if (args.backend !== 'wasm' && args.backend !== 'cpu') {
    process.stderr.write(`kd:eval: --backend: expected wasm or cpu, got ${JSON.stringify(args.backend)}\n`);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(args.input, 'utf8');
  } catch (e) {
    process.stderr.write(`kd:eval: cannot read --input ${args.input}: ${(e as Error).message}\n`);
    return 2;
  }
  await initBackend(args.backend);
  const out: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const where = `${args.input}:${i + 1}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      out.push(JSON.stringify({ error: `${where}: not valid JSON (${(e as Error).message})` }));
      continue;
    }
    try {
      out.push(JSON.stringify({ values: await evaluate(parseCase(parsed)) }));
    } catch (e) {
      out.push(JSON.stringify({ error: `${where}: ${(e as Error).message}` }));
    }
  }
  process.stdout.write(out.length ? out.join('\n') + '\n' : '');
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`kd:eval: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
