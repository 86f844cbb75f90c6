// The study bands: per-step mean and 95 % t-interval of val250, runs grouped by config (ids of one config merged, a
// seed counted once), the lane matcher (seed and totalSteps ignored, key order irrelevant), and the shipped JSON.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bandAt, bandOf, type BandsJson, configKey, matchBand, studyBands } from './bands';
import { DEFAULT_CONFIG, mergeConfig, type TrainConfig } from '../config/config';
import { fairConfig } from './fairStudy';
import type { StudyRun } from './study';

const run = (condition: string, seed: number, vals: number[], extra: Partial<StudyRun> = {}): StudyRun => ({
  pack: 'shapes',
  condition,
  seed,
  steps: 2000,
  backend: 'wasm',
  overall: vals.at(-1) ?? 0,
  perFamily: {},
  split: 'val',
  curve: vals.map((v, i) => ({ step: (i + 1) * 100, val250: v, valAll: v })),
  ...extra,
});

describe('bandOf', () => {
  it('per step: n, mean and the 95 % t-interval (t 12.706 for n 2; none for n 1)', () => {
    const rows = bandOf([
      [{ step: 100, val250: 30 }, { step: 200, val250: 40 }],
      [{ step: 100, val250: 34 }],
    ]);
    expect(rows[0][0]).toBe(100);
    expect(rows[0][1]).toBe(2);
    expect(rows[0][2]).toBe(32);
    // s = 2√2, s/√2 = 2, t_{0.975,1} = 12.7062 → ±25.41
    expect(rows[0][3]).toBeCloseTo(32 - 25.41, 1);
    expect(rows[0][4]).toBeCloseTo(32 + 25.41, 1);
    expect(rows[1]).toEqual([200, 1, 40, null, null]);
  });

  it('three equal curves: a zero-width interval', () => {
    const c = [{ step: 100, val250: 50 }];
    expect(bandOf([c, c, c])[0]).toEqual([100, 3, 50, 50, 50]);
  });
});

describe('studyBands and matchBand', () => {
  const ce = fairConfig('tune-ce-2', {}) as TrainConfig;
  const fkl = fairConfig('tune-fkl-2', {}) as TrainConfig;
  const configOf = (r: StudyRun) => r.config ?? fairConfig(r.condition, {});

  it('groups ids of one config (tune-ce-2 = rich-ce), counts a seed once, leaves out runs without a curve or a config', () => {
    const runs = [
      run('tune-ce-2', 1, [30, 40]),
      run('tune-ce-2', 2, [32, 44]),
      run('rich-ce', 101, [31, 42], { split: 'test' }),
      run('rich-ce', 2, [99, 99]), // same config and seed as tune-ce-2 s2: the same trajectory, counted once
      run('tune-fkl-2', 1, [35, 50]),
      run('tune-fkl-3', 1, [35, 50], { curve: undefined }),
      run('no-such-id', 1, [1, 2]),
      run('tune-ce-2', 3, [1, 2], { pack: 'digits' }),
    ];
    const j = studyBands('shapes', runs, configOf);
    expect(j.bands.map((b) => b.ids)).toEqual([['rich-ce', 'tune-ce-2'], ['tune-fkl-2']]);
    const b = j.bands[0];
    expect(b.seeds).toEqual([1, 2, 101]);
    expect(b.runs).toEqual(['tune-ce-2-s1', 'rich-ce-s2', 'rich-ce-s101'].sort((x, y) => Number(x.split('-s')[1]) - Number(y.split('-s')[1])));
    expect(b.rows.map((r) => r[1])).toEqual([3, 3]);
    expect(matchBand(ce, j.bands)).toBe(b);
    expect(matchBand(fkl, j.bands)?.ids).toEqual(['tune-fkl-2']);
  });

  it('a run\'s own config field wins over its id', () => {
    const j = studyBands('shapes', [run('final-x', 101, [40], { config: fkl })], configOf);
    expect(j.bands[0].ids).toEqual(['final-x']);
    expect(matchBand(fkl, j.bands)).not.toBeNull();
  });

  it('matches ignoring seed and totalSteps and key order; any other knob breaks the match', () => {
    const j = studyBands('shapes', [run('tune-fkl-2', 1, [40])], configOf);
    expect(matchBand({ ...fkl, seed: 9, optim: { ...fkl.optim, totalSteps: 777 } }, j.bands)).not.toBeNull();
    const reordered = Object.fromEntries(Object.entries(fkl).reverse()) as unknown as TrainConfig; // the same config, keys in another order
    expect(configKey(reordered)).toBe(configKey(fkl));
    expect(matchBand(mergeConfig(fkl, { weights: { kd: 2.5 } }), j.bands)).toBeNull();
    expect(matchBand(mergeConfig(fkl, { optim: { lr: 2e-3 } }), j.bands)).toBeNull();
    expect(matchBand(DEFAULT_CONFIG, j.bands)).toBeNull();
  });

  it('bandAt reads the row at or before a step', () => {
    const b = { rows: bandOf([[{ step: 100, val250: 10 }, { step: 200, val250: 20 }]]) };
    expect(bandAt(b, 50)).toBeNull();
    expect(bandAt(b, 150)?.[2]).toBe(10);
    expect(bandAt(b, 2000)?.[2]).toBe(20);
  });
});

describe('the shipped study/bands-shapes.json', () => {
  const j = JSON.parse(readFileSync('study/bands-shapes.json', 'utf8')) as BandsJson;
  it('has a band for each lane of the ce-vs-kd race (tune-ce-2 = CE, tune-fkl-2 = CE + fKL ×5), with ≥ 2 seeds', () => {
    const ce = matchBand(fairConfig('tune-ce-2', {}) as TrainConfig, j.bands);
    const kd = matchBand(fairConfig('tune-fkl-2', {}) as TrainConfig, j.bands);
    expect(ce?.ids).toContain('tune-ce-2');
    expect(kd?.ids).toContain('tune-fkl-2');
    for (const b of [ce, kd]) {
      expect(b!.seeds.length).toBeGreaterThanOrEqual(2);
      expect(b!.rows.length).toBe(b!.steps / 100);
      expect(b!.rows.every((r) => r[3] === null || (r[3] <= r[2] && r[2] <= (r[4] as number)))).toBe(true);
    }
  });
});
