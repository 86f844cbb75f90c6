// The hues task's probabilistic annotator: how a person names a continuous hue, side, position and a partly hidden
// object, as answer distributions (answer → probability). Labels are single draws from these; Bayes = argmax.

import type { Rng } from '../base/rng';
import { type ColorName, HUE_COLORS, HUE_SIZES, type SizeName } from './spec';

/** Hue (degrees) of each colour word's prototype, HUE_COLORS order. */
export const HUE_PROTOTYPES: Readonly<Record<string, number>> = {
  red: 0,
  yellow: 60,
  green: 120,
  blue: 230,
  purple: 290,
};
/** Width σ (degrees) of the annotator's Gaussian around a prototype: p(word | hue) ∝ exp(−d²/(2σ²)) over the two nearest. */
export const HUE_SIGMA = 20;
/** Range of the continuous side (pixels) a hues shape is drawn with (uniform). */
export const SIDE_RANGE: readonly [number, number] = [3.5, 7];
/** Ordinal-logistic size boundaries (pixels): small|medium and medium|large, and their scale (pixels). */
export const SIZE_BOUNDS: readonly [number, number] = [4.65, 5.85];
export const SIZE_SCALE = 0.3;
/** Scale (pixels) of the relation judgement: p("a left of b") = logistic((cx_b − cx_a) / REL_SCALE). */
export const REL_SCALE = 1.2;
/** Probability that an object gets an occluder over one corner of it. */
export const OCCLUDE_PROB = 0.35;
/** Rendering: saturation and value are uniform in these ranges (small jitter around a fixed colourfulness). */
export const SAT_RANGE: readonly [number, number] = [0.75, 0.9];
export const VAL_RANGE: readonly [number, number] = [0.8, 0.95];

/** How hues labels are drawn, in one sentence (pack metadata `ambiguity.annotator`, DESIGN §4c). */
export const ANNOTATOR =
  `Each label is one draw from a simulated annotator: colour words from a Gaussian of σ = ${HUE_SIGMA}° around ` +
  `prototypes (red 0°, yellow 60°, green 120°, blue 230°, purple 290°) over the two nearest, size words from ` +
  `ordinal-logistic boundaries at ${SIZE_BOUNDS[0]} and ${SIZE_BOUNDS[1]} px (scale ${SIZE_SCALE} px) on a side ` +
  `uniform in ${SIDE_RANGE[0]}–${SIDE_RANGE[1]} px, left/above from a logistic of the centres' difference ` +
  `(scale ${REL_SCALE} px), and a partly occluded object missed with probability equal to its hidden fraction ` +
  `(counts Poisson-binomial, captions and multiple choice the product/renormalisation of those parts).`;

/** An answer distribution: [answer, probability] pairs in a fixed order, probabilities summing to 1. */
export type AnswerDist = [string, number][];

const logistic = (z: number): number => 1 / (1 + Math.exp(-z));

/** Circular distance between two hues, degrees in [0, 180]. */
export function hueDistance(a: number, b: number): number {
  const d = Math.abs((((a - b) % 360) + 360) % 360);
  return d > 180 ? 360 - d : d;
}

/** p(colour word | hue) for every HUE_COLORS word: mass only on the two nearest prototypes. */
export function colorProbs(hue: number): Record<ColorName, number> {
  const ds = HUE_COLORS.map((c) => hueDistance(hue, HUE_PROTOTYPES[c]));
  const order = HUE_COLORS.map((_, i) => i).sort((i, j) => ds[i] - ds[j] || i - j);
  const [a, b] = order;
  const da = ds[a];
  const db = ds[b];
  // relative to the nearest, so the exponent never underflows: w_a = 1, w_b = exp(−(db² − da²)/(2σ²))
  const wb = Math.exp(-(db * db - da * da) / (2 * HUE_SIGMA * HUE_SIGMA));
  const out = {} as Record<ColorName, number>;
  for (const c of HUE_COLORS) out[c] = 0;
  out[HUE_COLORS[a]] = 1 / (1 + wb);
  out[HUE_COLORS[b]] = wb / (1 + wb);
  return out;
}

/** p(size word | side): ordinal logistic, P(≥ medium) = σ((s − b₁)/τ), P(large) = σ((s − b₂)/τ). */
export function sizeProbs(side: number): Record<string, number> {
  const geMedium = logistic((side - SIZE_BOUNDS[0]) / SIZE_SCALE);
  const large = logistic((side - SIZE_BOUNDS[1]) / SIZE_SCALE);
  return { small: 1 - geMedium, medium: geMedium - large, large };
}

/** p(yes) for "is a REL b" from the centres (pixels): a logistic of the signed difference along the relation's axis. */
export function relationYes(a: { cx: number; cy: number }, b: { cx: number; cy: number }, rel: string): number {
  switch (rel) {
    case 'left of':
      return logistic((b.cx - a.cx) / REL_SCALE);
    case 'right of':
      return logistic((a.cx - b.cx) / REL_SCALE);
    case 'above':
      return logistic((b.cy - a.cy) / REL_SCALE);
    default:
      return logistic((a.cy - b.cy) / REL_SCALE); // below
  }
}

/** Probability that the annotator notices an object (1 − hidden fraction). */
export function detectProb(hidden: number): number {
  return 1 - hidden;
}

/** Poisson-binomial: distribution of the number of successes of independent trials with probabilities `ps`. */
export function poissonBinomial(ps: readonly number[]): number[] {
  let dist = [1];
  for (const p of ps) {
    const next = new Array<number>(dist.length + 1).fill(0);
    for (let k = 0; k < dist.length; k++) {
      next[k] += dist[k] * (1 - p);
      next[k + 1] += dist[k] * p;
    }
    dist = next;
  }
  return dist;
}

/** The most probable answer (first in the distribution's order on exact ties) and its probability. */
export function argmaxAnswer(dist: AnswerDist): [string, number] {
  let best = dist[0];
  for (const e of dist) if (e[1] > best[1]) best = e;
  return [best[0], best[1]];
}

/** One draw from `dist` (one rng.next()); zero-probability answers are never drawn. */
export function drawAnswer(rng: Rng, dist: AnswerDist): [string, number] {
  let r = rng.next();
  let last: [string, number] | null = null;
  for (const e of dist) {
    if (e[1] <= 0) continue;
    last = e;
    r -= e[1];
    if (r < 0) return [e[0], e[1]];
  }
  return [last![0], last![1]]; // rounding: the sum may fall a hair short of 1
}

/** Binary yes/no distribution. */
export function yesNo(pYes: number): AnswerDist {
  return [
    ['yes', pYes],
    ['no', 1 - pYes],
  ];
}

/** The word with the highest probability in a word → probability record (first of `order` on ties). */
export function topWord<T extends string>(probs: Record<string, number>, order: readonly T[]): T {
  let best = order[0];
  for (const w of order) if (probs[w] > probs[best]) best = w;
  return best;
}

/** The Bayes colour and size words of a hues object (what SceneObject.color/size hold). */
export function bayesWords(hue: number, side: number): { color: ColorName; size: SizeName } {
  return { color: topWord(colorProbs(hue), HUE_COLORS), size: topWord(sizeProbs(side), HUE_SIZES) };
}
