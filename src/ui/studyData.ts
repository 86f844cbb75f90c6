// The shipped full-study results (study/<pack>.json, partial until the study finishes) as Vite JSON imports, by pack
// name, for the "What matters" panel.
import digits from '../../study/digits.json';
import shapes from '../../study/shapes.json';
import type { StudyJson } from '../core/study';

export const STUDIES: Record<string, StudyJson> = {
  shapes: shapes as unknown as StudyJson,
  digits: digits as unknown as StudyJson,
};

/** The study of a pack, or null for a pack the study has not measured (a user's own pack). */
export function studyFor(pack: string | null | undefined): StudyJson | null {
  return (pack && STUDIES[pack]) || null;
}
