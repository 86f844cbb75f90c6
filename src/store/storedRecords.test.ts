// Stored records as untrusted input: each stale record an older or newer build could leave in IndexedDB is skipped with
// its field named (never rendered), older valid ones are migrated, and settings fall back to defaults field by field.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../core/config/config';
import { RUN_SCHEMA, snapshotRun, type RunRecord } from './runs';
import { StepSeries } from './series';
import {
  DEFAULT_SETTINGS,
  PARTIAL_KEY,
  readPartialMarks,
  skippedLines,
  sortStoredRuns,
  validateSettings,
  writePartialMark,
} from './storedRecords';

function good(id = 'run-a', steps = 4, createdAt = '2026-11-26T00:00:00.000Z'): RunRecord {
  const s = new StepSeries();
  s.append(
    0,
    steps,
    new Float32Array(steps * 8).fill(1.5),
    new Float32Array(steps * 6).fill(1),
    new Float32Array(steps).fill(1e-3),
  );
  const meta = {
    id,
    name: `Run ${id}`,
    createdAt,
    pack: 'shapes.safetensors.gz',
    backend: 'wasm',
    config: DEFAULT_CONFIG,
    families: ['a'],
    alignSamples: 0,
    A: 0,
  };
  return snapshotRun(meta, s, [], [], DEFAULT_CONFIG);
}
/** A good record with `edit` applied (a plain object, as IndexedDB gives it back). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reaches any nested field of a stored record
type Loose = Record<string, any>;
const stale = (id: string, edit: (o: Loose) => void): [string, unknown] => {
  const o = structuredClone(good(id)) as unknown as Loose;
  edit(o);
  return [id, o];
};

describe('stored runs', () => {
  const cases: [string, [string, unknown], RegExp][] = [
    [
      'a run without metrics',
      stale('no-metrics', (o) => delete o.metrics),
      /^metrics: expected an object \{step, lr, values\} \(the field is missing\)$/,
    ],
    [
      'metrics without values',
      stale('no-values', (o) => delete o.metrics.values),
      /^metrics\.values: expected an object with total, ce, seq, kd/,
    ],
    [
      'metrics values that are not numbers',
      stale('strings', (o) => (o.metrics.values.total = ['a', 'b', 'c', 'd'])),
      /^metrics\.values\.total\[0\]: expected a number or null, got "a"$/,
    ],
    [
      'metrics values not an array',
      stale('obj', (o) => (o.metrics.values.ce = { 0: 1 })),
      /^metrics\.values\.ce: expected an array of numbers, got \{"0":1\}$/,
    ],
    [
      'config null',
      stale('cfg-null', (o) => (o.config = null)),
      /^config: expected an object: the training config of the run .*, got null/,
    ],
    [
      'a config field of the wrong type',
      stale('cfg-type', (o) => (o.config.optim.lr = 'fast')),
      /^config\.optim\.lr: expected a number in \(0, 1\], got "fast"$/,
    ],
    ['a name that is a number', stale('name-num', (o) => (o.name = 5)), /^name: expected a string, got 5$/],
    [
      'families that are a string',
      stale('fam', (o) => (o.families = 'a')),
      /^families: expected an array of family names$/,
    ],
    [
      'steps that are strings',
      stale('steps', (o) => (o.metrics.step = ['1', '2', '3', '4'])),
      /^metrics\.step\[0\]: expected a number or null, got "1"$/,
    ],
    ['a short lr column', stale('lr', (o) => (o.metrics.lr = [1])), /^metrics\.lr: expected 4 entries, got 1$/],
    ['not an object at all', ['junk', 'hello'], /^\(root\): expected a JSON object, got "hello"$/],
    ['another format', stale('fmt', (o) => (o.format = 'other')), /^format: expected "llavadi-lab-run", got "other"$/],
    ['a schema that is not an integer', stale('schema-x', (o) => (o.schema = 'x')), /^schema: expected 1, got "x"$/],
  ];

  it.each(cases)('%s is skipped, naming the field', (_n, entry, reason) => {
    const { runs, skipped } = sortStoredRuns([['ok', good('ok')], entry]);
    expect(runs.map((r) => r.id)).toEqual(['ok']);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ store: 'runs', key: entry[0], newer: false });
    expect(skipped[0].reason).toMatch(reason);
    expect(skipped[0].label).toMatch(
      typeof (entry[1] as { name?: unknown }).name === 'string' ? /^Run .+ \(.+\)$/ : /^stored run /,
    );
  });

  it('a schema newer than ours is skipped, saying it came from a newer build', () => {
    const { runs, skipped } = sortStoredRuns([stale('future', (o) => (o.schema = RUN_SCHEMA + 1))]);
    expect(runs).toEqual([]);
    expect(skipped[0].newer).toBe(true);
    expect(skipped[0].reason).toBe(
      `schema: expected schema ${RUN_SCHEMA} or older, got ${RUN_SCHEMA + 1}. HINT: it came from a newer build of the lab (schema ${RUN_SCHEMA + 1}; this build reads ${RUN_SCHEMA}): open it there, or reload to update this one`,
    );
    expect(skippedLines(skipped, [])[0]).toMatch(
      /^Run future \(future\): written by a newer build of the lab; schema: /,
    );
  });

  it('an older record (no schema) that is valid otherwise is migrated; runs come oldest first', () => {
    const later = good('b', 3, '2026-11-27T00:00:00.000Z');
    const old = structuredClone(good('a', 2)) as Partial<RunRecord>;
    delete old.schema;
    delete old.finalConfig; // an early build did not keep it
    const { runs, skipped, migrated } = sortStoredRuns([
      ['b', later],
      ['a', old],
    ]);
    expect(skipped).toEqual([]);
    expect(runs.map((r) => [r.id, r.schema])).toEqual([
      ['a', RUN_SCHEMA],
      ['b', RUN_SCHEMA],
    ]);
    expect(runs[0].finalConfig).toEqual(DEFAULT_CONFIG);
    expect(migrated).toEqual(['a']);
  });

  it('a record whose key is not its id, or an id that is not a string, is skipped', () => {
    const { skipped } = sortStoredRuns([
      ['other-key', good('run-a')],
      [7, { ...good('x'), id: 7 }],
    ]);
    expect(skipped.map((s) => s.reason)).toEqual([
      `id: expected the record's key "other-key", got "run-a"`,
      'id: expected a string, got 7',
    ]);
  });

  it('NaN values as IndexedDB keeps them (structured clone) are fine', () => {
    const r = good('nan');
    r.metrics.values.seq = r.metrics.values.seq.map(() => NaN);
    expect(sortStoredRuns([['nan', r]]).skipped).toEqual([]);
  });
});

describe('stored settings', () => {
  it('smoothing "x" falls back to its default alone; the other fields stay', () => {
    const { settings, fixed } = validateSettings({
      theme: 'dark',
      hintDismissed: true,
      smoothing: 'x',
      logScale: true,
      overlay: ['run-a'],
    });
    expect(settings).toEqual({
      theme: 'dark',
      hintDismissed: true,
      smoothing: 0.6,
      logScale: true,
      overlay: ['run-a'],
    });
    expect(fixed).toEqual(['smoothing was "x", not a number in [0, 0.99]; using 0.6']);
    expect(skippedLines([], fixed)).toEqual(['settings: smoothing was "x", not a number in [0, 0.99]; using 0.6']);
  });

  it('every field of the wrong type falls back, each named; missing fields take defaults silently', () => {
    const { settings, fixed } = validateSettings({
      theme: 'neon',
      hintDismissed: 'yes',
      smoothing: 5,
      logScale: null,
      overlay: [1, 2],
    });
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(fixed.map((f) => f.split(' ')[0])).toEqual(['theme', 'hintDismissed', 'smoothing', 'logScale', 'overlay']);
    expect(validateSettings({ smoothing: 0.3 })).toEqual({
      settings: { ...DEFAULT_SETTINGS, smoothing: 0.3 },
      fixed: [],
    });
    expect(validateSettings(undefined)).toEqual({ settings: DEFAULT_SETTINGS, fixed: [] });
    expect(validateSettings({ smoothing: NaN }).fixed).toEqual([
      'smoothing was NaN, not a number in [0, 0.99]; using 0.6',
    ]);
  });

  it('a record that is not an object, or from a newer build, is named', () => {
    expect(validateSettings('x')).toEqual({
      settings: DEFAULT_SETTINGS,
      fixed: ['the record was "x", not an object; every setting is back to its default'],
    });
    const newer = validateSettings({ schema: 9, smoothing: 0.2 });
    expect(newer.settings.smoothing).toBe(0.2);
    expect(newer.fixed[0]).toMatch(/came from a newer build of the lab \(schema 9/);
  });

  it('the defaults are never shared (an overlay pushed to does not change them)', () => {
    validateSettings(undefined).settings.overlay.push('x');
    expect(DEFAULT_SETTINGS.overlay).toEqual([]);
  });
});

describe('partial marks', () => {
  const memory = () => {
    const m = new Map<string, string>();
    return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
  };

  it('round-trip, forget, and survive junk or a throwing storage', () => {
    const ls = memory();
    writePartialMark(ls, 'run-a', { kept: 30, total: 126 });
    expect(readPartialMarks(ls)).toEqual({ 'run-a': { kept: 30, total: 126 } });
    writePartialMark(ls, 'run-a', null);
    expect(readPartialMarks(ls)).toEqual({});
    ls.m.set(PARTIAL_KEY, '{"a": {"kept": "x"}, "b": {"kept": 1, "total": 2}}');
    expect(readPartialMarks(ls)).toEqual({ b: { kept: 1, total: 2 } });
    ls.m.set(PARTIAL_KEY, 'not json');
    expect(readPartialMarks(ls)).toEqual({});
    const broken = {
      getItem: () => {
        throw new Error('blocked');
      },
      setItem: () => {
        throw new Error('full');
      },
    };
    expect(readPartialMarks(broken)).toEqual({});
    expect(() => writePartialMark(broken, 'x', { kept: 1, total: 2 })).not.toThrow();
    expect(readPartialMarks(null)).toEqual({});
  });
});
