// Affinity overlay (canvas): the sample's image with the answer→patch affinity S = ĥ_img·ĥ_ansᵀ of the teacher and
// of the student laid over its patches, for the answer token under the pointer (or keyboard focus).
import { interpolateInferno } from 'd3-scale-chromatic';
import { useEffect, useRef, useState } from 'react';
import { useLab } from '../store';
import { selectSample } from '../store/selectors';
import { usePalette } from './palette';

const SCALE = 5;

function drawPanel(cv: HTMLCanvasElement, image: Uint8Array, H: number, W: number, C: number, aff: Float32Array, P: number, A: number, t: number, grid: { rows: number; cols: number }, bg: string) {
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

export function AffinityOverlay() {
  const view = useLab(selectSample);
  const pack = useLab((s) => s.pack);
  const pal = usePalette();
  const [t, setT] = useState(0);
  const tRef = useRef<HTMLCanvasElement>(null);
  const sRef = useRef<HTMLCanvasElement>(null);
  const H = pack?.image.height ?? 24;
  const W = pack?.image.width ?? 24;
  const grid = pack?.grid ?? { rows: 3, cols: 3 };
  const P = grid.rows * grid.cols;
  const A = pack?.A ?? 1;
  const tok = view ? Math.min(t, Math.max(0, view.positions.length - 1)) : 0;
  useEffect(() => {
    if (!view || !pack || !tRef.current || !sRef.current) return;
    const C = pack.image.channels;
    drawPanel(tRef.current, view.image, H, W, C, view.teacherAffinity, P, A, tok, grid, pal.bg);
    drawPanel(sRef.current, view.image, H, W, C, view.studentAffinity, P, A, tok, grid, pal.bg);
  }, [view, pack, tok, H, W, P, A, grid, pal.bg]);
  return (
    <section className="card" data-testid="affinity-overlay">
      <header>
        <h2>Affinity overlay</h2>
        <span className="hint">image × answer-token affinity per patch (brighter = higher, scaled per panel); hover or focus a token</span>
      </header>
      <div className="affbody">
        <figure>
          <canvas ref={tRef} width={W * SCALE} height={H * SCALE} role="img" aria-label="teacher affinity over the image patches" />
          <figcaption>teacher</figcaption>
        </figure>
        <figure>
          <canvas ref={sRef} width={W * SCALE} height={H * SCALE} role="img" aria-label="student affinity over the image patches" />
          <figcaption>student</figcaption>
        </figure>
        <div className="tokens" role="group" aria-label="answer tokens">
          {(view?.positions ?? []).map((p, i) => (
            <button key={i} className={i === tok ? 'tok on' : 'tok'} aria-pressed={i === tok} onMouseEnter={() => setT(i)} onFocus={() => setT(i)} onClick={() => setT(i)}>
              {p}
            </button>
          ))}
        </div>
      </div>
    </section>
  );
}
