// The URL table: today's links (README, e2e specs) parse as before, bad or unknown parameters give defaults plus a
// message naming the parameter and what it accepts, write → parse round-trips, and random query strings never throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKEND_CHOICES } from './backends';
import { configDiff, DEFAULT_CONFIG, mergeConfig, type TrainConfig } from './config';
import { LESSON_IDS } from '../study/lessons';
import {
  defaultUrlState,
  parseUrlState,
  URL_FIELDS,
  URL_PARAMS,
  urlMessagesBanner,
  urlStateOfRun,
  type UrlCatalog,
  type UrlField,
  type UrlState,
  writeUrlState,
} from './urlState';

const CATALOG: UrlCatalog = {
  packs: ['shapes', 'digits'],
  presets: ['llavadi', 'fkl', 'ce-only', 'kd-t07'],
  races: ['ce-vs-kd', 'temperature'],
};
const parse = (q: string) => parseUrlState(q, CATALOG);
const field = (k: keyof UrlState) => URL_FIELDS[k] as unknown as UrlField<unknown>;

describe('URL state: the links in use today', () => {
  it('no parameters: the defaults, no messages; the writer keeps only the pack and the seed', () => {
    const { state, messages } = parse('');
    expect(messages).toEqual([]);
    expect(state).toEqual({
      pack: 'shapes',
      seed: 1,
      preset: null,
      cfg: {},
      race: null,
      lanes: null,
      lesson: null,
      backend: 'auto',
      batch: null,
      evalEvery: null,
      evalSamples: null,
      workers: null,
      e2e: false,
    });
    expect(writeUrlState(state)).toBe('pack=shapes&seed=1');
  });

  it('?lesson=: a known lesson opens; an unknown one is named with the lessons it accepts, and the rest of the link holds', () => {
    const ok = parse(`?lesson=${LESSON_IDS[0]}&race=temperature`);
    expect(ok.messages).toEqual([]);
    expect(ok.state.lesson).toBe(LESSON_IDS[0]);
    expect(writeUrlState(ok.state)).toContain(`lesson=${LESSON_IDS[0]}`);
    const bad = parse('?lesson=nope&race=temperature');
    expect(bad.state.lesson).toBeNull();
    expect(bad.state.race).toBe('temperature');
    expect(bad.messages.map((m) => m.param)).toEqual(['lesson']);
    expect(bad.messages[0].message).toContain(LESSON_IDS.join(' | '));
  });

  it('?lanes= and ?race=: a race link parses; a bad lane is named and dropped to the defaults', () => {
    const lanes = [
      { name: 'CE', cfg: {} },
      { name: 'KD', cfg: { weights: { kd: 1 } } },
    ];
    const ok = parse(`?race=temperature&lanes=${encodeURIComponent(JSON.stringify(lanes))}`);
    expect(ok.messages).toEqual([]);
    expect(ok.state.lanes).toEqual(lanes);
    expect(ok.state.race).toBe('temperature');
    const bad = parse(
      `?lanes=${encodeURIComponent(JSON.stringify([{ name: 'x', cfg: { kd: { T: -1 } } }]))}&race=nope`,
    );
    expect(bad.state.lanes).toBeNull();
    expect(bad.state.race).toBeNull();
    expect(bad.messages.map((m) => m.param)).toEqual(['lanes', 'race']);
    expect(bad.messages[0].message).toMatch(/kd\.T/);
    const five = parse(`?lanes=${encodeURIComponent(JSON.stringify(Array(5).fill({ name: 'a', cfg: {} })))}`);
    expect(five.messages[0].message).toMatch(/1 to 4 lanes/);
  });

  it("the README's example link, raw or encoded", () => {
    const raw = '?pack=shapes&seed=5&cfg={"weights":{"kd":1},"kd":{"T":2}}';
    for (const q of [raw, `?${new URLSearchParams(raw.slice(1))}`]) {
      const { state, messages } = parse(q);
      expect(messages).toEqual([]);
      expect(state).toMatchObject({ pack: 'shapes', seed: 5, cfg: { weights: { kd: 1 }, kd: { T: 2 } } });
    }
  });

  it.each(['webgpu', 'webgl', 'wasm', 'cpu', 'auto'])('?backend=%s', (b) => {
    expect(parse(`?backend=${b}`)).toEqual({ state: { ...defaultUrlState(), backend: b }, messages: [] });
  });

  it.each([
    ['lab.spec wasm', { backend: 'wasm', evalEvery: 25, evalSamples: 40 }],
    ['lab.spec webgpu', { backend: 'webgpu', evalEvery: 1000, evalSamples: 8, batch: 8 }],
    ['lab.spec preset', { backend: 'wasm', preset: 'llavadi', evalSamples: 8 }],
    ['lab2.spec', { backend: 'wasm', evalEvery: 1000, evalSamples: 24, seed: 5 }],
  ])('the e2e query of %s parses without a message', (_n, query) => {
    const qs = new URLSearchParams({
      e2e: '1',
      ...Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])),
    });
    const { state, messages } = parse(`?${qs}`);
    expect(messages).toEqual([]);
    expect(state).toMatchObject({ ...query, e2e: true });
  });

  it('a bare ?e2e is the flag on, as before', () => {
    expect(parse('?e2e').state.e2e).toBe(true);
    expect(parse('?e2e=0').state.e2e).toBe(false);
  });
});

