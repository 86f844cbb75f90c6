// Runs: the snapshot of a live run, its CSV (one row per logged step, the contract header), and JSON export →
// import round trip; a malformed import names the file and the field.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig } from '../core/config/config';
import {
  checkRunFileSize,
  formatMiB,
  MAX_RUN_JSON_BYTES,
  parseRunJson,
  RUN_SCHEMA,
  RunImportError,
  runToCsv,
  runToJson,
  snapshotRun,
  validateRun,
  type LiveRunMeta,
} from './runs';
import { StepSeries } from './series';

function makeRun(steps = 7) {
  const s = new StepSeries();
  const values = new Float32Array(steps * 8).map((_, i) => (i % 8 === 2 ? NaN : 1 + i / 10));
  s.append(
    0,
    steps,
    values,
    new Float32Array(steps * 6).fill(1),
    new Float32Array(steps).map((_, i) => 1e-3 * (i + 1)),
  );
  const meta: LiveRunMeta = {
    id: 'run-a',
    name: 'Run 1',
    createdAt: '2026-11-26T00:00:00.000Z',
    pack: 'shapes.safetensors.gz',
    backend: 'wasm',
    config: DEFAULT_CONFIG,
    families: ['gqa', 'pope'],
    alignSamples: 2,
    A: 3,
  };
  const evals = [
    { step: 5, overall: 40, perFamily: Float32Array.from([30, 50]), valLoss: Float32Array.from([1.5, 1.2, NaN]) },
  ];
  return snapshotRun(
    meta,
    s,
    evals,
    [{ step: 5, values: [0.1, 0.2, NaN, 0.3, NaN, NaN] }],
    mergeConfig(DEFAULT_CONFIG, { weights: { kd: 2 } }),
  );
}

