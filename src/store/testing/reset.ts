// Test helper: put the lab store back to its initial state (zustand's getInitialState pattern), so that every store
// test stands alone. The metric series is mutated in place, so the reset gives it a fresh one.
import { useLab } from '../index';
import { StepSeries } from '../series';

export function resetLabStore(): void {
  useLab.setState({ ...useLab.getInitialState(), series: new StepSeries() }, true);
}