describe('URL state: refused parameters', () => {
  it.each([
    ['?preset=bogus', 'preset', 'one of llavadi | fkl | ce-only | kd-t07', null],
    ['?pack=cifar', 'pack', 'one of shapes | digits', 'shapes'],
    ['?backend=metal', 'backend', `one of ${BACKEND_CHOICES.join(' | ')}`, 'auto'],
    ['?seed=1.5', 'seed', 'an integer in [0, 4294967295]', 1],
    ['?seed=abc', 'seed', 'an integer in [0, 4294967295]', 1],
    ['?seed=-1', 'seed', 'an integer in [0, 4294967295]', 1],
    ['?seed=4294967296', 'seed', 'an integer in [0, 4294967295]', 1],
    ['?seed=', 'seed', 'an integer in [0, 4294967295]', 1],
    ['?batch=0', 'batch', 'an integer in [1, 512]', null],
    ['?evalEvery=ten', 'evalEvery', 'an integer in [0, 10000000]', null],
    ['?e2e=yes', 'e2e', '0 / false', false],
    ['?cfg={oops', 'cfg', '(not valid JSON)', {}],
    ['?cfg=[1]', 'cfg', 'config.(cfg)', {}],
    ['?cfg={"optim":{"lrr":1}}', 'cfg', 'config.optim.lrr', {}],
    ['?cfg={"kd":{"beta":1}}', 'cfg', 'config.kd.beta', {}],
    ['?cfg={"__proto__":{"toString":1}}', 'cfg', 'config.__proto__ is not a config field', {}],
  ])('%s: the default, and a message naming %s and what it accepts', (q, param, accepts, def) => {
    const { state, messages } = parse(q);
    expect(state).toEqual({ ...defaultUrlState(), [param]: def });
    expect(messages).toHaveLength(1);
    expect(messages[0].param).toBe(param);
    expect(messages[0].message).toContain(`?${param}=`);
    expect(messages[0].message).toContain(accepts);
  });

  it('a polluting cfg leaves Object.prototype alone', () => {
    parse('?cfg={"__proto__":{"toString":1}}');
    expect(typeof Object.prototype.toString).toBe('function');
  });

  it('an unknown parameter is named with the ones the lab reads; the others still apply', () => {
    const { state, messages } = parse('?seed=7&sed=8&preset=fkl');
    expect(state).toMatchObject({ seed: 7, preset: 'fkl' });
    expect(messages).toEqual([{ param: 'sed', message: expect.stringContaining(`it reads ${URL_PARAMS.join(', ')}`) }]);
  });

  it('a repeated parameter: the first value, and a message', () => {
    const { state, messages } = parse('?seed=2&seed=3');
    expect(state.seed).toBe(2);
    expect(messages.map((m) => m.param)).toEqual(['seed']);
  });

  it("the issue's four cases in one link: the defaults, and one message per parameter saying what it accepts", () => {
    const { state, messages } = parse('?preset=bogus&pack=cifar&backend=metal&seed=2.5');
    expect(state).toEqual(defaultUrlState());
    expect(messages.map((m) => m.message)).toEqual([
      '?preset=bogus was ignored: it accepts one of llavadi | fkl | ce-only | kd-t07; using none',
      '?pack=cifar was ignored: it accepts one of shapes | digits; using shapes',
      `?backend=metal was ignored: it accepts one of ${BACKEND_CHOICES.join(' | ')}; using auto`,
      '?seed=2.5 was ignored: it accepts an integer in [0, 4294967295], in decimal digits; using 1',
    ]);
    expect(urlMessagesBanner(messages)!.error.field).toBe('?preset ?pack ?backend ?seed');
  });

  it('the banner names every ignored parameter and says why', () => {
    expect(urlMessagesBanner([])).toBeNull();
    const b = urlMessagesBanner(parse('?preset=bogus&seed=x&foo=1').messages)!;
    expect(b.title).toBe('3 parameters of the link were ignored');
    expect(b.error.field).toBe('?preset ?seed ?foo');
    expect(b.error.message).toContain('llavadi');
    expect(b.error.message).toContain('an integer');
  });
});

