// What the accuracy chart draws over its axes with recharts' scale hooks: each matching lane's study band (mean line
// and shaded 95 % interval in the lane's colour, behind the live lines), the replay cursor, and the separation mark.
import { useId } from 'react';
import { usePlotArea, useXAxisScale, useYAxisScale, ZIndexLayer } from 'recharts';
import type { Separation } from '../core/race/separation';
import { useReplay } from './BandReplay';
import type { LaneBand } from './bandsData';

type Pt = [number, number];
const clamp = (y: number) => Math.min(100, Math.max(0, y));

/** The band's rows up to `upTo` (the replay's cursor; the last segment interpolated), as [step, mean, lo, hi]. */
function revealed(
  rows: NonNullable<LaneBand['band']>['rows'],
  upTo: number | null,
): [number, number, number, number][] {
  const pts = rows.map(
    ([s, , m, lo, hi]) => [s, m, clamp(lo ?? m), clamp(hi ?? m)] as [number, number, number, number],
  );
  if (upTo === null) return pts;
  const out = pts.filter((p) => p[0] <= upTo);
  const next = pts.find((p) => p[0] > upTo);
  const prev = out.at(-1);
  if (prev && next && upTo > prev[0]) {
    const f = (upTo - prev[0]) / (next[0] - prev[0]);
    out.push([
      upTo,
      prev[1] + f * (next[1] - prev[1]),
      prev[2] + f * (next[2] - prev[2]),
      prev[3] + f * (next[3] - prev[3]),
    ]);
  }
  return out;
}

const path = (pts: Pt[]) => pts.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join('');

/** The bands of the lanes that have one, behind the lines (recharts' area layer), clipped to the plot. */
export function StudyBandsLayer({ bands }: { bands: LaneBand[] }) {
  const x = useXAxisScale();
  const y = useYAxisScale();
  const area = usePlotArea();
  const upTo = useReplay((s) => s.step);
  const clip = `band-clip-${useId().replace(/:/g, '')}`;
  if (!x || !y || !area) return null;
  const px = (s: number, v: number): Pt => [x(s) ?? 0, y(v) ?? 0];
  return (
    <ZIndexLayer zIndex={100}>
      <defs>
        <clipPath id={clip}>
          <rect x={area.x} y={area.y} width={area.width} height={area.height} />
        </clipPath>
      </defs>
      <g clipPath={`url(#${clip})`}>
        {bands.map((b) => {
          if (!b.band) return null;
          const pts = revealed(b.band.rows, upTo);
          const upper = pts.map((p) => px(p[0], p[3]));
          const lower = pts.map((p) => px(p[0], p[2])).reverse();
          return (
            <g
              key={b.lane}
              data-testid="study-band"
              data-lane={b.lane}
              data-runs={b.band.runs.length}
              className="study-band"
            >
              <title>{`${b.name}: study band of ${b.band.ids.join(' + ')} (seeds ${b.band.seeds.join(', ')}), mean and 95 % interval`}</title>
              {pts.length > 1 ? (
                <path d={`${path(upper)}L${path(lower).slice(1)}Z`} fill={b.color} fillOpacity={0.14} stroke="none" />
              ) : null}
              <path
                d={path(pts.map((p) => px(p[0], p[1])))}
                fill="none"
                stroke={b.color}
                strokeOpacity={0.7}
                strokeWidth={1.5}
                strokeDasharray="6 3"
              />
            </g>
          );
        })}
      </g>
    </ZIndexLayer>
  );
}

/** The replay's cursor: a vertical line at the study step being played. */
export function ReplayCursor({ color }: { color: string }) {
  const step = useReplay((s) => s.step);
  const x = useXAxisScale();
  const area = usePlotArea();
  if (step === null || !x || !area) return null;
  const cx = x(step) ?? 0;
  return (
    <ZIndexLayer zIndex={450}>
      <g data-testid="replay-cursor" data-step={step} pointerEvents="none">
        <line
          x1={cx}
          x2={cx}
          y1={area.y}
          y2={area.y + area.height}
          stroke={color}
          strokeOpacity={0.5}
          strokeWidth={1}
        />
        <text x={cx + 4} y={area.y + 12} fontSize={12} fill={color}>{`study step ${step}`}</text>
      </g>
    </ZIndexLayer>
  );
}

/** The step where two lanes first separated: a vertical mark with the pair's gap. */
export function SeparationMark({ sep, names, color }: { sep: Separation; names: string[]; color: string }) {
  const x = useXAxisScale();
  const area = usePlotArea();
  if (!x || !area) return null;
  const cx = x(sep.step) ?? 0;
  const label = `separated at step ${sep.step}`;
  return (
    <ZIndexLayer zIndex={450}>
      <g data-testid="separation-mark" data-step={sep.step} pointerEvents="none">
        <title>{`${names[sep.lanes[0]]} ${sep.acc[0].toFixed(1)} % vs ${names[sep.lanes[1]]} ${sep.acc[1].toFixed(1)} %: a ${sep.gap.toFixed(1)}-point gap beyond the 95 % interval (±${sep.margin.toFixed(1)})`}</title>
        <line
          x1={cx}
          x2={cx}
          y1={area.y}
          y2={area.y + area.height}
          stroke={color}
          strokeWidth={1.5}
          strokeDasharray="3 3"
        />
        <text x={cx + 4} y={area.y + area.height - 6} fontSize={12} fill={color}>
          {label}
        </text>
      </g>
    </ZIndexLayer>
  );
}
