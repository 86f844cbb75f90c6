// "What matters": one row per finding of the paper (src/core/study/findings.ts) with the paper's numbers and where each comes
// from (experiment, student, teacher, epochs, T), the lab's means ± std per pack from the shipped study JSON, the
// verdict in words, why (when it does not reproduce) and a race button.
import { CONDITIONS, FINDINGS, findingLanes, provenanceText, textvqaText, TRAINER_T } from '../core/study/findings';
import { verdictText, whyText } from '../core/study/findingWhy';
import type { StudyFinding, StudyJson } from '../core/study/study';
import type { Verdict } from '../core/study/stats';
import type { FairStudyJson } from '../core/study/fairStudy';
import type { LanePatch } from '../core/race/lanes';
import { GLOSSARY } from '../core/study/fairWords';
import { FairVerdicts } from './FairVerdicts';

export interface FindingsPanelProps {
  study: StudyJson | null; // the loaded pack's first study (its numbers, why lines and chart)
  onRace: (lanes: LanePatch[]) => void;
  others?: StudyJson[]; // other packs' studies, drawn beside in the chart
  fair?: FairStudyJson | null; // the loaded pack's fair study: both verdicts, and data-verdict (DESIGN §6c)
}

const f1 = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(1));
const PACK_COLOURS = ['#4e79a7', '#f28e2b', '#59a14f'];
const CONDITION_ORDER = Object.keys(CONDITIONS); // the findings table's own order: bases, then the knob's values

/** A condition's label for the chart: the data-rich base is the default and goes unsaid; at most 34 characters. */
function shortLabel(id: string): string {
  const full = (CONDITIONS[id]?.label ?? id)
    .replace(' (data-rich)', '')
    .replace(', all positions (online teacher)', ', all positions');
  return full.length > 34 ? `${full.slice(0, 33)}…` : full;
}

/** "5 seeds", "5–8 seeds" once extra seeds came in, or "partial: 22 of 81 runs" while the planned ones run. */
function seedsText(s: StudyJson): string {
  const n = Object.values(s.conditions).map((c) => c.runs.length);
  if (!s.complete) return `partial: ${n.reduce((a, b) => a + Math.min(b, s.seeds), 0)} of ${n.length * s.seeds} runs`;
  const lo = Math.min(...n);
  const hi = Math.max(...n);
  return lo === hi ? `${lo} seeds` : `${lo}–${hi} seeds`;
}

/** The decisive comparisons of a reproducing finding in one line: "a 69.1 ± 4.5 > b 55.0 ± 7.1 (+14.1 ± 3.7 SE)". */
function numbersLine(f: StudyFinding): string {
  return f.comparisons
    .map(
      (c) =>
        `${shortLabel(c.ids[0])} ${f1(c.means[0])} ± ${f1(c.stds[0])} ${c.kind === 'gt' ? '>' : '≈'} ${shortLabel(c.ids[1])} ${f1(c.means[1])} ± ${f1(c.stds[1])} (${c.diff !== null && c.diff >= 0 ? '+' : ''}${f1(c.diff)} ± ${f1(c.se)} SE)`,
    )
    .join('; ');
}

