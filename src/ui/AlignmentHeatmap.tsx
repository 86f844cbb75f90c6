// Token-alignment heatmap (canvas): for the chosen sample, answer positions (rows, labelled with their tokens) ×
// the teacher's top tokens (columns): teacher, student and student − teacher panels, and the per-position divergence.
import { interpolateBlues, interpolateRdBu } from 'd3-scale-chromatic';
import { useEffect, useRef } from 'react';
import { useLab } from '../store';
import type { SampleView } from '../worker/protocol';
import { lab } from './controller';
import { type Palette, usePalette } from './palette';
import { type LaneView, useCompare } from './useCompare';

const CELL_W = 44;
const CELL_H = 22;
const LABEL_W = 64;
const GAP = 18;
const TOP = 20;

function draw(cv: HTMLCanvasElement, view: SampleView | null, divergence: string, pal: Palette) {
  const ctx = cv.getContext('2d');
  if (!ctx) return;
  ctx.clearRect(0, 0, cv.width, cv.height);
  ctx.fillStyle = pal.bg;
  ctx.fillRect(0, 0, cv.width, cv.height);
  if (!view) {
    ctx.fillStyle = pal.muted;
    ctx.font = '13px system-ui';
    ctx.fillText('waiting for the pack…', 8, 24);
    return;
  }
  const rows = view.positions.length;
  const panelW = view.k * CELL_W;
  ctx.font = '11px system-ui';
  ctx.textBaseline = 'middle';
  const panels = [
    { title: 'teacher p_t', get: (i: number) => view.teacher[i], color: (x: number) => interpolateBlues(Math.min(1, x)) },
    { title: 'student p_s', get: (i: number) => view.student[i], color: (x: number) => interpolateBlues(Math.min(1, x)) },
    { title: 'p_s − p_t', get: (i: number) => view.student[i] - view.teacher[i], color: (x: number) => interpolateRdBu(0.5 - Math.max(-1, Math.min(1, x)) / 2) },
  ];
  const maxDiv = Math.max(1e-6, ...Array.from(view.divergence.subarray(0, rows)).filter(Number.isFinite));
  for (let a = 0; a < rows; a++) {
    const y = TOP + a * CELL_H;
    ctx.fillStyle = pal.fg;
    ctx.textAlign = 'right';
    ctx.fillText(view.positions[a], LABEL_W - 6, y + CELL_H / 2);
    panels.forEach((p, pi) => {
      const x0 = LABEL_W + pi * (panelW + GAP);
      for (let j = 0; j < view.k; j++) {
        const i = a * view.k + j;
        const v = p.get(i);
        ctx.fillStyle = Number.isFinite(v) ? p.color(v) : pal.empty;
        ctx.fillRect(x0 + j * CELL_W, y, CELL_W - 1, CELL_H - 1);
        const dark = pi < 2 ? v > 0.5 : Math.abs(v) > 0.5;
        ctx.fillStyle = dark ? '#fff' : '#222';
        ctx.textAlign = 'center';
        ctx.fillText(view.topTokens[i].slice(0, 7), x0 + j * CELL_W + CELL_W / 2, y + CELL_H / 2);
      }
    });
    const d = view.divergence[a];
    const xd = LABEL_W + 3 * (panelW + GAP);
    ctx.fillStyle = '#d62728';
    if (Number.isFinite(d)) ctx.fillRect(xd, y + 3, (60 * d) / maxDiv, CELL_H - 7);
    ctx.fillStyle = pal.fg;
    ctx.textAlign = 'left';
    ctx.fillText(Number.isFinite(d) ? d.toFixed(3) : '–', xd + 62, y + CELL_H / 2);
  }
  ctx.textAlign = 'left';
  ctx.font = 'bold 11px system-ui';
  ctx.fillStyle = pal.fg;
  panels.forEach((p, pi) => ctx.fillText(p.title, LABEL_W + pi * (panelW + GAP), 9));
  ctx.fillText(divergence, LABEL_W + 3 * (panelW + GAP), 9);
}

/** One lane's heatmap: its name and colour over the canvas when a race is on. */
function LaneHeatmap(props: { lv: LaneView | null; k: number; divergence: string; T: number; race: boolean; testId: string }) {
  const { lv, k, divergence, race } = props;
  const pal = usePalette();
  const ref = useRef<HTMLCanvasElement>(null);
  const view = lv?.view ?? null;
  const rows = view?.positions.length ?? 0;
  const width = LABEL_W + 3 * ((view?.k ?? k) * CELL_W + GAP) + 90;
  const height = TOP + Math.max(1, rows) * CELL_H + 6;
  useEffect(() => {
    if (ref.current) draw(ref.current, view, divergence, pal);
  }, [view, width, height, divergence, pal]);
  const name = lv?.lane?.name ?? (view ? `lane ${view.lane}` : '');
  return (
    <figure className="heatlane" style={{ margin: 0 }}>
      {race && view ? (
        <figcaption data-testid="heatmap-lane" style={{ fontSize: 12, fontWeight: 600 }}>
          <span className="swatch" style={{ background: lv?.lane?.color ?? pal.muted }} aria-hidden="true" />
          {name} · T {props.T} · step {view.step}
        </figcaption>
      ) : null}
      <canvas
        ref={ref}
        data-testid={props.testId}
        width={width}
        height={height}
        role="img"
        aria-label={`teacher and student distributions at each answer position${race && view ? ` (${name})` : ''}`}
      />
    </figure>
  );
}

export function AlignmentHeatmap() {
  const { main, other, race } = useCompare();
  const k = useLab((s) => s.heatK);
  const selectedKd = useLab((s) => s.config.kd);
  const kdOf = (lv: LaneView | null) => lv?.lane?.config.kd ?? selectedKd;
  const K = main?.view.k ?? k;
  const T = kdOf(main).T;
  return (
    <section className="card">
      <header>
        <h2>Token alignment</h2>
        <span className="hint">
          rows: answer positions of the sample; columns: the teacher's top {K} tokens there (T = {T}); step {main?.view.step ?? 0}
          {race && !other ? ' · tick compare on a lane to see it here too' : ''}
        </span>
        <label>
          tokens shown {k} <input type="range" min={1} max={16} value={k} onChange={(e) => lab.setHeatK(Number(e.target.value))} />
        </label>
      </header>
      <div className="scroll" tabIndex={0} role="region" aria-label="token alignment heatmap">
        <LaneHeatmap lv={main} k={k} divergence={kdOf(main).divergence} T={T} race={race} testId="alignment-heatmap" />
        {other ? <LaneHeatmap lv={other} k={k} divergence={kdOf(other).divergence} T={kdOf(other).T} race={race} testId="alignment-heatmap-compare" /> : null}
      </div>
    </section>
  );
}
