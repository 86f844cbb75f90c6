// Loss chart (recharts): one lane — the total and each term, train (TensorBoard's EMA) and val; a race — one line per
// lane (the ground-truth CE by default — train and val, the one term every lane measures alike — or a chosen term) in
// its colour; kept runs ticked for overlay. LTTB keeps ≤ 1,000 points a line. A term at weight 0 (measured as a
// diagnostic) is drawn only with "show all terms"; CE is drawn last, on top.
import { selectConfig, selectEvals, selectSeries } from '../store/selectors';
import { schemeTableau10 } from 'd3-scale-chromatic';
import { useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useLab } from '../store';
import { TERM_NAMES, type TermName } from '../core/kd/terms';
import { lttbIndices } from '../core/race/lttb';
import { tbSmooth } from '../store/series';
import { usePalette } from './palette';
import { useThrottledVersion } from './useThrottledVersion';
import { useUi } from './uiPrefs';

type Plotted = 'total' | TermName;
const COLORS: Record<Plotted, string> = {
  total: 'var(--total)',
  ce: '#1f77b4',
  seq: '#9467bd',
  kd: '#d62728',
  hidden: '#2ca02c',
  affinity: '#ff7f0e',
  attention: '#8c564b',
};
const TERMS: { key: Plotted; color: string }[] = (['total', ...TERM_NAMES] as const).map((key) => ({
  key,
  color: COLORS[key],
}));
const SHOWN_AT_START: Record<Plotted, boolean> = {
  total: true,
  ce: true,
  kd: true,
  hidden: true,
  seq: true,
  affinity: true,
  attention: true,
};
/** Drawing order: later lines lie on top, so the total and CE (often equal, or close) come last, CE over the total. */
const DRAW_ORDER: Plotted[] = ['attention', 'affinity', 'hidden', 'seq', 'kd', 'total', 'ce'];
const AXIS_LABEL = { fontSize: 12 };
const MAX_POINTS = 1000;

/** Steps (1-based) of a series' rows. */
const stepsOf = (step: Int32Array, n: number) => Float64Array.from(step.subarray(0, n), (x) => x + 1);

/** The val curves a single lane draws (dashed), in drawing order: the term, its data key, legend name and colour
 *  (null: the palette's total colour). */
const VAL_LINES: readonly (readonly [Plotted, string, string, string | null])[] = [
  ['kd', 'valKd', 'val kd', '#d62728'],
  ['total', 'valTotal', 'val total', null],
  ['ce', 'valCe', 'val ce', '#1f77b4'],
];

