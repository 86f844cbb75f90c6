// Tests of the training-config schema: defaults are valid, every invalid case is rejected with a message that
// names the field and the allowed range, merge and the lr schedule behave.
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_CONFIG,
  extraPositionsOf,
  lrAt,
  mergeConfig,
  validateConfig,
  type DeepPartial,
  type TrainConfig,
} from './config';

function bad(patch: DeepPartial<TrainConfig>): ConfigError {
  try {
    validateConfig(mergeConfig(DEFAULT_CONFIG, patch));
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(patch)}`);
}

describe('validateConfig', () => {
  it('accepts the defaults', () => {
    expect(validateConfig(DEFAULT_CONFIG)).toBe(DEFAULT_CONFIG);
  });

  it('accepts a config saved before kd.extraPositions (absent = every non-answer position)', () => {
    const old = JSON.parse(JSON.stringify(DEFAULT_CONFIG)) as TrainConfig;
    delete old.kd.extraPositions;
    expect(() => validateConfig(old)).not.toThrow();
    expect(extraPositionsOf(old.kd)).toBe('image+prompt');
  });

  const cases: [string, DeepPartial<TrainConfig>, string, RegExp][] = [
    ['β = 0', { kd: { divergence: 'jsd', beta: 0 } }, 'kd.beta', /\(0, 1\)/],
    ['β = 1', { kd: { beta: 1 } }, 'kd.beta', /\(0, 1\)/],
    ['α = 1', { kd: { alpha: 1 } }, 'kd.alpha', /\[0, 1\)/],
    ['α < 0', { kd: { alpha: -0.1 } }, 'kd.alpha', /\[0, 1\)/],
    ['T = 0', { kd: { T: 0 } }, 'kd.T', /\(0, 100\]/],
    ['T negative', { kd: { T: -1 } }, 'kd.T', /\(0/],
    ['T NaN', { kd: { T: NaN } }, 'kd.T', /a number/],
    ['tail with T ≠ 1', { kd: { topKMode: 'tail', T: 2 } }, 'kd.T', /tail mode/],
    ['top-K with normLogits', { kd: { topKMode: 'renorm', normLogits: true } }, 'kd.normLogits', /top-K/],
    ['top-K with mse', { kd: { topKMode: 'renorm', divergence: 'mse' } }, 'kd.divergence', /top-K/],
    ['top-K with K = 0', { kd: { topKMode: 'renorm', topK: 0 } }, 'kd.topK', /integer/],
    ['unknown divergence', { kd: { divergence: 'kl' as never } }, 'kd.divergence', /fkl \| rkl/],
    ['allPositions with cached teacher', { kd: { allPositions: true, source: 'cached' } }, 'kd.source', /online/],
    [
      'unknown extraPositions',
      { kd: { allPositions: true, source: 'online', extraPositions: 'answer' as never } },
      'kd.extraPositions',
      /image\+prompt \| image \| prompt/,
    ],
    ['negative CE weight', { weights: { ce: -1 } }, 'weights.ce', /\[0, 1000\]/],
    ['negative KD weight', { weights: { kd: -0.5 } }, 'weights.kd', /\[0, 1000\]/],
    ['negative hidden weight', { weights: { hidden: -2 } }, 'weights.hidden', /\[0/],
    ['λ > 1', { onPolicy: { lambda: 1.5 } }, 'onPolicy.lambda', /\[0, 1\]/],
    ['gen temperature 0', { onPolicy: { genTemperature: 0 } }, 'onPolicy.genTemperature', /\(0, 10\]/],
    ['lr 0', { optim: { lr: 0 } }, 'optim.lr', /\(0, 1\]/],
    ['batch 0', { optim: { batchSize: 0 } }, 'optim.batchSize', /\[1, 512\]/],
    ['batch 2.5', { optim: { batchSize: 2.5 } }, 'optim.batchSize', /integer/],
    ['epsilon 0', { optim: { epsilon: 0 } }, 'optim.epsilon', /\(0/],
    ['seed negative', { seed: -1 }, 'seed', /integer/],
    ['stage1Steps fractional', { stage1Steps: 1.5 }, 'stage1Steps', /integer/],
    ['hidden mode', { hiddenMode: 'l1' as never }, 'hiddenMode', /mse \| cosine/],
  ];
  it.each(cases)('rejects %s', (_name, patch, field, msg) => {
    const e = bad(patch);
    expect(e.field).toBe(field);
    expect(e.message).toContain(`config.${field}`);
    expect(e.message).toMatch(msg);
  });

  it('accepts the edges of each open/closed range', () => {
    expect(() => validateConfig(mergeConfig(DEFAULT_CONFIG, { kd: { alpha: 0, beta: 0.999, T: 100 } }))).not.toThrow();
    expect(() =>
      validateConfig(mergeConfig(DEFAULT_CONFIG, { kd: { topKMode: 'tail', T: 1, topK: 1 } })),
    ).not.toThrow();
    expect(() => validateConfig(mergeConfig(DEFAULT_CONFIG, { onPolicy: { lambda: 1 } }))).not.toThrow();
  });
});

describe('mergeConfig', () => {
  it('deep-merges without touching the base', () => {
    const c = mergeConfig(DEFAULT_CONFIG, { kd: { T: 2 }, weights: { kd: 5 } });
    expect(c.kd.T).toBe(2);
    expect(c.kd.divergence).toBe('fkl');
    expect(c.weights.kd).toBe(5);
    expect(c.weights.ce).toBe(1);
    expect(DEFAULT_CONFIG.kd.T).toBe(1);
  });
});

describe('lrAt', () => {
  const o = { ...DEFAULT_CONFIG.optim, lr: 1, warmupSteps: 10, totalSteps: 110, minLrFrac: 0.1 };
  it('warms up linearly', () => {
    expect(lrAt(o, 0)).toBeCloseTo(0.1, 12);
    expect(lrAt(o, 9)).toBeCloseTo(1, 12);
  });
  it('decays by a cosine to the floor', () => {
    expect(lrAt(o, 10)).toBeCloseTo(1, 12);
    expect(lrAt(o, 60)).toBeCloseTo(0.55, 12); // floor + ½(1 − floor)(1 + cos(π/2))
    expect(lrAt(o, 110)).toBeCloseTo(0.1, 12);
    expect(lrAt(o, 500)).toBeCloseTo(0.1, 12);
  });
});
