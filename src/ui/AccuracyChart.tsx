// Accuracy chart (recharts): one lane — val exact match per question family over steps; a race — one line per lane
// (overall or a chosen family) in its colour; the teacher's accuracy as a reference line, overlaid kept runs too.
// Behind each lane whose config the fair study ran, its study band (issue 29): the seeds' mean and 95 % interval, a
// replay of them, and the step where two lanes separate.
// A pack with ambiguous labels (DESIGN §4c) adds the Bayes ceiling (dotted) and a switch to plot agreement with the
// Bayes answers instead of exact match with the sampled labels.
import { selectEvals } from '../store/selectors';
import { useMemo, useState } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { schemeTableau10 } from 'd3-scale-chromatic';
import { useLab } from '../store';
import type { EvalRow } from '../store/series';
import type { PackInfo } from '../worker/protocol';
import { useLaneBands } from './bandsData';
import { ReplayButton } from './BandReplay';
import { usePalette } from './palette';
import { ReplayCursor, SeparationMark, StudyBandsLayer } from './StudyBandLayer';
import { useSeparation } from './useSeparation';
import { useThrottledVersion } from './useThrottledVersion';

/** What the lines measure: exact match with the sampled labels, or agreement with the pack's Bayes answers. */
export type AccuracyReference = 'labels' | 'bayes';

/**
 * The Bayes ceiling of `family` in percent (the best exact match with the sampled labels any model can reach on val),
 * or null when the pack has none. 'overall': the families' ceilings weighted by their share of the fixed val subset
 * (the plain mean of the families' ceilings when the subset's counts are unknown).
 */
export function bayesCeiling(
  pack: Pick<PackInfo, 'families' | 'bayesAccuracy' | 'evalFamilyCounts'> | null,
  family: string,
): number | null {
  const acc = pack?.bayesAccuracy;
  if (!acc) return null;
  if (family !== 'overall') return Number.isFinite(acc[family]) ? acc[family] : null;
  const fams = pack.families.filter((f) => Number.isFinite(acc[f]));
  if (!fams.length) return null;
  const counts = pack.evalFamilyCounts;
  const w = fams.map((f) => counts?.[pack.families.indexOf(f)] ?? 0);
  const total = w.reduce((a, b) => a + b, 0);
  if (total > 0) return fams.reduce((a, f, i) => a + w[i] * acc[f], 0) / total;
  return fams.reduce((a, f) => a + acc[f], 0) / fams.length;
}

/** How the overall ceiling was formed (the dotted line's title). */
export function ceilingTitle(pack: Pick<PackInfo, 'evalFamilyCounts' | 'evalSamples' | 'annotator'>): string {
  const weighted = (pack.evalFamilyCounts ?? []).some((n) => n > 0);
  return (
    "Bayes ceiling: the best exact match with the sampled labels any model can reach (the pack's bayesAccuracy per family on val); " +
    (weighted
      ? `overall = the families' ceilings weighted by their share of the ${pack.evalSamples} fixed val samples`
      : "overall = the mean of the families' ceilings") +
    (pack.annotator ? `. Labels: ${pack.annotator}` : '')
  );
}

/** One evaluation's overall and per-family value against the chosen reference (null: not measured / not finite). */
export function evalValues(
  e: EvalRow,
  reference: AccuracyReference,
): { overall: number | null; perFamily: (number | null)[] } {
  const fin = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null);
  if (reference === 'bayes')
    return { overall: fin(e.bayesOverall), perFamily: Array.from(e.bayesPerFamily ?? [], (x) => fin(x)) };
  return { overall: fin(e.overall), perFamily: Array.from(e.perFamily, (x) => fin(x)) };
}

