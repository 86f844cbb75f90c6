// Named selectors over the lab store (components subscribe to the smallest piece they render). The selected lane's
// config, series, evaluations, sample … are read from its lane here: the store keeps no copy of them.
import type { LabState } from './state';
import type { StoreLane } from './lanes';

export const selectBackend = (s: LabState) => s.backend;
export const selectBanner = (s: LabState) => s.banner; // the newest banner
export const selectBanners = (s: LabState) => s.banners; // every banner, oldest first

/** The lane the knobs and the single views show (the first while the selected id is not among the lanes). */
export const selectedLaneOf = (s: Pick<LabState, 'lanes' | 'selectedLane'>): StoreLane =>
  s.lanes.find((l) => l.id === s.selectedLane) ?? s.lanes[0];
export const selectConfig = (s: LabState) => selectedLaneOf(s).config; // what the knobs show and the worker applies
export const selectSeries = (s: LabState) => selectedLaneOf(s).series; // mutated in place: re-read on `version`
export const selectEvals = (s: LabState) => selectedLaneOf(s).evals;
export const selectSample = (s: LabState) => selectedLaneOf(s).sample;
export const selectLive = (s: LabState) => selectedLaneOf(s).live; // the selected lane's run (from its first step)
export const selectAlignRows = (s: LabState) => selectedLaneOf(s).alignRows;
/** The compare lane's latest sample view (null without a compare lane). */
export const selectCompareSample = (s: LabState) =>
  s.compareLane === null ? null : (s.lanes.find((l) => l.id === s.compareLane)?.sample ?? null);

/** Latest overall val accuracy in percent, or null before the first evaluation. */
export const selectValAccuracy = (s: LabState) => selectEvals(s).at(-1)?.overall ?? null;
/** Latest overall agreement with the pack's Bayes answers in percent, or null (no evaluation yet, or none in the pack). */
export const selectBayesAgreement = (s: LabState) => selectEvals(s).at(-1)?.bayesOverall ?? null;
