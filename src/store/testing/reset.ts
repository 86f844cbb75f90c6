// Test helper: put the lab store back to its initial state (zustand's getInitialState pattern), so that every store
// test stands alone. Metric series are mutated in place, so the reset gives the one lane a fresh one.
import { useLab } from '../index';
import { DEFAULT_LANE, makeLane } from '../lanes';

export function resetLabStore(): void {
  const lane = makeLane(0, DEFAULT_LANE, []);
  useLab.setState({ ...useLab.getInitialState(), lanes: [lane], selectedLane: 0, nextLaneId: 1 }, true);
}
