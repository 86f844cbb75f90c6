// The shipped study results as Vite JSON imports, by pack name, for the "What matters" panel: the first study
// (study/<pack>.json, read in its own view: each finding's first-study verdict) and the fair one (study/fair-<pack>.json).
import digits from '../../study/digits.json';
import shapes from '../../study/shapes.json';
import type { StudyJson } from '../core/study/study';
import { type FairStudyJson, firstStudyView } from '../core/study/fairStudy';
import fairDigits from '../../study/fair-digits.json';
import fairHues from '../../study/fair-hues.json';
import fairShapes from '../../study/fair-shapes.json';

export const STUDIES: Record<string, StudyJson> = {
  shapes: firstStudyView(shapes as unknown as StudyJson),
  digits: firstStudyView(digits as unknown as StudyJson),
};

/** The study of a pack, or null for a pack the study has not measured (a user's own pack). */
export function studyFor(pack: string | null | undefined): StudyJson | null {
  return (pack && STUDIES[pack]) || null;
}

/** The fair study of a pack (study/fair-<pack>.json, issue 28: both verdicts on test; partial while it runs). */
export const FAIR_STUDIES: Record<string, FairStudyJson> = {
  shapes: fairShapes as unknown as FairStudyJson,
  hues: fairHues as unknown as FairStudyJson,
  digits: fairDigits as unknown as FairStudyJson,
};

export function fairFor(pack: string | null | undefined): FairStudyJson | null {
  return (pack && FAIR_STUDIES[pack]) || null;
}
