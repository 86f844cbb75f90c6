// Random scene descriptions (objects on a grid) for the shapes and digits tasks, the digit pools that keep
// val/test digits apart from training digits, and category statistics for POPE "popular" negatives.
// (The hues task's scenes come from hues.ts; generateScene dispatches to it.)

import { FieldError } from '../base/errors';
import { Rng } from '../base/rng';
import { colorProbs } from './annotator';
import { generateHuesScene } from './hues';
import {
  BACKGROUND_RANGE,
  COLOR_JITTER,
  COLOR_RGB,
  COLOR_WEIGHTS,
  COLORS,
  type ColorName,
  type DigitBank,
  getTaskSpec,
  HUE_COLORS,
  type KindName,
  type Scene,
  type SceneObject,
  SHAPE_WEIGHTS,
  SHAPES,
  SIZES,
  taskColors,
  type TaskName,
} from './spec';

/** Bank indices grouped by label: pool[d] lists the indices of digit d (every label must have ≥ 1). */
export type DigitPool = readonly (readonly number[])[];

/** Throws unless `bank` is well formed: images [n,size,size], labels [n] in 0..9, size = the task's digit size. */
export function validateDigitBank(bank: DigitBank, expectedSize?: number): void {
  const { size, images, labels } = bank;
  if (!Number.isInteger(size) || size < 1)
    throw new FieldError({ field: 'DigitBank.size', expected: 'a positive integer', got: size });
  if (expectedSize !== undefined && size !== expectedSize) {
    throw new FieldError({ field: 'DigitBank.size', expected: `the task's digitSize ${expectedSize}`, got: size });
  }
  if (!(images instanceof Uint8Array))
    throw new FieldError({ field: 'DigitBank.images', expected: 'a Uint8Array', got: kindOf(images) });
  if (!(labels instanceof Uint8Array))
    throw new FieldError({ field: 'DigitBank.labels', expected: 'a Uint8Array', got: kindOf(labels) });
  if (images.length !== labels.length * size * size) {
    throw new FieldError({
      field: 'DigitBank.images.length',
      expected: `n·size² = ${labels.length * size * size} (n = ${labels.length} labels, size = ${size})`,
      got: images.length,
    });
  }
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] > 9)
      throw new FieldError({ field: `DigitBank.labels[${i}]`, expected: 'a digit in 0..9', got: labels[i] });
  }
}

/** What a value is, for an error message (`Array`, `Float32Array`, `undefined`), never its contents. */
function kindOf(v: unknown): string {
  if (v === null || typeof v !== 'object') return v === null ? 'null' : typeof v;
  return (v as object).constructor?.name ?? 'object';
}

/**
 * Splits a bank into a training pool and a held-out pool (index i is held out when i % heldOutEvery equals
 * heldOutEvery − 1), so val/test scenes show digits the teacher never saw. Throws if a label is missing in a pool.
 */
export function splitDigitBank(bank: DigitBank, heldOutEvery = 5): { train: DigitPool; heldOut: DigitPool } {
  validateDigitBank(bank);
  if (!Number.isInteger(heldOutEvery) || heldOutEvery < 2) {
    throw new FieldError({ field: 'heldOutEvery', expected: 'an integer ≥ 2', got: heldOutEvery });
  }
  const train: number[][] = Array.from({ length: 10 }, () => []);
  const heldOut: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < bank.labels.length; i++) {
    (i % heldOutEvery === heldOutEvery - 1 ? heldOut : train)[bank.labels[i]].push(i);
  }
  for (let d = 0; d < 10; d++) {
    if (train[d].length === 0 || heldOut[d].length === 0) {
      throw new FieldError({
        field: 'DigitBank.labels',
        expected: `digit ${d} in both the training and the held-out pool (train ${train[d].length}, held-out ${heldOut[d].length}; heldOutEvery = ${heldOutEvery})`,
        hint: `give the bank more digits labelled ${d}`,
      });
    }
  }
  return { train, heldOut };
}