describe('runs', () => {
  it('CSV: contract header and one row per logged step, val metrics on their step', () => {
    const csv = runToCsv(makeRun(7)).trimEnd().split('\n');
    expect(csv[0]).toBe(
      'step,loss,ce,seq,kd,hidden,affinity,attention,lr,val_overall,val_gqa,val_pope,val_loss,val_ce,val_kd',
    );
    expect(csv.length).toBe(1 + 7);
    expect(csv[1].split(',')[0]).toBe('1');
    expect(csv[1].split(',')[3]).toBe(''); // seq not measured → empty
    const row5 = csv[5].split(',');
    expect(row5[0]).toBe('5');
    expect(row5.slice(9)).toEqual(['40', '30', '50', '1.5', '1.2000000476837158', '']);
    expect(
      csv[4]
        .split(',')
        .slice(9)
        .every((c) => c === ''),
    ).toBe(true);
  });

  it('JSON export → import round-trips the run (NaN ↔ null), with a fresh id', () => {
    const r = makeRun(9);
    const back = parseRunJson(runToJson(r), 'run.json', 'run-b');
    expect(back.id).toBe('run-b');
    expect(back.imported).toBe(true);
    expect({ ...back, id: r.id, imported: undefined }).toEqual({ ...r, imported: undefined });
  });

  it.each([
    ['not JSON', () => '{', '(file)'],
    ['another format', (t: string) => t.replace('"llavadi-lab-run"', '"other"'), 'format'],
    [
      'a short column',
      (t: string) => JSON.stringify({ ...JSON.parse(t), metrics: { ...JSON.parse(t).metrics, lr: [1] } }),
      'metrics.lr',
    ],
    [
      'a string where a number belongs',
      (t: string) => {
        const o = JSON.parse(t);
        o.metrics.values.ce[0] = 'x';
        return JSON.stringify(o);
      },
      'metrics.values.ce[0]',
    ],
    [
      'a bad config',
      (t: string) => {
        const o = JSON.parse(t);
        o.config.kd.beta = 2;
        return JSON.stringify(o);
      },
      'config.kd.beta',
    ],
    ['a null config', (t: string) => JSON.stringify({ ...JSON.parse(t), config: null }), 'config'],
    [
      'a config without its optim',
      (t: string) => {
        const o = JSON.parse(t);
        o.config.optim = null;
        return JSON.stringify(o);
      },
      'config.optim',
    ],
    ['a newer schema', (t: string) => JSON.stringify({ ...JSON.parse(t), schema: 99 }), 'schema'],
  ])('import refuses %s naming the field', (_n, mutate, field) => {
    const text = mutate(runToJson(makeRun(4)));
    let err: unknown;
    try {
      parseRunJson(text, 'bad.json', 'x');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RunImportError);
    expect((err as RunImportError).field).toBe(field);
    expect((err as Error).message.startsWith('bad.json: ')).toBe(true);
  });

  it('refuses a file over the size cap before reading it', () => {
    expect(() => checkRunFileSize(MAX_RUN_JSON_BYTES, 'ok.json')).not.toThrow();
    expect(() => checkRunFileSize(MAX_RUN_JSON_BYTES + 1, 'big.json')).toThrow(
      /^big\.json: \(file\): expected at most 50 MiB of JSON, got 50\.000001 MiB\. HINT: /,
    );
    expect(() => checkRunFileSize(51 * 1024 * 1024, 'big.json')).toThrow(
      'big.json: (file): expected at most 50 MiB of JSON, got 51.0 MiB',
    );
    expect(() => checkRunFileSize(NaN, 'odd.json')).toThrow(RunImportError);
  });

  it('sizes in MiB always differ from the cap when they differ in bytes', () => {
    const MiB = 1024 * 1024;
    expect(formatMiB(51 * MiB)).toBe('51.0 MiB');
    expect(formatMiB(50.05 * MiB)).toBe('50.05 MiB');
    expect(formatMiB(50 * MiB + 1)).toBe('50.000001 MiB');
    expect(formatMiB(2 * MiB)).toBe('2.0 MiB');
    expect(formatMiB(Infinity)).toBe('an unknown size');
  });

  it('import messages a person can act on: config null, a missing config section, a newer build', () => {
    const o = JSON.parse(runToJson(makeRun(3)));
    const msg = (x: unknown) => {
      try {
        parseRunJson(JSON.stringify(x), 'run.json', 'id');
      } catch (e) {
        return (e as Error).message;
      }
      return 'parsed';
    };
    expect(msg({ ...o, config: null })).toBe(
      'run.json: config: expected an object: the training config of the run (seed, weights, kd, optim, …), got null. HINT: the run file lost its training config: export the run again from the lab that made it',
    );
    expect(msg({ ...o, config: { ...o.config, kd: undefined } })).toMatch(
      /^run\.json: config\.kd: expected an object \(the field is missing\)/,
    );
    expect(msg({ ...o, config: { ...o.config, optim: { ...o.config.optim, lr: 'x' } } })).toBe(
      'run.json: config.optim.lr: expected a number in (0, 1], got "x"',
    );
    expect(msg({ ...o, schema: 2 })).toBe(
      'run.json: schema: expected schema 1 or older, got 2. HINT: it came from a newer build of the lab (schema 2; this build reads 1): open it there, or reload to update this one',
    );
    expect(msg({ ...o, version: 2 })).toMatch(
      /version: expected version 1 or older, got 2\. HINT: it came from a newer build/,
    );
    expect(msg({ ...o, metrics: undefined })).toBe(
      'run.json: metrics: expected an object {step, lr, values} (the field is missing)',
    );
    expect(msg({ ...o, metrics: { ...o.metrics, values: undefined } })).toMatch(
      /^run\.json: metrics\.values: expected an object with total, ce/,
    );
  });

  it('an export without a schema (an older build) is migrated; the stored form keeps its id and imported flag', () => {
    const o = JSON.parse(runToJson(makeRun(3)));
    delete o.schema;
    const r = parseRunJson(JSON.stringify(o), 'old.json', 'new-id');
    expect(r.schema).toBe(RUN_SCHEMA);
    const stored = validateRun({ ...r }, 'stored');
    expect(stored.id).toBe('new-id');
    expect(stored.imported).toBe(true);
    expect(validateRun(makeRun(2), 'stored').imported).toBeUndefined();
    expect(() => validateRun({ ...makeRun(2), id: '' }, 'stored')).toThrow(/id: expected a non-empty string/);
  });

  it('fuzz: any edit of an exported run parses or throws a RunImportError naming a field (2,000 cases)', () => {
    const base = JSON.parse(runToJson(makeRun(5))) as Record<string, unknown>;
    /** Every path into the exported object (object keys and array indices). */
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, p: (string | number)[]) => {
      paths.push(p);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
    };
    walk(base, []);
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(null, -1, 1e308, '', 'x'.repeat(2000), [], {}, true, 1.5),
    );
    const edit = fc.record({ path: fc.constantFrom(...paths), del: fc.boolean(), value });
    const check = (text: string) => {
      try {
        const r = parseRunJson(text, 'fuzz.json', 'id');
        expect(r.metrics.lr).toHaveLength(r.metrics.step.length);
      } catch (e) {
        if (!(e instanceof RunImportError)) throw e;
        expect(e.field.length).toBeGreaterThan(0);
        expect(e.message.startsWith('fuzz.json: ')).toBe(true);
      }
      return true;
    };
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const o = structuredClone(base) as Record<string | number, unknown>;
        for (const e of edits) {
          if (e.path.length === 0) return check(JSON.stringify(e.value));
          let at = o as Record<string | number, unknown>;
          for (const k of e.path.slice(0, -1)) {
            const next = at?.[k];
            if (!next || typeof next !== 'object') return true;
            at = next as Record<string | number, unknown>;
          }
          const last = e.path[e.path.length - 1];
          if (e.del) delete at[last];
          else at[last] = e.value;
        }
        return check(JSON.stringify(o));
      }),
      { numRuns: 1500, seed: 16 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (t) => check(t)),
      { numRuns: 500, seed: 17 },
    );
  });
});
