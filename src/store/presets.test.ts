// The presets: each is a valid config over the defaults, ids are unique, and the study-* presets give exactly the
// configs `npm run study` runs, so the lab reproduces the quick study.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig, validateConfig } from '../core/config';
import { STUDY_CONDITIONS } from '../core/study';
import { PRESETS, presetById } from './presets';

describe('presets', () => {
  it('every preset is a valid config over the defaults; ids are unique', () => {
    for (const p of PRESETS) expect(() => validateConfig(mergeConfig(DEFAULT_CONFIG, p.patch)), p.id).not.toThrow();
    expect(new Set(PRESETS.map((p) => p.id)).size).toBe(PRESETS.length);
  });

  it('study-b and study-c are the quick study conditions (b) and (c)', () => {
    for (const [id, key] of [['study-b', 'b'], ['study-c', 'c']] as const) {
      const fromPreset = mergeConfig(DEFAULT_CONFIG, presetById(id)!.patch);
      expect(fromPreset, id).toEqual(mergeConfig(DEFAULT_CONFIG, STUDY_CONDITIONS[key].patch));
      expect(fromPreset.kd.T).toBe(4);
    }
    expect(mergeConfig(DEFAULT_CONFIG, presetById('study-b')!.patch).data.useUnlabeled).toBe(false);
    expect(mergeConfig(DEFAULT_CONFIG, presetById('study-c')!.patch).data.useUnlabeled).toBe(true);
  });
});
