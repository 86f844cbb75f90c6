// The committed study results rebuilt from their run files: each study/<pack>.json's verdicts and condition means
// must follow from study/runs/<pack>/*.json through the same reader (readRuns) and builder (studyJson) the study uses.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { type FairStudyJson, firstStudyView, withFairVerdicts } from '../../src/core/study/fairStudy';
import { type StudyJson, studyJson } from '../../src/core/study/study';
import { readRuns } from './fullStudy';

/** study/<pack>.json files of the full study (issue 15): a pack name, conditions and findings; not fair-*, quick-*, curve-*. */
const files = readdirSync('study')
  .filter((f) => /^[a-z]+\.json$/.test(f))
  .map((f) => JSON.parse(readFileSync(`study/${f}`, 'utf8')) as StudyJson & { design?: string })
  .filter((j) => !j.design && Array.isArray(j.findings) && j.conditions);
/** Each file in the first study's own view (its verdicts; the fair study's ride along since DESIGN §6c). */
const packs = files.map((j) => firstStudyView(j));

describe('study/<pack>.json rebuilt from study/runs/<pack>/', () => {
  it('finds the full study files', () => {
    expect(packs.map((j) => j.pack).sort()).toEqual(expect.arrayContaining(['digits', 'shapes']));
  });

  for (const j of packs) {
    describe(`${j.pack} (${j.steps} steps)`, () => {
      // Only runs of this JSON's step budget and of a study condition count (readRuns filters both).
      const runs = readRuns(j.pack, j.steps);
      const re = studyJson({
        pack: j.pack,
        steps: j.steps,
        backend: j.backend,
        seeds: j.seeds,
        families: j.families,
        runs,
      });

      it('has the same conditions, with the same seeds and each condition the same mean', () => {
        expect(Object.keys(re.conditions).sort()).toEqual(Object.keys(j.conditions).sort());
        for (const [id, c] of Object.entries(j.conditions)) {
          const r = re.conditions[id];
          expect(
            r.runs.map((x) => x.seed),
            `${id} seeds`,
          ).toEqual(c.runs.map((x) => x.seed));
          expect(r.overall.mean, `${id} mean`).toBe(c.overall.mean);
          expect(r.overall.std, `${id} std`).toBe(c.overall.std);
        }
        expect(re.complete).toBe(j.complete);
        expect(runs.length, 'run files counted').toBe(
          Object.values(j.conditions).reduce((n, c) => n + c.runs.length, 0),
        );
      });

      it('is, whole, the rebuilt first study with the verdicts of study/fair-<pack>.json', () => {
        const file = files.find((x) => x.pack === j.pack)!;
        const fairFile = `study/fair-${j.pack}.json`;
        if (!existsSync(fairFile)) return expect(file).toEqual(re);
        const fair = JSON.parse(readFileSync(fairFile, 'utf8')) as FairStudyJson;
        expect(file).toEqual(JSON.parse(JSON.stringify(withFairVerdicts(re, fair))));
        for (const f of file.findings) expect(f.verdict).toBe(f.verdicts?.paper.verdict);
      });

      it('gives every finding the committed verdict (data-rich and labeled-only)', () => {
        expect(re.findings.map((f) => f.id)).toEqual(j.findings.map((f) => f.id));
        for (const f of j.findings) {
          const r = re.findings.find((x) => x.id === f.id)!;
          expect(r.verdict, `${f.id} verdict`).toBe(f.verdict);
          expect(r.labeled?.verdict, `${f.id} labeled verdict`).toBe(f.labeled?.verdict);
          expect(
            r.comparisons.map((c) => c.diff),
            `${f.id} differences`,
          ).toEqual(f.comparisons.map((c) => c.diff));
        }
      });
    });
  }
});
