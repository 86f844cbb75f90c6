// Alignment over training (canvas): the per-position divergence of a fixed set of val samples (rows: sample ×
// answer position) at every evaluation (columns: steps), so one sees which tokens the student aligns first.
import { selectAlignRows, selectConfig } from '../store/selectors';
import { interpolateMagma } from 'd3-scale-chromatic';
import { useEffect, useMemo, useRef } from 'react';
import { useLab } from '../store';
import { usePalette } from './palette';
import { useThrottledVersion } from './useThrottledVersion';

const ROW_H = 6;
const LABEL_W = 54;
const TOP = 16;
const BOTTOM = 18;
const WIDTH = 640;

export function AlignmentOverTime() {
  const version = useThrottledVersion(500);
  const pack = useLab((s) => s.pack);
  const kd = useLab((s) => selectConfig(s).kd.divergence);
  const pal = usePalette();
  const ref = useRef<HTMLCanvasElement>(null);
  const S = pack?.alignSamples ?? 0;
  const A = pack?.A ?? 0;
  // Rows that ever hold a value (answer slots up to <eos>), grouped by sample.
  const { rows, cols, max } = useMemo(() => {
    const alignRows = selectAlignRows(useLab.getState());
    const used: { s: number; a: number }[] = [];
    for (let s = 0; s < S; s++)
      for (let a = 0; a < A; a++) if (alignRows.some((r) => Number.isFinite(r.values[s * A + a]))) used.push({ s, a });
    let m = 1e-6;
    for (const r of alignRows) for (const v of r.values) if (Number.isFinite(v)) m = Math.max(m, v);
    return { rows: used, cols: alignRows, max: m };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, S, A]);
  const height = TOP + Math.max(1, rows.length) * ROW_H + BOTTOM;

  useEffect(() => {
    const cv = ref.current;
    const ctx = cv?.getContext('2d');
    if (!cv || !ctx) return;
    ctx.fillStyle = pal.bg;
    ctx.fillRect(0, 0, cv.width, cv.height);
    ctx.font = '11px system-ui';
    ctx.fillStyle = pal.muted;
    if (cols.length === 0 || rows.length === 0) {
      ctx.fillText('appears at the first evaluation…', 8, 28);
      return;
    }
    const plotW = WIDTH - LABEL_W - 8;
    const cw = plotW / cols.length;
    cols.forEach((c, j) => {
      rows.forEach((r, i) => {
        const v = c.values[r.s * A + r.a];
        ctx.fillStyle = Number.isFinite(v) ? interpolateMagma(0.05 + 0.9 * Math.sqrt(v / max)) : pal.empty;
        ctx.fillRect(LABEL_W + j * cw, TOP + i * ROW_H, Math.ceil(cw), ROW_H);
      });
    });
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    ctx.fillStyle = pal.fg;
    let prev = -1;
    rows.forEach((r, i) => {
      if (r.s !== prev) {
        ctx.fillText(`sample ${r.s}`, LABEL_W - 4, TOP + i * ROW_H + 3);
        if (prev >= 0) {
          ctx.fillStyle = pal.bg;
          ctx.fillRect(LABEL_W, TOP + i * ROW_H - 1, plotW, 1);
          ctx.fillStyle = pal.fg;
        }
        prev = r.s;
      }
    });
    // x axis: the first and the last evaluation's step, and the axis title between them
    const first = cols[0].step;
    const lastStep = cols[cols.length - 1].step;
    ctx.fillStyle = pal.muted;
    ctx.textAlign = 'left';
    ctx.fillText(cols.length > 1 ? `step ${first}` : `one evaluation so far, at step ${first}`, LABEL_W, height - 8);
    ctx.textAlign = 'center';
    if (cols.length > 1) ctx.fillText('training step → (one column per evaluation)', LABEL_W + plotW / 2, height - 8);
    ctx.textAlign = 'right';
    if (cols.length > 1) ctx.fillText(`step ${lastStep}`, WIDTH - 8, height - 8);
    ctx.fillStyle = pal.fg;
    ctx.textAlign = 'left';
    ctx.fillText(`${kd} per answer position; brighter = further from the teacher (max ${max.toFixed(3)})`, LABEL_W, 8);
  }, [rows, cols, max, A, height, pal, kd]);

  return (
    <section className="card" data-testid="alignment-over-time">
      <header>
        <h2>Alignment over training</h2>
        <span className="hint">{S} fixed val samples × their answer positions (rows) at each evaluation (columns)</span>
      </header>
      <div className="scroll" tabIndex={0} role="region" aria-label="alignment over training">
        <canvas
          ref={ref}
          width={WIDTH}
          height={height}
          role="img"
          aria-label={`Per-position ${kd} of ${S} val samples over ${cols.length} evaluations`}
        />
      </div>
    </section>
  );
}
