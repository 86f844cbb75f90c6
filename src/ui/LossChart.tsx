// Loss chart (recharts): the total and each term, train (smoothed with TensorBoard's EMA) and val, optional log
// scale. Recomputed from a throttled snapshot of the typed series, at most a few times a second.
import { useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useLab } from '../store';
import { sampleIndices, tbSmooth, type ValueName } from '../store/series';
import { useThrottledVersion } from './useThrottledVersion';

const TERMS: { key: ValueName; color: string }[] = [
  { key: 'total', color: '#222' },
  { key: 'ce', color: '#1f77b4' },
  { key: 'seq', color: '#9467bd' },
  { key: 'kd', color: '#d62728' },
  { key: 'hidden', color: '#2ca02c' },
  { key: 'affinity', color: '#ff7f0e' },
  { key: 'attention', color: '#8c564b' },
];
const MAX_POINTS = 400;

export function LossChart() {
  const version = useThrottledVersion(250);
  const [smooth, setSmooth] = useState(0.6);
  const [log, setLog] = useState(false);
  const [shown, setShown] = useState<Record<string, boolean>>({ total: true, ce: true, kd: true, hidden: true, seq: false, affinity: false, attention: false });
  const { train, val } = useMemo(() => {
    const { series, evals } = useLab.getState();
    const idx = sampleIndices(series.n, MAX_POINTS);
    const cols = Object.fromEntries(TERMS.map((t) => [t.key, tbSmooth(series.column(t.key), smooth)]));
    const pos = (y: number) => (Number.isFinite(y) && (!log || y > 0) ? y : null);
    const train = idx.map((i) => {
      const row: Record<string, number | null> = { step: series.step[i] + 1 };
      for (const t of TERMS) row[t.key] = pos(cols[t.key][i]);
      return row;
    });
    const val = evals.map((e) => ({ step: e.step, valTotal: pos(e.valLoss[0]), valCe: pos(e.valLoss[1]), valKd: pos(e.valLoss[2]) }));
    return { train, val };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, smooth, log]);
  return (
    <section className="card" data-testid="loss-chart">
      <header>
        <h2>Loss</h2>
        <label title="TensorBoard's debiased EMA: last = w·last + (1−w)·y, shown as last / (1 − w^k)">
          smoothing {smooth.toFixed(2)} <input type="range" min={0} max={0.99} step={0.01} value={smooth} onChange={(e) => setSmooth(Number(e.target.value))} />
        </label>
        <label>
          <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> log scale
        </label>
        {TERMS.map((t) => (
          <label key={t.key} style={{ color: t.color }}>
            <input type="checkbox" checked={shown[t.key]} onChange={(e) => setShown({ ...shown, [t.key]: e.target.checked })} />
            {t.key}
          </label>
        ))}
      </header>
      <ResponsiveContainer width="100%" height={260}>
        <LineChart margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDuplicatedCategory={false} />
          <YAxis scale={log ? 'log' : 'linear'} domain={['auto', 'auto']} allowDataOverflow width={56} tickFormatter={(v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(2))} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} />
          <Legend />
          {TERMS.filter((t) => shown[t.key]).map((t) => (
            <Line key={t.key} data={train} dataKey={t.key} name={`train ${t.key}`} stroke={t.color} dot={false} isAnimationActive={false} connectNulls strokeWidth={t.key === 'total' ? 2 : 1.2} />
          ))}
          {shown.total ? <Line data={val} dataKey="valTotal" name="val total" stroke="#222" strokeDasharray="5 4" isAnimationActive={false} dot={{ r: 2 }} /> : null}
          {shown.ce ? <Line data={val} dataKey="valCe" name="val ce" stroke="#1f77b4" strokeDasharray="5 4" isAnimationActive={false} dot={{ r: 2 }} /> : null}
          {shown.kd ? <Line data={val} dataKey="valKd" name="val kd" stroke="#d62728" strokeDasharray="5 4" isAnimationActive={false} dot={{ r: 2 }} /> : null}
        </LineChart>
      </ResponsiveContainer>
    </section>
  );
}
