// The sample viewer: the chosen val sample's image (canvas, nearest-neighbour), question, ground truth, the
// teacher's answer and the selected lane's student's greedy answer (and a compared lane's, on the same sample).
import { useEffect, useRef } from 'react';
import { useLab } from '../store';
import { useController } from './useController';
import { type LaneView, useCompare } from './useCompare';

const SCALE = 6;

export function SampleViewer() {
  const lab = useController();
  const { main, other, race } = useCompare();
  const view = main?.view ?? null;
  const pack = useLab((s) => s.pack);
  const index = useLab((s) => s.sampleIndex);
  const ref = useRef<HTMLCanvasElement>(null);
  const H = pack?.image.height ?? 24;
  const W = pack?.image.width ?? 24;
  useEffect(() => {
    const cv = ref.current;
    const ctx = cv?.getContext('2d');
    if (!cv || !ctx || !view || !pack) return;
    const { channels: C } = pack.image;
    const img = ctx.createImageData(W, H);
    for (let p = 0; p < W * H; p++) {
      for (let c = 0; c < 3; c++) img.data[p * 4 + c] = view.image[p * C + (C === 1 ? 0 : c)];
      img.data[p * 4 + 3] = 255;
    }
    const tmp = new OffscreenCanvas(W, H);
    tmp.getContext('2d')!.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(tmp, 0, 0, W * SCALE, H * SCALE);
  }, [view, pack, H, W]);
  const n = pack?.evalSamples ?? 1;
  const right = view ? view.studentAnswer === view.truth : false;
  return (
    <section className="card sample">
      <header>
        <h2>Sample</h2>
        <button onClick={() => lab.setSample((index - 1 + n) % n)} aria-label="previous sample">
          ‹
        </button>
        <input
          type="number"
          aria-label="val sample index"
          data-testid="sample-index"
          min={0}
          max={n - 1}
          value={index}
          onChange={(e) => lab.setSample(Math.max(0, Math.min(n - 1, Number(e.target.value) || 0)))}
        />
        <button onClick={() => lab.setSample((index + 1) % n)} aria-label="next sample">
          ›
        </button>
      </header>
      <div className="samplebody">
        <canvas ref={ref} width={W * SCALE} height={H * SCALE} data-testid="sample-image" />
        {view ? (
          <dl>
            <dt>family</dt>
            <dd>{view.family}</dd>
            <dt>question</dt>
            <dd>{view.question}</dd>
            <dt>ground truth</dt>
            <dd>{view.truth}</dd>
            <dt>teacher</dt>
            <dd>{view.teacherAnswer}</dd>
            <dt>{race && main ? <LaneLabel lv={main} /> : 'student'}</dt>
            <dd data-testid="student-answer" className={right ? 'ok' : 'bad'}>
              {view.studentAnswer || '(empty)'}
            </dd>
            {other ? (
              <>
                <dt>
                  <LaneLabel lv={other} />
                </dt>
                <dd
                  data-testid="compare-answer"
                  className={other.view.studentAnswer === other.view.truth ? 'ok' : 'bad'}
                >
                  {other.view.studentAnswer || '(empty)'}
                </dd>
              </>
            ) : null}
          </dl>
        ) : null}
      </div>
    </section>
  );
}

/** "student (lane name)" with the lane's colour. */
function LaneLabel({ lv }: { lv: LaneView }) {
  return (
    <>
      {lv.lane ? <span className="swatch" style={{ background: lv.lane.color }} aria-hidden="true" /> : null}
      student ({lv.lane?.name ?? lv.view.lane})
    </>
  );
}
