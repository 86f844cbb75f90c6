// configDiff / configFromPatchJson: what a shareable URL carries round-trips to the same config, and a bad `cfg`
// names the field it trips on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, configDiff, configFromPatchJson, DEFAULT_CONFIG, mergeConfig } from './config';

describe('config in the URL', () => {
  it('the diff of the default config is empty', () => {
    expect(configDiff(DEFAULT_CONFIG, DEFAULT_CONFIG)).toEqual({});
  });

  it('diff → JSON → patch reproduces the config (random knob settings)', () => {
    fc.assert(
      fc.property(
        fc.record({
          lr: fc.double({ min: 1e-5, max: 0.05, noNaN: true }),
          kd: fc.double({ min: 0, max: 5, noNaN: true }),
          seed: fc.integer({ min: 0, max: 2 ** 31 }),
          T: fc.constantFrom(1, 2, 4),
          div: fc.constantFrom('fkl', 'rkl', 'jsd', 'tvd'),
        }),
        (r) => {
          const c = mergeConfig(DEFAULT_CONFIG, {
            seed: r.seed,
            optim: { lr: r.lr },
            weights: { kd: r.kd },
            kd: { T: r.T, divergence: r.div as 'fkl' },
          });
          const text = JSON.stringify(configDiff(DEFAULT_CONFIG, c));
          expect(configFromPatchJson(DEFAULT_CONFIG, text)).toEqual(c);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('only changed leaves travel', () => {
    const c = mergeConfig(DEFAULT_CONFIG, { optim: { lr: 0.01 } });
    expect(configDiff(DEFAULT_CONFIG, c)).toEqual({ optim: { lr: 0.01 } });
  });

  it.each([
    ['not json', '{oops', '(cfg)'],
    ['an array', '[1]', '(cfg)'],
    ['an unknown field', '{"optim":{"lrr":1}}', 'optim.lrr'],
    ['an unknown section', '{"foo":{}}', 'foo'],
    ['a value out of range', '{"kd":{"beta":1}}', 'kd.beta'],
    ['a scalar where a section belongs', '{"kd":3}', 'kd'],
  ])('refuses %s, naming the field', (_n, text, field) => {
    let err: unknown;
    try {
      configFromPatchJson(DEFAULT_CONFIG, text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe(field);
    expect((err as Error).message).toContain(`config.${field}`);
  });
});

describe('cfg patches cannot reach a prototype', () => {
  it('refuses __proto__ and constructor keys and leaves Object.prototype alone', () => {
    for (const text of [
      '{"__proto__":{"hasOwnProperty":5}}',
      '{"constructor":{"prototype":{"x":1}}}',
      '{"kd":{"__proto__":{"T":3}}}',
    ]) {
      expect(() => configFromPatchJson(DEFAULT_CONFIG, text)).toThrow(ConfigError);
    }
    expect(typeof Object.prototype.hasOwnProperty).toBe('function');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
