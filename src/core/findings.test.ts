// The findings table: every condition is a valid config over the defaults, named by its base; every comparison names
// known conditions; lanes fit a race (≤ 4); the shared data-rich "CE + fKL" is one condition used by nine findings.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig, validateConfig } from './config';
import { CONDITIONS, FINDINGS, findingConditions, findingLanes, paperValue } from './findings';

describe('findings table', () => {
  it('every condition validates over DEFAULT_CONFIG and its data setting matches its base and id', () => {
    for (const c of Object.values(CONDITIONS)) {
      const cfg = validateConfig(mergeConfig(DEFAULT_CONFIG, c.patch));
      expect(cfg.data.useUnlabeled, c.id).toBe(c.base === 'rich');
      expect(cfg.weights.seq, c.id).toBe(c.base === 'rich' ? 1 : 0);
      expect(c.id.startsWith(c.base === 'rich' ? 'rich-' : 'lab-'), c.id).toBe(true);
    }
  });

  it('the conditions differ from each other (no two ids train the same config)', () => {
    const seen = new Map<string, string>();
    for (const c of Object.values(CONDITIONS)) {
      const key = JSON.stringify(mergeConfig(DEFAULT_CONFIG, c.patch));
      expect(seen.get(key), `${c.id} duplicates ${seen.get(key)}`).toBeUndefined();
      seen.set(key, c.id);
    }
  });

  it('F1–F12, every comparison names known conditions, every condition is used by some finding', () => {
    expect(FINDINGS.map((f) => f.id)).toEqual(Array.from({ length: 12 }, (_, i) => `F${i + 1}`));
    const used = new Set(FINDINGS.flatMap(findingConditions));
    for (const id of used) expect(CONDITIONS[id], id).toBeDefined();
    expect([...Object.keys(CONDITIONS)].filter((id) => !used.has(id))).toEqual([]);
  });

  it('the data-rich CE + fKL is shared by F1, F2, F3, F5, F7, F8, F9, F10, F11', () => {
    const users = FINDINGS.filter((f) => findingConditions(f).includes('rich-fkl')).map((f) => f.id);
    expect(users).toEqual(['F1', 'F2', 'F3', 'F5', 'F7', 'F8', 'F9', 'F10', 'F11']);
  });

  it('decisive comparisons are on the data-rich base except F9 (which compares the bases)', () => {
    for (const f of FINDINGS) {
      const ids = f.comparisons.flatMap((c) => (c.kind === 'gt' ? [c.hi, c.lo] : [c.a, c.b]));
      const bases = new Set(ids.map((id) => CONDITIONS[id].base));
      expect([...bases].sort(), f.id).toEqual(f.id === 'F9' ? ['labeled', 'rich'] : ['rich']);
    }
  });

  it('lanes: 1–4 per finding, the decisive conditions first, with their patches', () => {
    for (const f of FINDINGS) {
      const lanes = findingLanes(f);
      expect(lanes.length, f.id).toBeGreaterThanOrEqual(2);
      expect(lanes.length, f.id).toBeLessThanOrEqual(4);
      expect(lanes[0].patch).toBe(CONDITIONS[findingConditions(f)[0]].patch);
    }
    expect(findingLanes(FINDINGS[0]).map((l) => l.name)).toEqual([CONDITIONS['rich-fkl'].label, CONDITIONS['rich-ce'].label, CONDITIONS['lab-fkl'].label, CONDITIONS['lab-ce'].label]);
  });

  it('the conditions carry what the findings vary (F3 online all positions, F4 temperatures, F11 λ)', () => {
    const cfg = (id: string) => mergeConfig(DEFAULT_CONFIG, CONDITIONS[id].patch);
    expect(cfg('rich-fkl-all').kd).toMatchObject({ allPositions: true, source: 'online' });
    expect(['rich-kd5-t01', 'rich-kd5-t025', 'rich-kd5-t07', 'rich-kd5-t1'].map((id) => [cfg(id).kd.T, cfg(id).weights.ce, cfg(id).weights.kd])).toEqual([
      [0.1, 0, 5],
      [0.25, 0, 5],
      [0.7, 0, 5],
      [1, 0, 5],
    ]);
    expect(cfg('rich-fkl-onpol').onPolicy.lambda).toBe(0.5);
    expect(cfg('rich-fkl3-t4').kd).toMatchObject({ T: 4, t2: true });
  });

  it('paperValue finds a quoted number and refuses a typo', () => {
    expect(paperValue('F5', 'logits ×5 + hidden ×5').textvqa).toBe(50.7);
    expect(() => paperValue('F5', 'nope')).toThrow(/F5/);
  });
});