// A valid state: each field's value drawn from what it accepts; cfg is the diff of a random config.
const arbCfg = fc
  .record({
    lr: fc.double({ min: 1e-5, max: 0.05, noNaN: true }),
    kd: fc.double({ min: 0, max: 5, noNaN: true }),
    T: fc.constantFrom(1, 2, 0.5),
    div: fc.constantFrom('fkl', 'rkl', 'jsd'),
    unl: fc.boolean(),
  })
  .map((r) =>
    configDiff(
      DEFAULT_CONFIG,
      mergeConfig(DEFAULT_CONFIG, {
        optim: { lr: r.lr },
        weights: { kd: r.kd },
        kd: { T: r.T, divergence: r.div as 'fkl' },
        data: { useUnlabeled: r.unl },
      }),
    ),
  );
const arbState: fc.Arbitrary<UrlState> = fc.record({
  pack: fc.constantFrom(...CATALOG.packs),
  seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  preset: fc.option(fc.constantFrom(...CATALOG.presets), { nil: null }),
  cfg: arbCfg,
  race: fc.option(fc.constantFrom('ce-vs-kd', 'temperature'), { nil: null }),
  lanes: fc.option(
    fc.array(fc.record({ name: fc.string({ minLength: 1, maxLength: 80 }), cfg: arbCfg }), {
      minLength: 1,
      maxLength: 4,
    }),
    { nil: null },
  ),
  lesson: fc.option(fc.constantFrom(...LESSON_IDS), { nil: null }),
  backend: fc.constantFrom(...BACKEND_CHOICES),
  batch: fc.option(fc.integer({ min: 1, max: 512 }), { nil: null }),
  evalEvery: fc.option(fc.integer({ min: 0, max: 1e7 }), { nil: null }),
  evalSamples: fc.option(fc.integer({ min: 1, max: 1e6 }), { nil: null }),
  workers: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
  e2e: fc.boolean(),
});

/** Every value of the state is one its field accepts (parsing what the writer makes of it gives it back). */
function isValid(s: UrlState): boolean {
  return URL_PARAMS.every((k) => {
    const f = field(k);
    const r = f.parse(f.write(s[k]), CATALOG);
    return (
      (f.isDefault ? f.isDefault(s[k]) : s[k] === f.default) ||
      ('value' in r && JSON.stringify(r.value) === JSON.stringify(s[k]))
    );
  });
}