/** Means ± std of a finding's conditions, one bar per pack (0–100 %): HTML labels at the row's 12 px, SVG bars. */
const CHART_ROW = {
  display: 'grid',
  gridTemplateColumns: 'minmax(0, 13em) 1fr',
  alignItems: 'center',
  columnGap: 6,
  fontSize: 12,
} as const;
const CHART_LABEL = { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', textAlign: 'right' } as const;
function FindingChart({ ids, studies }: { ids: string[]; studies: StudyJson[] }) {
  const h = 8 * Math.max(1, studies.length) + 2;
  return (
    <div
      className="finding-chart"
      role="img"
      aria-label="the lab's val exact match per condition, mean ± std over seeds"
    >
      {ids.map((id) => (
        <div key={id} style={CHART_ROW}>
          <span style={CHART_LABEL} title={CONDITIONS[id]?.label ?? id}>
            {shortLabel(id)}
          </span>
          <svg width="100%" height={h} viewBox={`0 0 100 ${h}`} preserveAspectRatio="none" aria-hidden="true">
            {studies.map((s, k) => {
              const c = s.conditions[id];
              const m = c?.overall.mean;
              if (m === null || m === undefined) return null;
              const sd = c.overall.std ?? 0;
              const y = 1 + k * 8;
              const x = (v: number) => Math.max(0, Math.min(100, v));
              return (
                <g key={s.pack}>
                  <rect x={0} y={y} width={x(m)} height={6} fill={PACK_COLOURS[k % PACK_COLOURS.length]}>
                    <title>{`${s.pack}: ${f1(m)} ± ${f1(sd)} % (${c.runs.length} seeds)`}</title>
                  </rect>
                  <line
                    x1={x(m - sd)}
                    x2={x(m + sd)}
                    y1={y + 3}
                    y2={y + 3}
                    stroke="currentColor"
                    strokeWidth="1"
                    vectorEffect="non-scaling-stroke"
                  />
                </g>
              );
            })}
          </svg>
        </div>
      ))}
      <div style={CHART_ROW} aria-hidden="true">
        <span />
        <span style={{ display: 'flex', justifyContent: 'space-between' }}>
          <span>0 %</span>
          <span>50 %</span>
          <span>100 %</span>
        </span>
      </div>
    </div>
  );
}

/** The paper's side of a finding in plain words: its setting, each number with its source, and a claim the sources
 *  hold no number for. */
function PaperSideView({ f }: { f: (typeof FINDINGS)[number] }) {
  const p = f.paper;
  return (
    <div className="finding-paper">
      <div>{`${f.id === 'F12' ? 'Not from the paper' : 'Paper'}: ${p.note}`}</div>
      {p.values.length > 0 && (
        <ul className="finding-paper-values" style={{ margin: '2px 0', paddingLeft: 16 }}>
          {p.values.map((v) => (
            <li key={v.label} data-exp={v.exp}>
              <strong>{`${v.label}: TextVQA ${textvqaText(v.textvqa)}`}</strong>
              {` — ${provenanceText(v)}`}
            </li>
          ))}
        </ul>
      )}
      {!p.inSources && p.claimSource && <div className="finding-not-in-sources">{p.claimSource}</div>}
    </div>
  );
}

function Row({
  f,
  study,
  studies,
  fair,
  onRace,
}: {
  f: (typeof FINDINGS)[number];
  study: StudyJson | null;
  studies: StudyJson[];
  fair: FairStudyJson | null;
  onRace: (l: LanePatch[]) => void;
}) {
  const sf: StudyFinding | undefined = study?.findings.find((x) => x.id === f.id);
  const ff = fair?.findings.find((x) => x.id === f.id);
  // the row's verdict (DESIGN §6c): the fair study's at the paper's settings; the first study's without a fair study
  const verdict: Verdict | 'differs' = ff ? ff.verdicts.paper.verdict : (sf?.verdict ?? 'inconclusive');
  const why = sf && study ? whyText(sf, study) : null;
  const ids = [...(sf?.conditions ?? [])].sort((a, b) => CONDITION_ORDER.indexOf(a) - CONDITION_ORDER.indexOf(b)); // T 0.1 before 0.25 …
  return (
    <li
      className="finding-row"
      data-testid="finding-row"
      data-finding={f.id}
      data-verdict={verdict}
      data-verdict-paper={ff?.verdicts.paper.verdict}
      data-verdict-best={ff?.verdicts.best.verdict}
    >
      <div className="finding-head">
        <strong>{f.id}</strong> {f.claim}
      </div>
      <PaperSideView f={f} />
      {studies.length > 0 && <FindingChart ids={ids} studies={studies} />}
      {ff && fair && <FairVerdicts f={ff} fair={fair} />}
      <div className="finding-verdict">
        {fair ? 'First study (3,000 steps, val, paper settings only): ' : ''}
        {study ? `${study.pack}: ` : 'No study for this pack. '}
        {sf ? verdictText(sf) : study ? 'Not measured yet.' : ''}
        {sf?.labeled ? ` Labeled-only base: ${sf.labeled.verdict}.` : ''}
      </div>
      {why && <p className="finding-why">{why}</p>}
      {sf && !why && sf.verdict === 'reproduces' && <p className="finding-numbers">{numbersLine(sf)}</p>}
      <button type="button" data-testid="finding-race" onClick={() => onRace(findingLanes(f))}>
        Race these conditions
      </button>
    </li>
  );
}

export function FindingsPanel({ study, onRace, others = [], fair = null }: FindingsPanelProps) {
  const studies = [study, ...others].filter((s): s is StudyJson => s !== null);
  return (
    <section
      className="card findings"
      data-testid="findings"
      aria-label="What matters: the paper's findings measured here"
    >
      <header>
        <h2>What matters</h2>
        {study && (
          <span>
            {study.pack}: {study.steps} steps, {study.seeds} seeds planned{study.complete ? '' : ' — partial study'}
          </span>
        )}
        {studies.length > 0 && (
          <span className="finding-legend" aria-label="bar colours">
            {studies.map((s, k) => (
              <span key={s.pack}>
                <i style={{ background: PACK_COLOURS[k % PACK_COLOURS.length] }} /> {s.pack} ({seedsText(s)})
              </span>
            ))}
            <span>mean ± std over seeds, val exact match</span>
          </span>
        )}
      </header>
      <p className="finding-paper">
        Paper numbers are TextVQA accuracy from the authors’ notes in their code repository (xushilin1/LLaVADI), each
        with its experiment, student, teacher, epochs and temperature; where the notes say nothing, the row says so.{' '}
        {TRAINER_T}
      </p>
      <details className="finding-glossary">
        <summary>Words used here</summary>
        <dl>
          {Object.entries(GLOSSARY).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      </details>
      <ol className="finding-list">
        {FINDINGS.map((f) => (
          <Row key={f.id} f={f} study={study} studies={studies} fair={fair} onRace={onRace} />
        ))}
      </ol>
    </section>
  );
}
