// The fair study's verdicts in plain words for the What-matters panel (issue 28 item 5): each verdict as a sentence, a
// comparison as "a beats b by d points (95 % CI lo to hi, p after Holm)", and one line when the two verdicts disagree.
import type { FairComparison, FairFinding, FairVerdict, FairVerdictSet } from './fairStudy';

const f1 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(1));
const pText = (p: number | null) => (p === null ? 'p —' : p < 0.001 ? 'p < 0.001' : `p ${p.toFixed(3)}`);

/** What a verdict means, fitted to the claim's kind (an ordering, or "about equal"). */
export function fairVerdictText(v: FairVerdict, kinds: ReadonlySet<'gt' | 'eq'>): string {
  const eqOnly = !kinds.has('gt');
  switch (v) {
    case 'reproduces':
      return eqOnly ? 'reproduces: equal within the margin (two one-sided tests)' : 'reproduces: the ordering holds (Welch, after Holm)';
    case 'reversed':
      return 'reversed: the opposite ordering holds (Welch, after Holm)';
    case 'differs':
      return 'differs: the paper finds them about equal; here they differ by more than the margin';
    default:
      return 'inconclusive: neither shown at 95 % after Holm (or too few runs)';
  }
}

/** One comparison in words: sides, difference, its 95 % interval and p after Holm. */
export function comparisonText(c: FairComparison, label: (id: string) => string): string {
  const rel = c.kind === 'gt' ? 'vs' : '≈?';
  const margin = c.test === 'tost' ? `, margin ±${c.margin}` : '';
  return `${label(c.a)} ${f1(c.means[0])} ${rel} ${label(c.b)} ${f1(c.means[1])} (n ${c.n[0]}/${c.n[1]}): ${c.diff !== null && c.diff >= 0 ? '+' : ''}${f1(c.diff)} points, 95 % CI ${f1(c.ci95[0])} to ${f1(c.ci95[1])}${margin}, ${c.test === 'tost' ? 'TOST ' : ''}${pText(c.p)}, Holm ${pText(c.pHolm)}`;
}

const kindsOf = (s: FairVerdictSet) => new Set(s.comparisons.map((c) => c.kind));

/** The lesson when tuning changes the answer; null when both verdicts agree. */
export function disagreement(f: FairFinding): string | null {
  const { paper, best } = f.verdicts;
  if (paper.verdict === best.verdict) return null;
  return `Tuning changes the answer: at the paper's settings it ${fairVerdictText(paper.verdict, kindsOf(paper)).split(':')[0]}, with each objective at its best it ${fairVerdictText(best.verdict, kindsOf(best)).split(':')[0]} — a verdict at one setting can be an artefact of that setting.`;
}

export const GLOSSARY: Record<string, string> = {
  'data-rich': 'the 500 labeled samples plus the unlabeled split answered by the teacher (its answers trained with seqCE); the paper’s regime',
  'labeled-only': 'only the 500 labeled samples: no teacher-generated answers',
  probe: 'a condition measured to explain a verdict (which positions carry a gain), not one that decides it',
  'at its best': 'each objective at the config of its small tuning grid (weight, T with T², lr) with the best val score, then measured on test at fresh seeds',
  'paper settings': 'the paper’s weights (×1 / ×5) at T 1 and lr 1e-3, measured on test',
  TOST: 'two one-sided tests: “about equal” is shown when the 90 % interval of the difference lies within ±margin',
  Holm: 'Holm’s correction over a pack’s decisive comparisons, so that the chance of any false verdict stays ≤ 5 %',
};
