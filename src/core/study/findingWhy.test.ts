// The why line of a finding that does not reproduce, from synthetic study JSON: too few runs, within the noise with
// the widest family, the paired-by-seed sentence when pairing is decisive while Welch's SE is not, and a probe; and
// the verdict in words for an ordering and an equality claim.
import { describe, expect, it } from 'vitest';
import { verdictText, whyText } from './findingWhy';
import { studyJson, type StudyRun } from './study';

const runsOf = (condition: string, xs: number[]): StudyRun[] =>
  xs.map((x, i) => ({ pack: 'shapes', condition, seed: i + 1, steps: 10, backend: 'wasm', overall: x, perFamily: { gqa: x, sqa: 100 - x } }));
const study = (runs: StudyRun[]) => studyJson({ pack: 'shapes', steps: 10, backend: 'wasm', seeds: 5, families: ['gqa', 'sqa'], runs });
const why = (runs: StudyRun[], id: string) => {
  const s = study(runs);
  return whyText(s.findings.find((f) => f.id === id)!, s);
};

describe('whyText', () => {
  it('says how many runs a side has while a side has fewer than 2', () => {
    expect(why(runsOf('rich-hid5', [70]), 'F6')).toMatch(/^Not enough runs yet: .* has 1 and .* 0 of 5 seeds/);
  });

  it('paired by seed: a shared seed effect hides a steady 3-point gap from Welch (SE 5) but not from pairing', () => {
    const mse = [60, 70, 80, 65, 75];
    const cos = [57, 67.2, 76.8, 62, 72.1]; // mse − cos = 3, 2.8, 3.2, 3, 2.9
    const s = study([...runsOf('rich-hid5', mse), ...runsOf('rich-hid5-cos', cos)]);
    const f6 = s.findings.find((f) => f.id === 'F6')!;
    expect(f6.verdict).toBe('inconclusive'); // the contract's verdict stays Welch's
    expect(f6.comparisons[0].se).toBeGreaterThan(4);
    expect(f6.comparisons[0].paired).toEqual({ n: 5, diff: 2.98, se: 0.066 });
    expect(whyText(f6, s)).toContain('Paired by seed (the same init and batches, 5 seeds) the difference is 3.0 ± 0.1, beyond 2 SE');
  });

  it('without a decisive pairing it names the family that varies most and the largest gap', () => {
    const t = why([...runsOf('rich-hid5', [60, 80, 70]), ...runsOf('rich-hid5-cos', [75, 62, 68])], 'F6');
    expect(t).toMatch(/^Too noisy to call equal: .* the SE of the difference is \d+\.\d points/);
    expect(t).not.toContain('Paired');
    expect(t).toMatch(/(gqa|sqa) varies most across seeds/);
  });

  it("quotes the finding's probe conditions, once they have 2 runs, instead of the family split", () => {
    const base = [...runsOf('rich-fkl', [60, 62, 61]), ...runsOf('rich-fkl-all', [80, 82, 81])];
    expect(why(base, 'F3')).toMatch(/^Reversed: .* The gap is largest on/);
    expect(why([...base, ...runsOf('rich-fkl-img', [78])], 'F3')).not.toContain('Probe'); // one run: no spread yet
    const t = why([...base, ...runsOf('rich-fkl-img', [78, 80]), ...runsOf('rich-fkl-prompt', [63, 61, 62])], 'F3');
    expect(t).toMatch(/^Reversed: /);
    expect(t).toContain('Probe (not decisive): CE + fKL, answer + image (online teacher) (data-rich) 79.0 ± 1.4 % (2 seeds); CE + fKL, answer + prompt (online teacher) (data-rich) 62.0 ± 1.0 % (3 seeds).');
  });
});

describe('verdictText', () => {
  const finding = (runs: StudyRun[], id: string) => study(runs).findings.find((f) => f.id === id)!;
  const tight = (x: number) => [x, x + 0.5, x - 0.5, x + 0.2, x - 0.2];

  it('an ordering claim: holds, or the opposite holds', () => {
    expect(verdictText(finding([...runsOf('rich-fkl', tight(60)), ...runsOf('rich-ce', tight(50))], 'F1'))).toMatch(/^Reproduces: the paper’s ordering holds/);
    expect(verdictText(finding([...runsOf('rich-fkl', tight(50)), ...runsOf('rich-ce', tight(60))], 'F1'))).toMatch(/^Reversed: the opposite holds/);
  });

  it('an equality claim: within 2 SE at a small SE, or the two differ', () => {
    const eq = finding([...runsOf('rich-hid5', tight(70)), ...runsOf('rich-hid5-cos', tight(70.3))], 'F6');
    expect(eq.verdict).toBe('reproduces');
    expect(verdictText(eq)).toMatch(/^Reproduces: the two are within 2 standard errors, with that SE at most 2 points/);
    const apart = finding([...runsOf('rich-hid5', tight(70)), ...runsOf('rich-hid5-cos', tight(60))], 'F6');
    expect(apart.verdict).toBe('reversed');
    expect(verdictText(apart)).toMatch(/^Reversed: the two differ by more than 2 standard errors where the paper finds them about equal/);
  });

  it('inconclusive, whatever the claim', () => {
    expect(verdictText(finding(runsOf('rich-hid5', [70]), 'F6'))).toMatch(/^Inconclusive/);
  });

  it('names whose claim it is: the paper’s, or the lab’s own for F12', () => {
    const f1 = finding([...runsOf('rich-fkl', tight(60)), ...runsOf('rich-ce', tight(50))], 'F1');
    expect(verdictText(f1)).toContain('the paper’s ordering');
    const f12 = finding([...runsOf('rich-fkl3-t4', tight(60)), ...runsOf('rich-fkl3-t1', tight(50))], 'F12');
    expect(f12.verdict).toBe('reproduces');
    expect(verdictText(f12)).toBe('Reproduces: the lab’s claimed ordering holds by more than 2 standard errors.');
    expect(verdictText(f12)).not.toContain('paper');
  });
});
