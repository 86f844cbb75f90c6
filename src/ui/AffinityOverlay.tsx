// Affinity overlay (canvas): the sample's image with the answer→patch affinity S = ĥ_img·ĥ_ansᵀ of the teacher and
// of the student laid over its patches, for the answer token under the pointer (or keyboard focus); a compared lane too.
import { interpolateInferno } from 'd3-scale-chromatic';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useLab } from '../store';
import type { SampleView } from '../worker/protocol';
import { usePalette } from './palette';
import { type LaneView, useCompare } from './useCompare';

const SCALE = 5;

interface Geometry {
  H: number;
  W: number;
  C: number;
  P: number;
  A: number;
  grid: { rows: number; cols: number };
}

function drawPanel(cv: HTMLCanvasElement, image: Uint8Array, aff: Float32Array, t: number, g: Geometry, bg: string) {
  const { H, W, C, P, A, grid } = g;
  const ctx = cv.getContext('2d');
  if (!ctx) return;
  ctx.fillStyle = bg;
  ctx.fillRect(0, 0, cv.width, cv.height);
  const img = ctx.createImageData(W, H);
  for (let p = 0; p < W * H; p++) {
    for (let c = 0; c < 3; c++) img.data[p * 4 + c] = image[p * C + (C === 1 ? 0 : c)];
    img.data[p * 4 + 3] = 255;
  }
  const tmp = new OffscreenCanvas(W, H);
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, 0, 0, W * SCALE, H * SCALE);
  // Scale the column (this token's affinity to every patch) to [0, 1] within the panel.
  let lo = Infinity;
  let hi = -Infinity;
  for (let p = 0; p < P; p++) {
    const v = aff[p * A + t];
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const ph = (H * SCALE) / grid.rows;
  const pw = (W * SCALE) / grid.cols;
  for (let p = 0; p < P; p++) {
    const v = aff[p * A + t];
    const x = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    ctx.globalAlpha = 0.15 + 0.55 * x;
    ctx.fillStyle = interpolateInferno(x);
    ctx.fillRect((p % grid.cols) * pw, Math.floor(p / grid.cols) * ph, pw, ph);
  }
  ctx.globalAlpha = 1;
}

/** One panel: the image under one affinity matrix, captioned (with the lane's colour in a race). */
function Panel(props: {
  view: SampleView | null;
  aff: (v: SampleView) => Float32Array;
  t: number;
  g: Geometry | null;
  label: string;
  caption: string;
  color?: string;
  testId?: string;
}) {
  const { view, aff, t, g } = props;
  const pal = usePalette();
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (view && g && ref.current) drawPanel(ref.current, view.image, aff(view), t, g, pal.bg);
  }, [view, aff, t, g, pal.bg]);
  return (
    <figure data-testid={props.testId}>
      <canvas
        ref={ref}
        width={(g?.W ?? 24) * SCALE}
        height={(g?.H ?? 24) * SCALE}
        role="img"
        aria-label={props.label}
      />
      <figcaption>
        {props.color ? <span className="swatch" style={{ background: props.color }} aria-hidden="true" /> : null}
        {props.caption}
      </figcaption>
    </figure>
  );
}

const teacherOf = (v: SampleView) => v.teacherAffinity;
const studentOf = (v: SampleView) => v.studentAffinity;
const nameOf = (lv: LaneView) => lv.lane?.name ?? `lane ${lv.view.lane}`;

export function AffinityOverlay() {
  const { main, other, race } = useCompare();
  const pack = useLab((s) => s.pack);
  const [t, setT] = useState(0);
  const view = main?.view ?? null;
  const [H, W, C, rows, cols, A] = pack
    ? [pack.image.height, pack.image.width, pack.image.channels, pack.grid.rows, pack.grid.cols, pack.A]
    : [];
  const geo = useMemo<Geometry | null>(
    () => (H === undefined ? null : { H, W: W!, C: C!, P: rows! * cols!, A: A!, grid: { rows: rows!, cols: cols! } }),
    [H, W, C, rows, cols, A],
  );
  const tok = view ? Math.min(t, Math.max(0, view.positions.length - 1)) : 0;
  return (
    <section className="card" data-testid="affinity-overlay">
      <header>
        <h2>Affinity overlay</h2>
        <span className="hint">
          image × answer-token affinity per patch (brighter = higher, scaled per panel); hover or focus a token
        </span>
      </header>
      <div className="affbody">
        <Panel
          view={view}
          aff={teacherOf}
          t={tok}
          g={geo}
          label="teacher affinity over the image patches"
          caption="teacher"
        />
        <Panel
          view={view}
          aff={studentOf}
          t={tok}
          g={geo}
          label={`student affinity over the image patches${race && main ? ` (${nameOf(main)})` : ''}`}
          caption={race && main ? `student · ${nameOf(main)}` : 'student'}
          color={race ? main?.lane?.color : undefined}
          testId={race ? 'affinity-lane' : undefined}
        />
        {other ? (
          <Panel
            view={other.view}
            aff={studentOf}
            t={tok}
            g={geo}
            label={`student affinity over the image patches (${nameOf(other)})`}
            caption={`student · ${nameOf(other)}`}
            color={other.lane?.color}
            testId="affinity-lane"
          />
        ) : null}
        <div className="tokens" role="group" aria-label="answer tokens">
          {(view?.positions ?? []).map((p, i) => (
            <button
              key={i}
              className={i === tok ? 'tok on' : 'tok'}
              aria-pressed={i === tok}
              onMouseEnter={() => setT(i)}
              onFocus={() => setT(i)}
              onClick={() => setT(i)}
            >
              {p}
            </button>
          ))}
        </div>
      </div>
    </section>
  );
}
