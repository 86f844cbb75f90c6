// Runs: the snapshot of a live run, its CSV (one row per logged step, the contract header), and JSON export →
// import round trip; a malformed import names the file and the field.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig } from '../core/config';
import { checkRunFileSize, MAX_RUN_JSON_BYTES, parseRunJson, RunImportError, runToCsv, runToJson, snapshotRun, type LiveRunMeta } from './runs';
import { StepSeries } from './series';

function makeRun(steps = 7) {
  const s = new StepSeries();
  const values = new Float32Array(steps * 8).map((_, i) => (i % 8 === 2 ? NaN : 1 + i / 10));
  s.append(0, steps, values, new Float32Array(steps * 6).fill(1), new Float32Array(steps).map((_, i) => 1e-3 * (i + 1)));
  const meta: LiveRunMeta = {
    id: 'run-a', name: 'Run 1', createdAt: '2026-11-26T00:00:00.000Z', pack: 'shapes.safetensors.gz', backend: 'wasm',
    config: DEFAULT_CONFIG, families: ['gqa', 'pope'], alignSamples: 2, A: 3,
  };
  const evals = [{ step: 5, overall: 40, perFamily: Float32Array.from([30, 50]), valLoss: Float32Array.from([1.5, 1.2, NaN]) }];
  return snapshotRun(meta, s, evals, [{ step: 5, values: [0.1, 0.2, NaN, 0.3, NaN, NaN] }], mergeConfig(DEFAULT_CONFIG, { weights: { kd: 2 } }));
}

describe('runs', () => {
  it('CSV: contract header and one row per logged step, val metrics on their step', () => {
    const csv = runToCsv(makeRun(7)).trimEnd().split('\n');
    expect(csv[0]).toBe('step,loss,ce,seq,kd,hidden,affinity,attention,lr,val_overall,val_gqa,val_pope,val_loss,val_ce,val_kd');
    expect(csv.length).toBe(1 + 7);
    expect(csv[1].split(',')[0]).toBe('1');
    expect(csv[1].split(',')[3]).toBe(''); // seq not measured → empty
    const row5 = csv[5].split(',');
    expect(row5[0]).toBe('5');
    expect(row5.slice(9)).toEqual(['40', '30', '50', '1.5', '1.2000000476837158', '']);
    expect(csv[4].split(',').slice(9).every((c) => c === '')).toBe(true);
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
    ['a short column', (t: string) => JSON.stringify({ ...JSON.parse(t), metrics: { ...JSON.parse(t).metrics, lr: [1] } }), 'metrics.lr'],
    ['a string where a number belongs', (t: string) => { const o = JSON.parse(t); o.metrics.values.ce[0] = 'x'; return JSON.stringify(o); }, 'metrics.values.ce[0]'],
    ['a bad config', (t: string) => { const o = JSON.parse(t); o.config.kd.beta = 2; return JSON.stringify(o); }, 'config'],
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
    expect(() => checkRunFileSize(MAX_RUN_JSON_BYTES + 1, 'big.json')).toThrow(/^big\.json: \(file\): expected at most 50 MB/);
    expect(() => checkRunFileSize(NaN, 'odd.json')).toThrow(RunImportError);
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
    const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(null, -1, 1e308, '', 'x'.repeat(2000), [], {}, true, 1.5));
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
    fc.assert(fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
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
    }), { numRuns: 1500, seed: 16 });
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (t) => check(t)), { numRuns: 500, seed: 17 });
  });
});
