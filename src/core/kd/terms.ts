// The one place the loss-term names, the metrics-row columns and the pack's split codes are written (DESIGN §3, §4).
// Everything else (trainer, worker, store, CSV export, config checks) imports these lists and their typed lookups.

/** The weighted loss terms, in the order of `TrainConfig.weights`, weight rows and CSV columns. */
export const TERM_NAMES = ['ce', 'seq', 'kd', 'hidden', 'affinity', 'attention'] as const;
export type TermName = (typeof TERM_NAMES)[number];

/** How the lab labels each term (knobs, legends). */
export const TERM_LABELS: Record<TermName, string> = {
  ce: 'CE',
  seq: 'seqCE',
  kd: 'KD (logits)',
  hidden: 'hidden',
  affinity: 'affinity',
  attention: 'attention',
};

/**
 * Columns of one metrics row (a step's values): the weighted total, every term, the global gradient norm.
 * NaN = not measured that step (no targets, weight-0 seqCE, CE on an on-policy batch, a forward-only step).
 */
export const VALUE_NAMES = ['total', ...TERM_NAMES, 'gradNorm'] as const;
export type ValueName = (typeof VALUE_NAMES)[number];

/** Width of a metrics row ([n, VALUE_WIDTH] values) and of a weights row ([n, TERM_WIDTH] weights). */
export const VALUE_WIDTH = VALUE_NAMES.length;
export const TERM_WIDTH = TERM_NAMES.length;

const VALUE_INDEX = Object.fromEntries(VALUE_NAMES.map((n, i) => [n, i])) as Record<ValueName, number>;
const TERM_INDEX = Object.fromEntries(TERM_NAMES.map((n, i) => [n, i])) as Record<TermName, number>;

/** Column of `name` in a metrics row. */
export const valueCol = (name: ValueName): number => VALUE_INDEX[name];
/** Column of `name` in a weights row. */
export const termCol = (name: TermName): number => TERM_INDEX[name];

/** Row `row` of a flat [n, VALUE_WIDTH] metrics array, column `name`. */
export function valueAt(values: ArrayLike<number>, row: number, name: ValueName): number {
  return values[row * VALUE_WIDTH + VALUE_INDEX[name]];
}
/** Row `row` of a flat [n, TERM_WIDTH] weights array, column `name`. */
export function weightAt(weights: ArrayLike<number>, row: number, name: TermName): number {
  return weights[row * TERM_WIDTH + TERM_INDEX[name]];
}
/** The last row of a flat metrics array (a copy), or of a weights array with `width` TERM_WIDTH. */
export function lastRow(flat: Float32Array, width: number): Float32Array {
  const n = Math.floor(flat.length / width);
  return flat.slice((n - 1) * width, n * width);
}

/** Split codes of the pack's `split` tensor (DESIGN §4). */
export const SPLIT = { trainLabeled: 0, trainUnlabeled: 1, val: 2, test: 3 } as const;
export type SplitName = keyof typeof SPLIT;
export type SplitCode = (typeof SPLIT)[SplitName];
/** Number of split codes: a `split` value must lie in [0, SPLIT_COUNT). */
export const SPLIT_COUNT = Object.keys(SPLIT).length;
