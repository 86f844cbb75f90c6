// The lanes the sample views show: the selected lane's view and, when *compare* is on, a second lane's view of the
// same sample, each with its lane's name and colour (the heatmap, the affinity overlay and the sample viewer share it).
import { useMemo } from 'react';
import type { TrainConfig } from '../core/config/config';
import { useLab } from '../store';
import { selectCompareSample, selectSample } from '../store/selectors';
import type { SampleView } from '../worker/protocol';

/** What the sample views show of a lane: its name, colour and divergence settings. */
export interface LaneLook {
  id: number;
  name: string;
  color: string;
  kd: TrainConfig['kd'];
}

export interface LaneView {
  view: SampleView;
  lane: LaneLook | undefined; // undefined: the view's lane has left the race
}

/** The selected lane's view, the compare lane's on the same sample (else null), and whether a race is on. */
export function useCompare(): { main: LaneView | null; other: LaneView | null; race: boolean } {
  const view = useLab(selectSample);
  const other = useLab(selectCompareSample);
  const compareLane = useLab((s) => s.compareLane);
  // a string key, so that a metrics delta (a new lanes array every ~100 ms) does not re-render the sample views
  const key = useLab((s) =>
    JSON.stringify(s.lanes.map((l): LaneLook => ({ id: l.id, name: l.name, color: l.color, kd: l.config.kd }))),
  );
  const lanes = useMemo(() => JSON.parse(key) as LaneLook[], [key]);
  const laneOf = (id: number) => lanes.find((l) => l.id === id);
  const main = view ? { view, lane: laneOf(view.lane) } : null;
  const shown =
    view &&
    other &&
    other.lane === compareLane &&
    other.lane !== view.lane &&
    other.sample === view.sample &&
    laneOf(other.lane);
  return { main, other: shown ? { view: other, lane: laneOf(other.lane) } : null, race: lanes.length > 1 };
}
