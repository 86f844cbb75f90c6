// Where the race's lanes first separate (core/separation's rule: val exact matches on the shared fixed val samples
// differ by more than their binomial 95 % interval), for the accuracy chart's mark and the lanes table.
import { useMemo } from 'react';
import { firstSeparation, type Separation } from '../core/race/separation';
import { useLab } from '../store';

/** The first separation of two lanes (null with one lane, before any, or without an evaluated pack). */
export function useSeparation(): Separation | null {
  const key = useLab((s) => s.lanes.map((l) => `${l.id}:${l.evals.length}`).join(',')); // re-read when an evaluation arrives
  const n = useLab((s) => s.pack?.evalSamples ?? 0);
  return useMemo(() => {
    const lanes = useLab.getState().lanes;
    if (lanes.length < 2 || !(n > 0)) return null;
    // step 0 scores the untrained students (the same for one seed): only evaluations after training began count
    return firstSeparation(
      lanes.map((l) => l.evals.filter((e) => e.step > 0).map((e) => ({ step: e.step, acc: e.overall }))),
      n,
    );
  }, [key, n]); // eslint-disable-line react-hooks/exhaustive-deps
}
