// Named selectors over the lab store (components subscribe to the smallest piece they render).
import type { LabState } from './index';

export const selectBackend = (s: LabState) => s.backend;
export const selectConfig = (s: LabState) => s.config;
export const selectBanner = (s: LabState) => s.banner; // the newest banner
export const selectBanners = (s: LabState) => s.banners; // every banner, oldest first
export const selectSample = (s: LabState) => s.sample;
/** Latest overall val accuracy in percent, or null before the first evaluation. */
export const selectValAccuracy = (s: LabState) => (s.evals.length ? s.evals[s.evals.length - 1].overall : null);
/** Latest overall agreement with the pack's Bayes answers in percent, or null (no evaluation yet, or none in the pack). */
export const selectBayesAgreement = (s: LabState) =>
  s.evals.length ? (s.evals[s.evals.length - 1].bayesOverall ?? null) : null;
