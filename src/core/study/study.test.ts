// studyJson: the contract shape (DESIGN §6b) from a partial set of runs: conditions with their runs and mean ± std,
// findings with verdicts from what exists (inconclusive where a side has < 2 runs), NaN never reaching the JSON.
import { describe, expect, it } from 'vitest';
import { CONDITIONS, FINDINGS } from './findings';
import { allComparisons, extraRuns, mixedVersions, studyJson, type StudyRun } from './study';

const run = (condition: string, seed: number, overall: number): StudyRun => ({ pack: 'shapes', condition, seed, steps: 10, backend: 'wasm', overall, perFamily: { gqa: overall, pope: 50 } });

describe('studyJson', () => {
  const runs = [run('rich-fkl', 1, 60), run('rich-fkl', 2, 62), run('rich-fkl', 3, 61), run('rich-ce', 1, 48), run('rich-ce', 2, 50), run('rich-ce', 3, 49), run('lab-fkl', 1, 41)];
  const j = studyJson({ pack: 'shapes', steps: 10, backend: 'wasm', seeds: 5, families: ['gqa', 'pope'], runs });

  it('has the contract keys, every condition, and every finding', () => {
    expect(Object.keys(j)).toEqual(expect.arrayContaining(['pack', 'steps', 'backend', 'conditions', 'findings']));
    expect(Object.keys(j.conditions).sort()).toEqual(Object.keys(CONDITIONS).sort());
    expect(j.findings.map((f) => f.id)).toEqual(FINDINGS.map((f) => f.id));
    expect(j.complete).toBe(false);
  });

  it('conditions: runs sorted by seed, mean ± std, null where no run', () => {
    expect(j.conditions['rich-fkl'].runs.map((r) => r.seed)).toEqual([1, 2, 3]);
    expect(j.conditions['rich-fkl'].overall).toEqual({ mean: 61, std: 1 });
    expect(j.conditions['rich-fkl'].perFamily.gqa).toEqual({ mean: 61, std: 1 });
    expect(j.conditions['rich-tvd'].overall).toEqual({ mean: null, std: null });
    expect(JSON.stringify(j)).not.toMatch(/NaN/);
  });

  it('F1 reproduces from 3 + 3 runs; F9 (lab-fkl has one run) and F10 (no runs) are inconclusive', () => {
    const f = (id: string) => j.findings.find((x) => x.id === id)!;
    expect(f('F1').verdict).toBe('reproduces');
    expect(f('F1').comparisons[0]).toMatchObject({ ids: ['rich-fkl', 'rich-ce'], diff: 12, n: [3, 3] });
    expect(f('F1').labeled?.verdict).toBe('inconclusive');
    expect(f('F9').verdict).toBe('inconclusive');
    expect(f('F10').verdict).toBe('inconclusive');
    expect(f('F10').comparisons[0].se).toBeNull();
  });

  it('reversed when the data says the opposite', () => {
    const flipped = studyJson({ pack: 'p', steps: 10, backend: 'wasm', seeds: 3, families: ['gqa'], runs: runs.map((r) => (r.condition === 'rich-ce' ? { ...r, overall: r.overall + 30 } : r)) });
    expect(flipped.findings[0].verdict).toBe('reversed');
  });
});

describe('extraRuns (seeds until each SE ≤ 2)', () => {
  const seeds = (id: string, xs: number[]) => xs.map((x, i) => run(id, i + 1, x));
  const base = (runs: StudyRun[]) => studyJson({ pack: 'shapes', steps: 10, backend: 'wasm', seeds: 3, families: ['gqa', 'pope'], runs });

  it('adds the next seed to both sides of a noisy comparison, none to a precise one, none past maxSeeds', () => {
    // F1: rich-fkl vs rich-ce with std 10 a side → SE 8.2 > 2; F9's lab-fkl has runs too (SE with rich-fkl also large)
    const noisy = base([...seeds('rich-fkl', [50, 60, 70]), ...seeds('rich-ce', [40, 50, 60]), ...seeds('lab-fkl', [41, 41.5, 42])]);
    const next = extraRuns(noisy, 5);
    expect(next).toEqual(expect.arrayContaining([{ condition: 'rich-fkl', seed: 4 }, { condition: 'rich-ce', seed: 4 }, { condition: 'lab-fkl', seed: 4 }]));
    expect(new Set(next.map((w) => w.condition)).size).toBe(next.length); // one seed per condition per round
    expect(extraRuns(noisy, 3)).toEqual([]); // every side already has maxSeeds runs
    // a precise pair: SE 0.4 ≤ 2 → nothing to add for it
    const precise = base([...seeds('rich-fkl', [60, 60.5, 61]), ...seeds('rich-ce', [50, 50.5, 51])]);
    expect(extraRuns(precise, 10)).toEqual([]);
  });

  it('a comparison with a side that has no run yet asks for nothing (the planned seeds come first)', () => {
    const j = base(seeds('rich-fkl', [50, 60, 70]));
    expect(allComparisons(j).find(({ c }) => c.ids[0] === 'rich-fkl' && c.ids[1] === 'rich-ce')?.c.n).toEqual([3, 0]);
    expect(extraRuns(j, 10)).toEqual([]);
  });
});

describe('mixedVersions: runs made by different code are named (issue 28)', () => {
  const run = (kernels?: StudyRun['kernels'], tfjs?: string): StudyRun => ({ pack: 'p', condition: 'c', seed: 1, steps: 10, backend: 'wasm', overall: 1, perFamily: {}, kernels, tfjs });
  it('one code version: nothing to say', () => {
    expect(mixedVersions([run('lab-simd', '4.22.0'), run('lab-simd', '4.22.0')])).toBe('');
  });
  it('kernels or tfjs versions mixed, unrecorded runs counted', () => {
    expect(mixedVersions([run('lab-simd', '4.22.0'), run(undefined, undefined), run('lab-simd', '4.22.0')])).toBe('kernels lab-simd (2), unrecorded (1); tfjs 4.22.0, unrecorded');
  });
});
