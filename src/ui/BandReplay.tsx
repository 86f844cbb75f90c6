// The study bands' replay (issue 29 item 1): plays the recorded val curves fast — the study's whole trajectory in
// ~20 s — as a cursor sweeping the accuracy chart, while the live race keeps training. A tiny store: only the cursor
// and the button re-render as it moves, not the chart.
import { create } from 'zustand';

/** How long a replay of the whole study trajectory lasts, and how often the cursor moves (in study steps). */
export const REPLAY_MS = 20_000;
const CURSOR_QUANTUM = 10;

interface ReplayState {
  step: number | null; // the cursor's study step while replaying; null otherwise
  total: number; // the trajectory's length (the study's steps)
  play: (total: number) => void;
  stop: () => void;
}

let frame: number | null = null;
const cancel = () => {
  if (frame !== null) cancelAnimationFrame(frame);
  frame = null;
};

export const useReplay = create<ReplayState>((set) => ({
  step: null,
  total: 0,
  play: (total) => {
    cancel();
    const t0 = performance.now();
    const tick = () => {
      const f = (performance.now() - t0) / REPLAY_MS;
      if (f >= 1) {
        frame = null;
        set({ step: null });
        return;
      }
      const step = Math.floor((f * total) / CURSOR_QUANTUM) * CURSOR_QUANTUM;
      if (step !== useReplay.getState().step) set({ step });
      frame = requestAnimationFrame(tick);
    };
    set({ step: 0, total });
    frame = requestAnimationFrame(tick);
  },
  stop: () => {
    cancel();
    set({ step: null });
  },
}));

/** The replay button: plays the bands' recorded curves over `total` study steps (stop while playing). */
export function ReplayButton({ total }: { total: number }) {
  const step = useReplay((s) => s.step);
  const playing = step !== null;
  return (
    <button
      type="button"
      data-testid="band-replay"
      data-state={playing ? 'playing' : 'idle'}
      aria-pressed={playing}
      title={`play the study's recorded val curves (${total.toLocaleString('en-US')} steps) in ${REPLAY_MS / 1000} s while the race trains`}
      onClick={() => (playing ? useReplay.getState().stop() : useReplay.getState().play(total))}
    >
      {playing ? `■ study step ${step}` : '▶ replay the study'}
    </button>
  );
}
