// The lesson's "paper beside the lab": a finding's paper numbers (core/findings paperText) next to the lab's verdicts
// on the loaded pack — the full study's (study/<pack>.json) and the fair study's two (paper settings, each at its best).
import { findingById, paperText } from '../core/study/findings';
import type { FairStudyJson } from '../core/study/fairStudy';
import type { StudyJson } from '../core/study/study';
import { fairFor, studyFor } from './studyData';

const fmt = (x: number | null | undefined) => (x == null ? '—' : x.toFixed(1));

/** The lab's verdicts of a finding on a pack, as short phrases (no study for the pack: said so). */
export function labVerdicts(findingId: string, pack: string): { study: string; fair: string } {
  return { study: studyPhrase(studyFor(pack), findingId, pack), fair: fairPhrase(fairFor(pack), findingId) };
}

function studyPhrase(study: StudyJson | null, findingId: string, pack: string): string {
  const f = study?.findings.find((x) => x.id === findingId);
  if (!study || !f) return `no study of the ${pack} pack`;
  const means = f.comparisons
    .map((c) => {
      const [a, b] = c.ids.map((id) => study.conditions[id]?.label ?? id);
      return `${a} ${fmt(c.means[0])} vs ${b} ${fmt(c.means[1])} %`;
    })
    .join('; ');
  return `${f.verdict} (${means}; ${study.steps.toLocaleString('en-US')} steps, mean of ${f.comparisons[0]?.n?.[0] ?? study.seeds} seeds)`;
}

function fairPhrase(fair: FairStudyJson | null, findingId: string): string {
  const f = fair?.findings.find((x) => x.id === findingId);
  if (!fair || !f) return 'not run on this pack';
  const measured = [...f.verdicts.paper.comparisons, ...f.verdicts.best.comparisons].some(
    (c) => (c.n?.[0] ?? 0) > 0 && (c.n?.[1] ?? 0) > 0,
  );
  if (!measured) return 'no test runs yet';
  return `${f.verdicts.paper.verdict} at the paper’s settings, ${f.verdicts.best.verdict} each at its best`;
}

/** One finding: the claim, the paper's numbers and the lab's verdicts. */
export function LessonVerdict({ findingId, pack }: { findingId: string; pack: string }) {
  const f = findingById(findingId);
  if (!f) return null;
  const v = labVerdicts(findingId, pack);
  return (
    <div className="lesson-verdict" data-testid="lesson-verdict" data-finding={findingId}>
      <div>
        <b>{f.id}</b> {f.claim}
      </div>
      <div>
        Paper: {f.paper.values.map((x) => `${x.label} ${paperText(x)}`).join(' · ') || 'no number in the sources'}
      </div>
      <div>
        Lab ({pack}): {v.study} · fair study: {v.fair}
      </div>
    </div>
  );
}

/** The lesson's closing table: each step's finding, the paper's numbers beside the lab's verdicts. */
export function LessonSummary({ findingIds, pack }: { findingIds: string[]; pack: string }) {
  const rows = findingIds.map((id) => ({ f: findingById(id), v: labVerdicts(id, pack) })).filter((r) => r.f);
  if (!rows.length) return null;
  return (
    <table className="lesson-summary" data-testid="lesson-summary">
      <caption>The paper beside the lab ({pack})</caption>
      <thead>
        <tr>
          <th scope="col">Finding</th>
          <th scope="col">Paper (TextVQA)</th>
          <th scope="col">Lab study</th>
          <th scope="col">Fair study</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ f, v }) => (
          <tr key={f!.id} data-finding={f!.id}>
            <th scope="row">
              {f!.id} {f!.claim}
            </th>
            <td>{f!.paper.values.map((x) => `${x.label} ${x.textvqa}`).join(' · ') || '—'}</td>
            <td>{v.study.split(' (')[0]}</td>
            <td>{v.fair}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
