// Race descriptions say what each lane trains (issue 29 item 2): seqCE named in every lab race's text, each finding
// race lists its lanes' terms from their configs, and the temperature race no longer calls seqCE "no ground truth".
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../core/config/config';
import { RACES, raceById, raceLanes } from './races';

describe('race descriptions', () => {
  it('each lab race names seqCE and its value as the lanes train it', () => {
    for (const id of ['ce-vs-kd', 'temperature', 'logits-hidden', 'labeled-vs-unlabeled']) {
      const r = raceById(id)!;
      const seq = new Set(raceLanes(r.lanes, DEFAULT_CONFIG).map((l) => l.config.weights.seq));
      for (const w of seq) expect(r.about, id).toContain(`seqCE ${w}`);
    }
    const t = raceById('temperature')!;
    expect(
      raceLanes(t.lanes, DEFAULT_CONFIG).every((l) => l.config.weights.ce === 0 && l.config.weights.seq === 1),
    ).toBe(true);
    expect(t.about).toContain('CE 0');
  });

  it('a finding race lists every lane by name with its terms', () => {
    for (const r of RACES.filter((x) => x.id.startsWith('finding-'))) {
      for (const l of r.lanes) expect(r.about).toContain(`${l.name} = `);
      expect(r.about).not.toMatch(/ lr \d/);
    }
  });
});
