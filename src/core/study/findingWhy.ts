// A finding's verdict in words (fitted to an ordering or an equality claim), and why it did not reproduce in one or two
// sentences computed from the study JSON: the decisive comparison's means ± std, difference ± SE, then the same
// difference paired by seed when that is decisive, else the finding's probe conditions when measured, else the
// question family where the two conditions differ most or vary most. Pure TS.
import { EQ_MAX_SE } from './stats';
import type { StudyComparison, StudyFinding, StudyJson } from './study';

const f1 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(1));

/** The comparison that decides a non-reproducing verdict: the first reversed one, else the first not reproducing. */
export function decisive(f: StudyFinding): StudyComparison | undefined {
  return f.comparisons.find((c) => c.verdict === 'reversed') ?? f.comparisons.find((c) => c.verdict !== 'reproduces');
}

/** Per-family mean gap between two conditions, and each family's range across both conditions' seeds. */
function families(study: StudyJson, a: string, b: string) {
  const ca = study.conditions[a];
  const cb = study.conditions[b];
  return study.families.map((fam) => {
    const xa = ca.runs.map((r) => r.perFamily[fam]).filter(Number.isFinite);
    const xb = cb.runs.map((r) => r.perFamily[fam]).filter(Number.isFinite);
    const all = [...xa, ...xb];
    return { fam, gap: (ca.perFamily[fam]?.mean ?? NaN) - (cb.perFamily[fam]?.mean ?? NaN), a: ca.perFamily[fam]?.mean, b: cb.perFamily[fam]?.mean, lo: Math.min(...all), hi: Math.max(...all) };
  });
}

/** Whose claim it is: the paper's, or the lab's own (F12, "(lab) …"), which the paper never made. */
const claimOf = (f: StudyFinding) => (f.claim.startsWith('(lab)') ? 'the lab’s claimed' : 'the paper’s');

/** The verdict in words, fitted to the claim: an ordering ("beats", `gt`) or an equality ("≈", "adds little", `eq`). */
export function verdictText(f: StudyFinding): string {
  const kinds = new Set(f.comparisons.map((c) => c.kind));
  if (f.verdict === 'reproduces') {
    if (!kinds.has('eq')) return `Reproduces: ${claimOf(f)} ordering holds by more than 2 standard errors.`;
    if (!kinds.has('gt')) return `Reproduces: the two are within 2 standard errors, with that SE at most ${EQ_MAX_SE} points, as the paper finds them about equal.`;
    return `Reproduces: each ordering holds by more than 2 standard errors, and what the paper finds about equal is within 2 (SE at most ${EQ_MAX_SE} points).`;
  }
  if (f.verdict === 'reversed') {
    return decisive(f)?.kind === 'eq'
      ? 'Reversed: the two differ by more than 2 standard errors where the paper finds them about equal.'
      : 'Reversed: the opposite holds by more than 2 standard errors.';
  }
  return 'Inconclusive: not decided at 2 standard errors (or too few runs).';
}

/** null when the finding reproduces; otherwise the reason, backed by the study's numbers. */
export function whyText(f: StudyFinding, study: StudyJson): string | null {
  if (f.verdict === 'reproduces') return null;
  const c = decisive(f);
  if (!c) return null;
  const [a, b] = c.ids;
  const la = study.conditions[a]?.label ?? a;
  const lb = study.conditions[b]?.label ?? b;
  if (c.n[0] < 2 || c.n[1] < 2) {
    return `Not enough runs yet: ${la} has ${c.n[0]} and ${lb} ${c.n[1]} of ${study.seeds} seeds (the study is partial; 2 a side are needed for a standard error).`;
  }
  const sides = `${la} ${f1(c.means[0])} ± ${f1(c.stds[0])} % against ${lb} ${f1(c.means[1])} ± ${f1(c.stds[1])} % (${c.n[0]} and ${c.n[1]} seeds)`;
  let first: string;
  if (c.verdict === 'reversed') first = c.kind === 'gt' ? `Reversed: ${sides}, ${f1(-(c.diff ?? NaN))} points the other way, more than 2 SE (${f1(c.se)}).` : `They differ: ${sides}, a gap of ${f1(c.diff)} points, more than 2 SE (${f1(c.se)}).`;
  else if (c.kind === 'eq') first = `Too noisy to call equal: ${sides}; the SE of the difference is ${f1(c.se)} points (≤ ${EQ_MAX_SE} needed).`;
  else first = `Within the noise: ${sides}; the difference ${f1(c.diff)} is under 2 SE (2 × ${f1(c.se)}).`;
  // Paired by seed (a seed fixes init and batches for every condition): when that is decisive and Welch's is not, it
  // is the reason — the seeds' shared luck hides a real gap. The verdict stays Welch's (DESIGN §6b).
  const p = c.paired;
  if (c.verdict === 'inconclusive' && p && p.se !== null && p.diff !== null && p.n >= 3 && Math.abs(p.diff) > 2 * p.se) {
    const against = c.kind === 'gt' && p.diff < 0 ? `, against ${claimOf(f)} ordering` : c.kind === 'eq' ? ': they differ' : '';
    return `${first} Paired by seed (the same init and batches, ${p.n} seeds) the difference is ${f1(p.diff)} ± ${f1(p.se)}, beyond 2 SE${against}; the seed-to-seed spread both share hides it from the unpaired SE.`;
  }
  // A probe measured for this finding explains more than a family split: quote its conditions beside the two sides.
  const probes = (f.probe ?? []).map((id) => ({ id, c: study.conditions[id] })).filter((x) => x.c && x.c.runs.length >= 2 && x.c.overall.mean !== null);
  if (probes.length) {
    const list = probes.map(({ id, c }) => `${c.label ?? id} ${f1(c.overall.mean)} ± ${f1(c.overall.std)} % (${c.runs.length} seeds)`).join('; ');
    return `${first} Probe (not decisive): ${list}.`;
  }
  const fams = families(study, a, b).filter((x) => Number.isFinite(x.gap));
  if (!fams.length) return first;
  const widest = fams.reduce((p, x) => (x.hi - x.lo > p.hi - p.lo ? x : p));
  const biggest = fams.reduce((p, x) => (Math.abs(x.gap) > Math.abs(p.gap) ? x : p));
  const second =
    c.verdict === 'reversed'
      ? `The gap is largest on ${biggest.fam}: ${f1(biggest.a)} against ${f1(biggest.b)} %.`
      : `${widest.fam} varies most across seeds (${f1(widest.lo)}–${f1(widest.hi)} %); the largest mean gap is on ${biggest.fam} (${f1(biggest.a)} against ${f1(biggest.b)} %).`;
  return `${first} ${second}`;
}