function clampU8(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * A random scene for `task`. Draw order from `rng` is fixed, so the same rng state gives the same scene.
 * `digits` (required for the digits task) is the pool cards draw their MNIST bitmaps from.
 */
export function generateScene(rng: Rng, task: TaskName, digits?: DigitPool): Scene {
  const spec = getTaskSpec(task);
  if (spec.task === 'hues') return generateHuesScene(rng);
  const hasCards = spec.kinds.includes('card');
  if (hasCards && (!digits || digits.length !== 10 || digits.some((p) => p.length === 0))) {
    throw new FieldError({
      field: 'digits',
      expected: `a DigitPool with ≥ 1 index for each of 0..9 (task "${task}" has cards)`,
      got: digits ? digits.map((p) => p.length) : digits,
      hint: 'make one with splitDigitBank',
    });
  }
  const cellCount = spec.grid * spec.grid;
  const n = spec.minObjects + rng.int(spec.maxObjects - spec.minObjects + 1);
  const cells = rng
    .shuffle(Array.from({ length: cellCount }, (_, i) => i))
    .slice(0, n)
    .sort((a, b) => a - b);
  const isCard = cells.map(() => hasCards && rng.next() < spec.cardProb);
  if (hasCards && !isCard.some(Boolean)) isCard[rng.int(n)] = true;

  const objects: SceneObject[] = cells.map((cell, i) => {
    const color: ColorName = COLORS[rng.categorical(COLOR_WEIGHTS)];
    const base = COLOR_RGB[color];
    const rgb: [number, number, number] = [0, 1, 2].map((c) =>
      clampU8(base[c] + rng.int(2 * COLOR_JITTER + 1) - COLOR_JITTER),
    ) as [number, number, number];
    const row = Math.floor(cell / spec.grid);
    const col = cell % spec.grid;
    if (isCard[i]) {
      const digit = rng.int(10);
      const pool = digits![digit];
      const digitIndex = pool[rng.int(pool.length)];
      return { kind: 'card' as KindName, color, size: 'big', row, col, rgb, dx: 0, dy: 0, digit, digitIndex };
    }
    const kind = SHAPES[rng.categorical(SHAPE_WEIGHTS)];
    const size = rng.pick(SIZES);
    const free = spec.patchSize - spec.shapePx[size];
    const centre = Math.floor(free / 2);
    const jitter = (): number => Math.min(free, Math.max(0, centre + rng.int(3) - 1));
    const dx = jitter();
    const dy = jitter();
    return { kind, color, size, row, col, rgb, dx, dy, digit: -1, digitIndex: -1 };
  });
  const [lo, hi] = BACKGROUND_RANGE;
  const background = lo + rng.int(hi - lo + 1);
  const noiseSeed = rng.nextU32();
  return { task, objects, background, noiseSeed };
}

/** "color kind" key of an object category (what POPE asks about). */
export function categoryKey(color: ColorName, kind: KindName): string {
  return `${color} ${kind}`;
}

/** All categories of a task in enumeration order (colours outer, kinds inner). */
export function taskCategories(task: TaskName): string[] {
  const spec = getTaskSpec(task);
  const out: string[] = [];
  for (const c of taskColors(spec.task)) for (const k of spec.kinds) out.push(categoryKey(c, k));
  return out;
}

/** Category frequencies; `ranked` lists every category of the task, most frequent first (ties: enumeration order). */
export interface CategoryStats {
  task: TaskName;
  ranked: string[];
  freq: Record<string, number>;
}

function rankStats(task: TaskName, freq: Record<string, number>): CategoryStats {
  const cats = taskCategories(task);
  const order = cats.map((c, i) => [c, i] as const);
  order.sort((a, b) => freq[b[0]] - freq[a[0]] || a[1] - b[1]);
  return { task, ranked: order.map((o) => o[0]), freq };
}

/**
 * Expected category frequencies under the generator's own priors (probability that one object is of that
 * category, ignoring the forced card): the "most frequent objects in the dataset", independent of split sizes.
 */
export function priorStats(task: TaskName): CategoryStats {
  const spec = getTaskSpec(task);
  if (spec.task === 'hues') return rankStats(task, huesPriorFreq());
  const cw = COLOR_WEIGHTS.reduce((a, b) => a + b, 0);
  const sw = SHAPE_WEIGHTS.reduce((a, b) => a + b, 0);
  const freq: Record<string, number> = {};
  COLORS.forEach((c, ci) => {
    SHAPES.forEach((s, si) => {
      freq[categoryKey(c, s)] = (COLOR_WEIGHTS[ci] / cw) * (SHAPE_WEIGHTS[si] / sw) * (1 - spec.cardProb);
    });
    if (spec.kinds.includes('card')) freq[categoryKey(c, 'card')] = (COLOR_WEIGHTS[ci] / cw) * spec.cardProb;
  });
  return rankStats(task, freq);
}

/**
 * hues: probability that one object is called "colour kind" by the annotator's Bayes word, with hue uniform
 * (integrated on a 0.1° grid) and the shape weights.
 */
function huesPriorFreq(): Record<string, number> {
  const steps = 3600;
  const cf: Record<string, number> = {};
  for (const c of HUE_COLORS) cf[c] = 0;
  for (let i = 0; i < steps; i++) {
    const p = colorProbs((i + 0.5) * (360 / steps));
    const best = HUE_COLORS.reduce((a, b) => (p[b] > p[a] ? b : a));
    cf[best] += 1 / steps;
  }
  const sw = SHAPE_WEIGHTS.reduce((a, b) => a + b, 0);
  const freq: Record<string, number> = {};
  for (const c of HUE_COLORS)
    SHAPES.forEach((s, si) => {
      freq[categoryKey(c, s)] = cf[c] * (SHAPE_WEIGHTS[si] / sw);
    });
  return freq;
}

/** Empirical category frequencies (objects per scene) over `scenes`. */
export function computeStats(scenes: readonly Scene[], task: TaskName): CategoryStats {
  const freq: Record<string, number> = {};
  for (const c of taskCategories(task)) freq[c] = 0;
  for (const s of scenes)
    for (const o of s.objects) freq[categoryKey(o.color, o.kind)] += 1 / Math.max(1, scenes.length);
  return rankStats(task, freq);
}

/** How many of the most frequent absent categories a "popular" POPE negative is drawn from. */
export const POPULAR_TOP = 3;

/**
 * The category a POPE question asks about (every task): a present one for 'yes', else an absent one drawn at random,
 * among the POPULAR_TOP most frequent, or adversarially by the task's own rule (`adversarial(present, absent)`).
 */
export function popeCategory(
  rng: Rng,
  scene: Scene,
  stats: CategoryStats,
  kind: 'yes' | 'random' | 'popular' | 'adversarial',
  adversarial: (present: Set<string>, absent: string[]) => string,
): string {
  if (stats.task !== scene.task)
    throw new FieldError({ field: 'stats.task', expected: `the scene's task "${scene.task}"`, got: stats.task });
  const present = new Set(scene.objects.map((o) => categoryKey(o.color, o.kind)));
  const absent = taskCategories(scene.task).filter((c) => !present.has(c));
  if (kind === 'yes') return rng.pick([...present].sort());
  if (kind === 'random') return rng.pick(absent);
  if (kind === 'popular') return rng.pick(stats.ranked.filter((c) => !present.has(c)).slice(0, POPULAR_TOP));
  return adversarial(present, absent);
}
