// Token-alignment heatmap (canvas): for the chosen sample, answer positions (rows, labelled with their tokens) ×
// the teacher's top tokens (columns): teacher, student and student − teacher panels, and the per-position divergence.
// The panels wrap to the panel's width (a 1,024-px window holds them in two rows); dark-theme scales of their own.
import { selectConfig } from '../store/selectors';
import { interpolateBlues, interpolateRdBu } from 'd3-scale-chromatic';
import { type RefObject, useEffect, useRef, useState } from 'react';
import { useLab } from '../store';
import type { SampleView } from '../worker/protocol';
import { useController } from './useController';
import { type Palette, usePalette } from './palette';
import { type LaneView, useCompare } from './useCompare';

const CELL_W = 44;
const CELL_H = 22;
const LABEL_W = 64;
const GAP = 18;
const TOP = 20;
const DIV_W = 150; // the divergence block: a bar (60 px) and its value

type Rgb = [number, number, number];
const rgbOf = (c: string): Rgb => {
  const m = c.match(/\d+/g);
  return m && m.length >= 3 ? [Number(m[0]), Number(m[1]), Number(m[2])] : [128, 128, 128];
};
const mix = (a: Rgb, b: Rgb, t: number) => `rgb(${a.map((x, i) => Math.round(x + (b[i] - x) * t)).join(', ')})`;
/** Text on a cell: dark on light fills, white on dark ones (relative luminance, WCAG). */
function textOn(fill: string): string {
  const [r, g, b] = rgbOf(fill).map((v) => {
    const x = v / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.22 ? '#111111' : '#ffffff';
}

// The dark theme's scales: low values near the card's colour, high ones bright (a light scale would glare there).
const DARK_LOW: Rgb = [34, 40, 52];
const DARK_HIGH: Rgb = [158, 202, 225];
const DARK_POS: Rgb = [244, 140, 110]; // p_s > p_t, as RdBu's red
const DARK_NEG: Rgb = [110, 170, 230]; // p_s < p_t, as RdBu's blue
const clamp1 = (x: number) => Math.max(-1, Math.min(1, x));
const seqColour = (dark: boolean) => (x: number) =>
  dark ? mix(DARK_LOW, DARK_HIGH, Math.sqrt(Math.max(0, Math.min(1, x)))) : interpolateBlues(Math.min(1, x));
const divColour = (dark: boolean) => (x: number) =>
  dark ? mix(DARK_LOW, x >= 0 ? DARK_POS : DARK_NEG, Math.abs(clamp1(x))) : interpolateRdBu(0.5 - clamp1(x) / 2);

/** Where each block (teacher, student, difference, divergence) goes: as many side by side as fit in `avail` px,
 *  the rest wrapped below, each row of blocks with its own row labels. */
export function heatLayout(k: number, rows: number, avail: number) {
  const panelW = k * CELL_W;
  const widths = [panelW, panelW, panelW, DIV_W];
  const blockH = TOP + Math.max(1, rows) * CELL_H + 6;
  const places: { x: number; y: number }[] = [];
  let x = LABEL_W;
  let line = 0;
  let width = 0;
  widths.forEach((w, i) => {
    if (i > 0 && x + w > avail) {
      line++;
      x = LABEL_W;
    }
    places.push({ x, y: line * blockH });
    x += w + GAP;
    width = Math.max(width, x - GAP);
  });
  return { places, panelW, blockH, width, height: (line + 1) * blockH, lines: line + 1 };
}

function draw(
  cv: HTMLCanvasElement,
  view: SampleView | null,
  divergence: string,
  pal: Palette,
  dark: boolean,
  avail: number,
) {
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
  const lay = heatLayout(view.k, rows, avail);
  ctx.font = '11px system-ui';
  ctx.textBaseline = 'middle';
  const seq = seqColour(dark);
  const dif = divColour(dark);
  const panels = [
    { title: 'teacher p_t', get: (i: number) => view.teacher[i], color: seq },
    { title: 'student p_s', get: (i: number) => view.student[i], color: seq },
    { title: 'p_s − p_t', get: (i: number) => view.student[i] - view.teacher[i], color: dif },
  ];
  const maxDiv = Math.max(1e-6, ...Array.from(view.divergence.subarray(0, rows)).filter(Number.isFinite));
  for (let a = 0; a < rows; a++) {
    const rowY = (b: number) => lay.places[b].y + TOP + a * CELL_H;
    for (let b = 0; b < 4; b++) {
      if (lay.places[b].x !== LABEL_W) continue; // the first block of a line carries the answer positions' labels
      ctx.fillStyle = pal.fg;
      ctx.textAlign = 'right';
      ctx.fillText(view.positions[a], LABEL_W - 6, rowY(b) + CELL_H / 2);
    }
    panels.forEach((p, pi) => {
      const x0 = lay.places[pi].x;
      const y = rowY(pi);
      for (let j = 0; j < view.k; j++) {
        const i = a * view.k + j;
        const v = p.get(i);
        const fill = Number.isFinite(v) ? p.color(v) : pal.empty;
        ctx.fillStyle = fill;
        ctx.fillRect(x0 + j * CELL_W, y, CELL_W - 1, CELL_H - 1);
        ctx.fillStyle = Number.isFinite(v) ? textOn(fill) : pal.fg;
        ctx.textAlign = 'center';
        ctx.fillText(view.topTokens[i].slice(0, 7), x0 + j * CELL_W + CELL_W / 2, y + CELL_H / 2);
      }
    });
    const d = view.divergence[a];
    const xd = lay.places[3].x;
    const yd = rowY(3);
    ctx.fillStyle = dark ? '#ff7b72' : '#d62728';
    if (Number.isFinite(d)) ctx.fillRect(xd, yd + 3, (60 * d) / maxDiv, CELL_H - 7);
    ctx.fillStyle = pal.fg;
    ctx.textAlign = 'left';
    ctx.fillText(Number.isFinite(d) ? d.toFixed(3) : '–', xd + 62, yd + CELL_H / 2);
  }
  ctx.textAlign = 'left';
  ctx.font = 'bold 11px system-ui';
  ctx.fillStyle = pal.fg;
  panels.forEach((p, pi) => ctx.fillText(p.title, lay.places[pi].x, lay.places[pi].y + 9));
  ctx.fillText(`${divergence} per position`, lay.places[3].x, lay.places[3].y + 9);
}

/** The width the heatmaps may take: the panel's inner width, followed as the window resizes. */
function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [w, setW] = useState(1200);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setW(Math.max(200, Math.floor(el.clientWidth)));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return w;
}

/** One lane's heatmap: its name and colour over the canvas when a race is on. */
function LaneHeatmap(props: {
  lv: LaneView | null;
  k: number;
  divergence: string;
  T: number;
  race: boolean;
  testId: string;
  avail: number;
}) {
  const { lv, k, divergence, race, avail } = props;
  const pal = usePalette();
  const dark = useLab((s) => s.dark);
  const ref = useRef<HTMLCanvasElement>(null);
  const view = lv?.view ?? null;
  const rows = view?.positions.length ?? 0;
  const { width, height } = heatLayout(view?.k ?? k, rows, avail);
  useEffect(() => {
    if (ref.current) draw(ref.current, view, divergence, pal, dark, avail);
  }, [view, width, height, divergence, pal, dark, avail]);
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
  const lab = useController();
  const { main, other, race } = useCompare();
  const k = useLab((s) => s.heatK);
  const selectedKd = useLab((s) => selectConfig(s).kd);
  const kdOf = (lv: LaneView | null) => lv?.lane?.kd ?? selectedKd;
  const K = main?.view.k ?? k;
  const T = kdOf(main).T;
  const box = useRef<HTMLDivElement>(null);
  const avail = useWidth(box);
  return (
    <section className="card">
      <header>
        <h2>Token alignment</h2>
        <span className="hint">
          rows: answer positions of the sample; columns: the teacher's top {K} tokens there (T = {T}); step{' '}
          {main?.view.step ?? 0}
          {race && !other ? ' · tick compare on a lane to see it here too' : ''}
        </span>
        <label>
          tokens shown {k}{' '}
          <input type="range" min={1} max={16} value={k} onChange={(e) => lab.setHeatK(Number(e.target.value))} />
        </label>
      </header>
      <div className="scroll heatbox" ref={box} tabIndex={0} role="region" aria-label="token alignment heatmap">
        <LaneHeatmap
          lv={main}
          k={k}
          divergence={kdOf(main).divergence}
          T={T}
          race={race}
          testId="alignment-heatmap"
          avail={avail}
        />
        {other ? (
          <LaneHeatmap
            lv={other}
            k={k}
            divergence={kdOf(other).divergence}
            T={kdOf(other).T}
            race={race}
            testId="alignment-heatmap-compare"
            avail={avail}
          />
        ) : null}
      </div>
    </section>
  );
}