export function LossChart() {
  const version = useThrottledVersion(250);
  const smooth = useLab((s) => s.settings.smoothing);
  const log = useLab((s) => s.settings.logScale);
  const setSmooth = (smoothing: number) => useLab.getState().setSettings({ smoothing });
  const setLog = (logScale: boolean) => useLab.getState().setSettings({ logScale });
  const overlayIds = useLab((s) => s.settings.overlay);
  const kept = useLab((s) => s.runs);
  // what the chart needs of the lanes as a string (a metrics delta makes a new lanes array, not a new chart):
  // each lane's run id and loss weights
  const laneKey = useLab((s) => JSON.stringify(s.lanes.map((l) => [l.live?.id ?? '', l.config.weights])));
  const laneLooks = useMemo(() => JSON.parse(laneKey) as [string, unknown][], [laneKey]);
  const liveIds = laneLooks.map(([id]) => id).join(',');
  const race = laneLooks.length > 1;
  const pal = usePalette();
  const [shown, setShown] = useState<Record<string, boolean>>(SHOWN_AT_START);
  // What a race plots per lane: CE by default (issue 29: a total whose terms differ between lanes reads as "KD is worse")
  const [term, setTerm] = useState<Plotted>('ce');
  const totalsDiffer = race && new Set(laneLooks.map(([, w]) => JSON.stringify(w))).size > 1;
  const weights = useLab((s) => selectConfig(s).weights);
  const showAll = useUi((s) => s.showAllTerms);
  /** Offered and drawn: the total, every term with a weight > 0, and the weight-0 ones only with "show all terms". */
  const active = (k: Plotted) => k === 'total' || showAll || weights[k] > 0;
  const drawn = (k: Plotted) => !race && active(k) && shown[k];
  const { train, val, overlays, laneLines, laneVal } = useMemo(() => {
    const st = useLab.getState();
    const [series, evals, lanes] = [selectSeries(st), selectEvals(st), st.lanes];
    const pos = (y: number) => (Number.isFinite(y) && (!log || y > 0) ? y : null);
    const cols = race ? {} : Object.fromEntries(TERMS.map((t) => [t.key, tbSmooth(series.column(t.key), smooth)]));
    const idx = race ? [] : lttbIndices(stepsOf(series.step, series.n), cols.total, MAX_POINTS);
    const train = idx.map((i) => {
      const row: Record<string, number | null> = { step: series.step[i] + 1 };
      for (const t of TERMS) row[t.key] = pos(cols[t.key][i]);
      return row;
    });
    const val = race
      ? []
      : evals.map((e) => ({
          step: e.step,
          valTotal: pos(e.valLoss[0]),
          valCe: pos(e.valLoss[1]),
          valKd: pos(e.valLoss[2]),
        }));
    const laneLines = race
      ? lanes.map((l) => {
          const ys = tbSmooth(l.series.column(term), smooth);
          const xs = stepsOf(l.series.step, l.series.n);
          return {
            id: l.id,
            name: l.name,
            color: l.color,
            data: lttbIndices(xs, ys, MAX_POINTS).map((i) => ({ step: xs[i], y: pos(ys[i]) })),
          };
        })
      : [];
    // the lanes' val losses at their evaluations (total, CE and KD are measured on val; the other terms are not)
    const vi = term === 'total' ? 0 : term === 'ce' ? 1 : term === 'kd' ? 2 : -1;
    const laneVal =
      race && vi >= 0
        ? lanes.map((l) => ({
            id: l.id,
            name: l.name,
            color: l.color,
            data: l.evals.filter((e) => e.step > 0).map((e) => ({ step: e.step, y: pos(e.valLoss[vi]) })),
          }))
        : [];
    const live = new Set(lanes.map((l) => l.live?.id));
    const overlays = kept
      .filter((r) => overlayIds.includes(r.id) && !live.has(r.id))
      .map((r, j) => {
        const ys = tbSmooth(r.metrics.values.total, smooth);
        const data = lttbIndices(r.metrics.step, ys, MAX_POINTS).map((i) => ({
          step: r.metrics.step[i],
          total: pos(ys[i]),
        }));
        return { id: r.id, name: `${r.name} total`, color: schemeTableau10[(j + 4) % 10], data };
      });
    return { train, val, overlays, laneLines, laneVal };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, smooth, log, overlayIds, kept, liveIds, race, term, laneLooks.length]);
  return (
    <section className="card" data-testid="loss-chart">
      <header>
        <h2>Loss</h2>
        <label title="TensorBoard's debiased EMA: last = w·last + (1−w)·y, shown as last / (1 − w^k)">
          smoothing {smooth.toFixed(2)}{' '}
          <input
            type="range"
            min={0}
            max={0.99}
            step={0.01}
            value={smooth}
            onChange={(e) => setSmooth(Number(e.target.value))}
          />
        </label>
        <label>
          <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> log scale
        </label>
        {race ? (
          <label>
            per lane{' '}
            <select data-testid="loss-term" value={term} onChange={(e) => setTerm(e.target.value as Plotted)}>
              {TERMS.map((t) => (
                <option key={t.key} value={t.key}>
                  {t.key === 'ce'
                    ? 'ce (ground truth: alike in every lane)'
                    : t.key === 'total' && totalsDiffer
                      ? 'total (its terms differ between lanes)'
                      : t.key}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <>
            {TERMS.filter((t) => active(t.key)).map((t) => (
              <label
                key={t.key}
                className={`term term-${t.key}`}
                title={
                  weights[t.key as TermName] === 0 ? 'weight 0: measured, trains nothing (a diagnostic)' : undefined
                }
              >
                <input
                  type="checkbox"
                  checked={shown[t.key]}
                  onChange={(e) => setShown({ ...shown, [t.key]: e.target.checked })}
                />
                {t.key}
                {t.key !== 'total' && weights[t.key] === 0 ? ' (w 0)' : ''}
              </label>
            ))}
            <label title="also draw the terms at weight 0: measured every step as diagnostics, they train nothing">
              <input
                type="checkbox"
                data-testid="show-all-terms"
                checked={showAll}
                onChange={(e) => useUi.getState().set({ showAllTerms: e.target.checked })}
              />{' '}
              show all terms
            </label>
          </>
        )}
        {race && term === 'total' && totalsDiffer ? (
          <span className="hint" data-testid="loss-total-warning">
            the lanes' totals add different terms: compare CE or the val accuracy
          </span>
        ) : null}
        <span className="hint units">
          CE, seqCE, KD: nats per answer token; hidden, affinity, attention: mean squared error
        </span>
      </header>
      <ResponsiveContainer width="100%" height={260}>
        <LineChart margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke={pal.grid} />
          <XAxis
            dataKey="step"
            type="number"
            domain={['dataMin', 'dataMax']}
            allowDuplicatedCategory={false}
            stroke={pal.muted}
            height={38}
            label={{ value: 'training step', position: 'insideBottom', offset: 2, fill: pal.muted, style: AXIS_LABEL }}
          />
          <YAxis
            stroke={pal.muted}
            label={{
              value: race && term === 'total' ? 'total loss (weighted sum)' : 'loss per answer token',
              angle: -90,
              position: 'insideLeft',
              offset: 10,
              fill: pal.muted,
              style: { ...AXIS_LABEL, textAnchor: 'middle' },
            }}
            scale={log ? 'log' : 'linear'}
            domain={['auto', 'auto']}
            allowDataOverflow
            width={72}
            tickFormatter={(v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(2))}
          />
          <Tooltip
            formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))}
            contentStyle={{ background: pal.bg, color: pal.fg }}
          />
          <Legend />
          {overlays.map((o) => (
            <Line
              key={o.id}
              data={o.data}
              dataKey="total"
              name={o.name}
              stroke={o.color}
              dot={false}
              isAnimationActive={false}
              connectNulls
              strokeWidth={1.5}
              strokeDasharray="2 2"
            />
          ))}
          {laneLines.map((l) => (
            <Line
              key={`lane-${l.id}`}
              data={l.data}
              dataKey="y"
              name={`${l.name} ${term}`}
              stroke={l.color}
              dot={false}
              isAnimationActive={false}
              connectNulls
              strokeWidth={2}
            />
          ))}
          {laneVal.map((l) => (
            <Line
              key={`lane-val-${l.id}`}
              data={l.data}
              dataKey="y"
              name={`${l.name} val ${term}`}
              stroke={l.color}
              strokeDasharray="5 4"
              dot={{ r: 2 }}
              isAnimationActive={false}
              connectNulls
              strokeWidth={1.5}
            />
          ))}
          {DRAW_ORDER.filter(drawn).map((k) => (
            <Line
              key={k}
              data={train}
              dataKey={k}
              name={`train ${k}`}
              stroke={k === 'total' ? pal.total : COLORS[k]}
              dot={false}
              isAnimationActive={false}
              connectNulls
              strokeWidth={k === 'total' ? 3 : k === 'ce' ? 1.6 : 1.2}
            />
          ))}
          {VAL_LINES.filter(([k]) => drawn(k)).map(([, dataKey, name, colour]) => (
            <Line
              key={dataKey}
              data={val}
              dataKey={dataKey}
              name={name}
              stroke={colour ?? pal.total}
              strokeDasharray="5 4"
              isAnimationActive={false}
              dot={{ r: 2 }}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </section>
  );
}
