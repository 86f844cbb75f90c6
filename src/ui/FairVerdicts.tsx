// A finding's two verdicts from the fair study (issue 28): at the paper's settings and each objective at its best, each
// comparison as a 95 % interval bar on a shared axis of points (the TOST margin shaded), p after Holm, and the lesson.
import { CONDITIONS } from '../core/study/findings';
import type { FairComparison, FairFinding, FairStudyJson, FairVerdictSet } from '../core/study/fairStudy';
import { comparisonText, disagreement, fairVerdictText } from '../core/study/fairWords';

const AXIS = 30; // points each side of 0

/** A run id in words: a paper condition's label, or the tuned config it stands for. */
export function fairLabel(id: string): string {
  if (CONDITIONS[id]) return CONDITIONS[id].label.replace(' (data-rich)', '');
  const m = /^final-tune2?-(.+?)-(\d+)(-labeled)?$/.exec(id);
  if (m) return `${m[1]} best (#${m[2]}${m[3] ? ', labeled only' : ''})`;
  return id;
}

function CiBar({ c }: { c: FairComparison }) {
  const x = (v: number) => 50 + (Math.max(-AXIS, Math.min(AXIS, v)) / AXIS) * 50;
  const [lo, hi] = c.ci95;
  const ok = c.diff !== null && lo !== null && hi !== null;
  return (
    <svg
      className="fair-ci"
      width="100%"
      height="14"
      viewBox="0 0 100 14"
      preserveAspectRatio="none"
      role="img"
      aria-label={`difference ${c.diff ?? '—'} points, 95 % interval ${lo ?? '—'} to ${hi ?? '—'}`}
    >
      {c.margin !== undefined && (
        <rect
          x={x(-c.margin)}
          y={0}
          width={x(c.margin) - x(-c.margin)}
          height={14}
          fill="currentColor"
          opacity={0.12}
        />
      )}
      <line x1={50} x2={50} y1={0} y2={14} stroke="currentColor" opacity={0.5} vectorEffect="non-scaling-stroke" />
      {ok && (
        <line
          x1={x(lo!)}
          x2={x(hi!)}
          y1={7}
          y2={7}
          stroke="currentColor"
          strokeWidth={2}
          vectorEffect="non-scaling-stroke"
        />
      )}
      {ok && <circle cx={x(c.diff!)} cy={7} r={2.5} fill="currentColor" />}
    </svg>
  );
}

function VerdictBlock({ title, set, testid }: { title: string; set: FairVerdictSet; testid: string }) {
  const kinds = new Set(set.comparisons.map((c) => c.kind));
  return (
    <div className="fair-verdict" data-testid={testid} data-verdict={set.verdict}>
      <div>
        <strong>{title}</strong>: {fairVerdictText(set.verdict, kinds)}
      </div>
      {set.note && <div className="fair-note">{set.note}</div>}
      {set.comparisons.map((c) => (
        <div key={`${c.a}|${c.b}`} className="fair-cmp">
          <CiBar c={c} />
          <span>{comparisonText(c, fairLabel)}</span>
        </div>
      ))}
    </div>
  );
}

/** The two verdicts of one finding; the axis is −30 … +30 points of test exact match (first side minus second). */
export function FairVerdicts({ f, fair }: { f: FairFinding; fair: FairStudyJson }) {
  const lesson = disagreement(f);
  return (
    <div className="fair-verdicts">
      <div className="fair-head">
        {`Fair study, ${fair.pack} (test split, ${fair.steps} steps${fair.complete ? '' : `; in progress: ${fair.runs.test} of ${fair.runs.plannedTest.paper + fair.runs.plannedTest.best} test runs`}); bars: difference with its 95 % interval, −${AXIS} … +${AXIS} points`}
      </div>
      <VerdictBlock title="At the paper's settings" set={f.verdicts.paper} testid="verdict-paper" />
      <VerdictBlock title="Each at its best" set={f.verdicts.best} testid="verdict-best" />
      {lesson && <p className="fair-lesson">{lesson}</p>}
    </div>
  );
}
