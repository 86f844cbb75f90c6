// Named selectors over the lab store (components subscribe to the smallest piece they render).
import type { LabState } from './index';

export const selectStatus = (s: LabState) => s.status;
export const selectStep = (s: LabState) => s.step;
export const selectBackend = (s: LabState) => s.backend;
export const selectConfig = (s: LabState) => s.config;
export const selectPack = (s: LabState) => s.pack;
export const selectBanner = (s: LabState) => s.banner;
export const selectSample = (s: LabState) => s.sample;
export const selectVersion = (s: LabState) => s.version;
/** Latest overall val accuracy in percent, or null before the first evaluation. */
export const selectValAccuracy = (s: LabState) => (s.evals.length ? s.evals[s.evals.length - 1].overall : null);
/** Is training running (or paused because the tab is hidden)? */
export const selectIsRunning = (s: LabState) => s.status === 'running';
