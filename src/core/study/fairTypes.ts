// The fair study's result types (DESIGN §6c), shared by study/<pack>.json's reader (study.ts) and its writer
// (fairStudy.ts) without an import circle between them. Types only.

export type FairVerdict = 'reproduces' | 'reversed' | 'differs' | 'inconclusive';

export interface TuningEntry {
  grid: string[]; // the config ids it picks among
  best: string | null; // the pick: highest mean val exact match at the end of the budget (ties: the earlier config)
  by: 'val';
  val: Record<string, { mean: number | null; n: number }>;
}

export interface FairComparison {
  a: string; // run id of the side the claim puts first (gt: the one that should win)
  b: string;
  kind: 'gt' | 'eq';
  n: [number, number];
  means: [number | null, number | null];
  diff: number | null; // mean(a) − mean(b), points of test exact match at the end of the budget
  se: number | null;
  df: number | null; // Welch–Satterthwaite
  p: number | null; // welch: two-sided; tost: the larger one-sided p of |diff| < margin
  pBeyond?: number | null; // tost only: one-sided p of |diff| > margin (the "differs" side)
  pHolm: number | null; // the deciding p (welch: p; tost: the smaller of p and pBeyond) after Holm over the family
  ci95: [number | null, number | null];
  test: 'welch' | 'tost';
  margin?: number;
  verdict: FairVerdict;
  early?: { diff: number | null; ci95: [number | null, number | null]; p: number | null }; // at each run's best-val step (early stopping), not decisive
}

export interface FairVerdictSet {
  verdict: FairVerdict;
  comparisons: FairComparison[];
  note?: string;
}