export function AccuracyChart() {
  const version = useThrottledVersion(500);
  const pack = useLab((s) => s.pack);
  const families = pack?.families ?? [];
  const pal = usePalette();
  const overlayIds = useLab((s) => s.settings.overlay);
  const kept = useLab((s) => s.runs);
  const nLanes = useLab((s) => s.lanes.length);
  const race = nLanes > 1;
  const [shownFam, setShownFam] = useState<string>('overall'); // what a race plots per lane
  const [refChoice, setReference] = useState<AccuracyReference>('labels');
  const hasBayes = pack?.hasBayesAnswers === true;
  const reference: AccuracyReference = hasBayes ? refChoice : 'labels';
  const famIdx = families.indexOf(shownFam);
  const laneLines = useMemo(() => {
    if (!race) return [];
    return useLab.getState().lanes.map((l) => ({
      id: l.id,
      name: l.name,
      color: l.color,
      data: l.evals.map((e) => {
        const v = evalValues(e, reference);
        return { step: e.step, y: famIdx < 0 ? v.overall : (v.perFamily[famIdx] ?? null) };
      }),
    }));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, race, famIdx, nLanes, reference]);
  const overlays = useMemo(
    () =>
      kept
        .filter((r) => overlayIds.includes(r.id))
        .map((r, j) => ({
          id: r.id,
          name: `${r.name} overall`,
          color: schemeTableau10[(j + 4) % 10],
          data: r.evals.map((e) => ({ step: e.step, overall: Number.isFinite(e.overall) ? e.overall : null })),
        })),
    [kept, overlayIds],
  );
  const data = useMemo(() => {
    return selectEvals(useLab.getState()).map((e) => {
      const v = evalValues(e, reference);
      const row: Record<string, number | null> = { step: e.step, overall: v.overall };
      families.forEach((f, i) => (row[f] = v.perFamily[i] ?? null));
      return row;
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, pack, reference]);
  // The step-0 evaluation scores the untrained student (0 %): the readout says "—" until one after training began.
  const lastEval = useLab((s) => {
    const e = selectEvals(s).at(-1);
    return e && e.step > 0 ? e : null;
  });
  const last = lastEval && Number.isFinite(lastEval.overall) ? lastEval.overall : null;
  const lastBayes =
    lastEval?.bayesOverall !== undefined && Number.isFinite(lastEval.bayesOverall) ? lastEval.bayesOverall : null;
  const accs = Object.values(pack?.teacherAccuracy ?? {});
  const teacher = pack?.teacherOverall ?? (accs.length ? accs.reduce((a, b) => a + b, 0) / accs.length : null);
  // The ceilings bound exact match with the labels; against the Bayes answers the top is 100 %, so they are not drawn.
  const showCeiling = reference === 'labels';
  const ceiling = showCeiling ? bayesCeiling(pack, race ? shownFam : 'overall') : null;
  const famCeilings =
    showCeiling && !race
      ? families
          .map((f, i) => ({ f, i, y: bayesCeiling(pack, f) }))
          .filter((c): c is { f: string; i: number; y: number } => c.y != null)
      : [];
  const dotted = '1 4';
  // Study bands: overall exact match on the 250 fixed val samples, so drawn against the labels and for 'overall' only.
  const laneBands = useLaneBands();
  const bandsShown = reference === 'labels' && (!race || shownFam === 'overall');
  const withBand = bandsShown ? laneBands.filter((b) => b.band) : [];
  const without = laneBands.filter((b) => !b.band);
  const horizon = Math.max(0, ...withBand.map((b) => b.band?.steps ?? 0));
  const [liveOnly, setLiveOnly] = useState(false);
  const liveMax = Math.max(1, ...laneLines.map((l) => l.data.at(-1)?.step ?? 0), ...data.map((r) => r.step ?? 0));
  const xDomain: [number, number] | ['dataMin', 'dataMax'] = withBand.length
    ? [0, liveOnly ? Math.max(liveMax, 100) : Math.max(liveMax, horizon)]
    : ['dataMin', 'dataMax'];
  const sep = useSeparation();
  const laneNames = laneBands.map((b) => b.name);
  return (
    <section className="card" data-testid="accuracy-chart">
      <header>
        <h2>Val accuracy</h2>
        <span>
          student{' '}
          <b
            title={
              last == null
                ? 'not evaluated since training began (the next evaluation fills it)'
                : `at step ${lastEval?.step}`
            }
            data-testid="val-accuracy"
          >
            {last == null ? '—' : `${last.toFixed(1)}%`}
          </b>
          {teacher != null && reference === 'labels' ? ` · teacher ${teacher.toFixed(1)}%` : ''} · exact match on{' '}
          {pack?.evalSamples ?? 0} val samples
          {hasBayes ? (
            <>
              {' · agrees with Bayes '}
              <b data-testid="bayes-agreement">{lastBayes == null ? '—' : `${lastBayes.toFixed(1)}%`}</b>
            </>
          ) : null}
          {ceiling != null && pack ? (
            <span data-testid="bayes-ceiling" data-ceiling={ceiling.toFixed(1)} title={ceilingTitle(pack)}>
              {' · '}
              <span
                aria-hidden="true"
                style={{
                  borderTop: `2px dotted ${pal.fg}`,
                  display: 'inline-block',
                  width: 16,
                  verticalAlign: 'middle',
                }}
              />{' '}
              Bayes ceiling {ceiling.toFixed(1)}%
            </span>
          ) : null}
        </span>
        {hasBayes ? (
          <label title="vs labels: exact match with each sample's drawn label (bounded by the Bayes ceiling). agrees with Bayes: how often the student's answer is the most probable answer under the generator's distribution (same answers, second reference; 100 % is the top)">
            lines{' '}
            <select
              data-testid="accuracy-reference"
              value={reference}
              onChange={(e) => setReference(e.target.value as AccuracyReference)}
            >
              <option value="labels">vs labels</option>
              <option value="bayes">agrees with Bayes</option>
            </select>
          </label>
        ) : null}
        {race ? (
          <label>
            per lane{' '}
            <select data-testid="acc-family" value={shownFam} onChange={(e) => setShownFam(e.target.value)}>
              <option value="overall">overall</option>
              {families.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </header>
      {laneBands.length ? (
        <p className="hint band-note" data-testid="band-note">
          {withBand.length ? (
            <>
              Dashed lines and shading: the fair study's runs of the same config (mean and 95 % interval of its seeds,
              val exact match on 250 fixed val samples; a lane matches a study run's config apart from the seed and the
              schedule's length — the study's runs last {horizon.toLocaleString('en-US')} steps).{' '}
              <ReplayButton total={horizon} />{' '}
              <label>
                <input
                  type="checkbox"
                  data-testid="band-live-only"
                  checked={liveOnly}
                  onChange={(e) => setLiveOnly(e.target.checked)}
                />{' '}
                live steps only
              </label>{' '}
            </>
          ) : null}
          {!bandsShown && laneBands.some((b) => b.band)
            ? 'Study bands are drawn for overall exact match against the labels only. '
            : null}
          {without.map((b) => (
            <span key={b.lane} data-testid="band-missing" data-lane={b.lane}>
              <span className="swatch" style={{ background: b.color }} aria-hidden="true" /> {b.name}: no study run with
              this lane's config.{' '}
            </span>
          ))}
        </p>
      ) : null}
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke={pal.grid} />
          <XAxis
            dataKey="step"
            type="number"
            domain={xDomain}
            allowDataOverflow
            stroke={pal.muted}
            height={38}
            label={{
              value: 'training step',
              position: 'insideBottom',
              offset: 2,
              fill: pal.muted,
              style: { fontSize: 12 },
            }}
          />
          <YAxis
            domain={[0, 100]}
            width={56}
            stroke={pal.muted}
            label={{
              value: reference === 'bayes' ? 'agrees with Bayes (%)' : 'val exact match (%)',
              angle: -90,
              position: 'insideLeft',
              offset: 10,
              fill: pal.muted,
              style: { fontSize: 12, textAnchor: 'middle' },
            }}
          />
          <Tooltip
            formatter={(v) => (typeof v === 'number' ? `${v.toFixed(1)}%` : String(v))}
            contentStyle={{ background: pal.bg, color: pal.fg }}
          />
          <Legend />
          {teacher != null && reference === 'labels' ? (
            <ReferenceLine
              y={teacher}
              stroke={pal.muted}
              strokeDasharray="6 3"
              label={{ value: 'teacher', position: 'insideTopRight', fill: pal.fg }}
            />
          ) : null}
          {famCeilings.map((c) => (
            <ReferenceLine
              key={`ceil-${c.f}`}
              y={c.y}
              className="bayes-ceiling"
              stroke={schemeTableau10[c.i % 10]}
              strokeDasharray={dotted}
            />
          ))}
          {ceiling != null ? (
            <ReferenceLine
              y={ceiling}
              className="bayes-ceiling"
              stroke={pal.fg}
              strokeWidth={1.5}
              strokeDasharray={dotted}
              label={{ value: 'Bayes ceiling', position: 'insideBottomRight', fill: pal.fg }}
            />
          ) : null}
          {withBand.length ? <StudyBandsLayer bands={withBand} /> : null}
          {withBand.length ? <ReplayCursor color={pal.fg} /> : null}
          {sep ? <SeparationMark sep={sep} names={laneNames} color={pal.fg} /> : null}
          {(reference === 'labels' ? overlays : []).map((o) => (
            <Line
              key={o.id}
              data={o.data}
              dataKey="overall"
              name={o.name}
              stroke={o.color}
              strokeDasharray="2 2"
              isAnimationActive={false}
              dot={false}
              connectNulls
            />
          ))}
          {laneLines.map((l) => (
            <Line
              key={`lane-${l.id}`}
              data={l.data}
              dataKey="y"
              name={`${l.name} ${shownFam}${reference === 'bayes' ? ' (agrees with Bayes)' : ''}`}
              stroke={l.color}
              strokeWidth={2}
              isAnimationActive={false}
              dot={false}
              connectNulls
            />
          ))}
          {race ? null : (
            <Line
              dataKey="overall"
              name={reference === 'bayes' ? 'overall (agrees with Bayes)' : 'overall'}
              stroke={pal.total}
              strokeWidth={2}
              isAnimationActive={false}
              dot={false}
            />
          )}
          {(race ? [] : families).map((f, i) => (
            <Line
              key={f}
              dataKey={f}
              stroke={schemeTableau10[i % 10]}
              isAnimationActive={false}
              dot={false}
              connectNulls
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </section>
  );
}