describe('URL state: properties', () => {
  it('write → parse gives the same state, without messages', () => {
    fc.assert(
      fc.property(arbState, (s) => {
        const { state, messages } = parse(`?${writeUrlState(s)}`);
        expect(messages).toEqual([]);
        expect(state).toEqual(s);
      }),
      { numRuns: 300 },
    );
  });

  const key = fc.oneof(
    fc.constantFrom(...URL_PARAMS),
    fc.string({ maxLength: 6 }),
    fc.constantFrom('__proto__', 'constructor', 'race', 'lanes'),
  );
  const value = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom(
      'shapes',
      'llavadi',
      'wasm',
      '5',
      '-1',
      '1e3',
      '0x10',
      '1.5',
      '{}',
      '{"kd":{"T":2}}',
      '{"__proto__":{"x":1}}',
      'null',
      '%E0%A4%A',
      '%',
    ),
    fc.integer().map(String),
    fc.json({ maxDepth: 2 }),
  );
  const query = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc
      .array(fc.tuple(key, value), { maxLength: 6 })
      .map((kv) => kv.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')),
    fc.array(fc.tuple(key, value), { maxLength: 6 }).map((kv) => `?${kv.map(([k, v]) => `${k}=${v}`).join('&')}`),
  );

  it('random query strings never throw and give a valid state plus messages that name a parameter', () => {
    fc.assert(
      fc.property(query, (q) => {
        const { state, messages } = parse(q);
        expect(Object.keys(state).sort()).toEqual([...URL_PARAMS].sort());
        expect(isValid(state)).toBe(true);
        const given = new Set<string>();
        new URLSearchParams(q).forEach((_v, k) => given.add(k));
        for (const m of messages) {
          expect(given.has(m.param)).toBe(true);
          expect(m.message.length).toBeGreaterThan(0);
        }
        for (const k of given)
          if (!URL_PARAMS.includes(k as keyof UrlState)) expect(messages.some((m) => m.param === k)).toBe(true);
        expect(typeof Object.prototype.toString).toBe('function');
      }),
      { numRuns: 1000 },
    );
  });

  it('random query strings: every refused parameter keeps its default and gets a message naming it once and what it accepts', () => {
    fc.assert(
      fc.property(query, (q) => {
        const { state, messages } = parse(q);
        const first = new Map<string, string>();
        new URLSearchParams(q).forEach((v, k) => first.has(k) || first.set(k, v));
        for (const [k, text] of first) {
          if (!URL_PARAMS.includes(k as keyof UrlState)) continue;
          const f = field(k as keyof UrlState);
          const r = f.parse(text, CATALOG);
          const mine = messages.filter((m) => m.param === k && m.message.includes('was ignored'));
          if ('value' in r) {
            expect(state[k as keyof UrlState]).toEqual(r.value);
            expect(mine).toEqual([]);
          } else {
            expect(state[k as keyof UrlState]).toEqual(f.default);
            expect(mine).toHaveLength(1);
            expect(mine[0].message.startsWith(`?${k}=`)).toBe(true);
            expect(mine[0].message).toContain(`it accepts ${f.accepts(CATALOG)}`);
            expect(mine[0].message).not.toContain(`: ${k} accepts`); // the parameter is named once, at the start
          }
        }
        const b = urlMessagesBanner(messages);
        expect(b === null).toBe(messages.length === 0);
      }),
      { numRuns: 1000 },
    );
  });

  it('parse → write → parse is stable (the written link means what was read)', () => {
    fc.assert(
      fc.property(query, (q) => {
        const once = parse(q).state;
        expect(parse(writeUrlState(once)).state).toEqual(once);
      }),
      { numRuns: 500 },
    );
  });
});

describe('URL state of a run', () => {
  it('keeps the opened link’s backend, eval settings and e2e; carries seed and config diff; drops preset and batch', () => {
    const opened = parse('?backend=wasm&evalEvery=1000&evalSamples=24&seed=5&e2e=1&preset=fkl&batch=8').state;
    const config: TrainConfig = mergeConfig(DEFAULT_CONFIG, { seed: 5, weights: { kd: 1 }, kd: { T: 2 } });
    const q = new URLSearchParams(writeUrlState(urlStateOfRun(opened, config, 'shapes')));
    expect(q.get('seed')).toBe('5');
    expect(JSON.parse(q.get('cfg')!)).toEqual({ weights: { kd: 1 }, kd: { T: 2 } });
    expect(Object.fromEntries(q)).toMatchObject({
      pack: 'shapes',
      backend: 'wasm',
      evalEvery: '1000',
      evalSamples: '24',
      e2e: '1',
    });
    expect(q.has('preset') || q.has('batch')).toBe(false);
  });

  it('a brought pack (no shipped id) keeps the last shipped pack', () => {
    const opened = parse('?pack=digits').state;
    expect(urlStateOfRun(opened, DEFAULT_CONFIG, null).pack).toBe('digits');
  });
});

describe('URL state: integers are decimal as written', () => {
  it.each(['0x10', '1e3', '0b1', ' 7', '7 ', '+7', '1.0', ''])(
    'seed=%j is refused by name, the default seed stays',
    (text) => {
      const { state, messages } = parse(`?seed=${encodeURIComponent(text)}`);
      expect(state.seed).toBe(DEFAULT_CONFIG.seed);
      expect(messages.map((m) => m.param)).toEqual(['seed']);
      expect(messages[0].message).toMatch(/in decimal digits/);
    },
  );
  it('seed=16 is 16', () => expect(parse('?seed=16').state.seed).toBe(16));
});
