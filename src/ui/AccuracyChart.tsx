// Accuracy chart (recharts): one lane — val exact match per question family over steps; a race — one line per lane
// (overall or a chosen family) in its colour; the teacher's accuracy as a reference line, overlaid kept runs too.
import { useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { schemeTableau10 } from 'd3-scale-chromatic';
import { useLab } from '../store';
import { usePalette } from './palette';
import { useThrottledVersion } from './useThrottledVersion';

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
  const famIdx = families.indexOf(shownFam);
  const laneLines = useMemo(() => {
    if (!race) return [];
    const fin = (x: number) => (Number.isFinite(x) ? x : null);
    return useLab.getState().lanes.map((l) => ({
      id: l.id,
      name: l.name,
      color: l.color,
      data: l.evals.map((e) => ({ step: e.step, y: fin(famIdx < 0 ? e.overall : e.perFamily[famIdx]) })),
    }));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, race, famIdx, nLanes]);
  const overlays = useMemo(
    () =>
      kept
        .filter((r) => overlayIds.includes(r.id))
        .map((r, j) => ({ id: r.id, name: `${r.name} overall`, color: schemeTableau10[(j + 4) % 10], data: r.evals.map((e) => ({ step: e.step, overall: Number.isFinite(e.overall) ? e.overall : null })) })),
    [kept, overlayIds],
  );
  const data = useMemo(() => {
    const { evals } = useLab.getState();
    return evals.map((e) => {
      const row: Record<string, number | null> = { step: e.step, overall: Number.isFinite(e.overall) ? e.overall : null };
      families.forEach((f, i) => (row[f] = Number.isFinite(e.perFamily[i]) ? e.perFamily[i] : null));
      return row;
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, pack]);
  const last = data.length ? data[data.length - 1].overall : null;
  const accs = Object.values(pack?.teacherAccuracy ?? {});
  const teacher = pack?.teacherOverall ?? (accs.length ? accs.reduce((a, b) => a + b, 0) / accs.length : null);
  return (
    <section className="card" data-testid="accuracy-chart">
      <header>
        <h2>Val accuracy</h2>
        <span>
          student <b data-testid="val-accuracy">{last == null ? '–' : `${last.toFixed(1)}%`}</b>
          {teacher != null ? ` · teacher ${teacher.toFixed(1)}%` : ''} · exact match on {pack?.evalSamples ?? 0} val samples
        </span>
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
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke={pal.grid} />
          <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} stroke={pal.muted} />
          <YAxis domain={[0, 100]} width={40} stroke={pal.muted} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? `${v.toFixed(1)}%` : String(v))} contentStyle={{ background: pal.bg, color: pal.fg }} />
          <Legend />
          {teacher != null ? <ReferenceLine y={teacher} stroke={pal.muted} strokeDasharray="6 3" label={{ value: 'teacher', position: 'insideTopRight', fill: pal.fg }} /> : null}
          {overlays.map((o) => (
            <Line key={o.id} data={o.data} dataKey="overall" name={o.name} stroke={o.color} strokeDasharray="2 2" isAnimationActive={false} dot={false} connectNulls />
          ))}
          {laneLines.map((l) => (
            <Line key={`lane-${l.id}`} data={l.data} dataKey="y" name={`${l.name} ${shownFam}`} stroke={l.color} strokeWidth={2} isAnimationActive={false} dot={false} connectNulls />
          ))}
          {race ? null : <Line dataKey="overall" stroke={pal.total} strokeWidth={2} isAnimationActive={false} dot={false} />}
          {(race ? [] : families).map((f, i) => (
            <Line key={f} dataKey={f} stroke={schemeTableau10[i % 10]} isAnimationActive={false} dot={false} connectNulls />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </section>
  );
}
