// The one findings table (issue 15): each of the paper's findings with its claim, the paper's numbers with their
// provenance (src/core/study/paperValues.ts), the study's conditions as config patches over DEFAULT_CONFIG, and the
// comparisons that decide its verdict. Pure TS.
import type { DeepPartial, Divergence, ExtraPositions, HiddenMode, TrainConfig } from '../config/config';
import { type LanePatch, MAX_LANES } from '../race/lanes';
import { PAPER, type PaperSide, type PaperValue, S14, textvqaText } from './paperValues';

export { NOT_STATED, PAPER_FILES, provenanceText, temperatureText, textvqaText, TRAINER_T } from './paperValues';
export type { PaperSide, PaperValue } from './paperValues';

/** The two data settings a condition is measured on. */
export type Base = 'rich' | 'labeled';
export const BASES: Record<Base, string> = {
  rich: 'data-rich: 500 labeled + the unlabeled split answered by the teacher (seqCE 1, KD there too)',
  labeled: 'labeled only: the 500 labeled samples',
};

/** One study condition: a full description of the losses and data, as a patch over DEFAULT_CONFIG. */
export interface Condition {
  id: string; // also the file name stem of its runs (study/runs/<pack>/<id>-s<seed>.json)
  label: string;
  base: Base;
  patch: DeepPartial<TrainConfig>;
}

interface Spec {
  ce?: number; // ground-truth CE weight (default 1; 0 = "KD only")
  kd?: number; // logit-divergence weight (default 0)
  hidden?: number;
  affinity?: number;
  attention?: number;
  divergence?: Divergence;
  T?: number;
  t2?: boolean;
  allPositions?: boolean;
  extraPositions?: ExtraPositions; // with allPositions: which non-answer positions (default image+prompt)
  hiddenMode?: HiddenMode;
  lambda?: number; // on-policy fraction
}

/** Every weight, the data setting and the knobs a finding varies are written out, so a patch means the same thing
 *  over any lane's config (a race lane keeps only its optimiser and seed). */
function patchOf(base: Base, s: Spec): DeepPartial<TrainConfig> {
  return {
    weights: { ce: s.ce ?? 1, seq: base === 'rich' ? 1 : 0, kd: s.kd ?? 0, hidden: s.hidden ?? 0, affinity: s.affinity ?? 0, attention: s.attention ?? 0 },
    kd: {
      divergence: s.divergence ?? 'fkl',
      T: s.T ?? 1,
      t2: s.t2 ?? false,
      normLogits: false,
      topKMode: 'dense',
      allPositions: s.allPositions ?? false,
      extraPositions: s.extraPositions ?? 'image+prompt',
      source: s.allPositions ? 'online' : 'cached',
    },
    hiddenMode: s.hiddenMode ?? 'mse',
    onPolicy: { lambda: s.lambda ?? 0 },
    data: { useUnlabeled: base === 'rich' },
  };
}

const cond = (id: string, base: Base, label: string, s: Spec): Condition => ({ id, base, label: `${label} (${base === 'rich' ? 'data-rich' : 'labeled'})`, patch: patchOf(base, s) });
const T_VALUES = [0.1, 0.25, 0.7, 1] as const;
const tId = (T: number) => `t${String(T).replace('.', '')}`; // 0.25 → t025

export const CONDITIONS: Record<string, Condition> = Object.fromEntries(
  [
    cond('rich-ce', 'rich', 'CE + seqCE', {}),
    cond('rich-fkl', 'rich', 'CE + fKL', { kd: 1 }),
    cond('rich-fkl5', 'rich', 'CE + fKL ×5', { kd: 5 }),
    cond('rich-fkl-all', 'rich', 'CE + fKL, all positions (online teacher)', { kd: 1, allPositions: true }),
    cond('rich-fkl-img', 'rich', 'CE + fKL, answer + image (online teacher)', { kd: 1, allPositions: true, extraPositions: 'image' }),
    cond('rich-fkl-prompt', 'rich', 'CE + fKL, answer + prompt (online teacher)', { kd: 1, allPositions: true, extraPositions: 'prompt' }),
    ...T_VALUES.map((T) => cond(`rich-kd5-${tId(T)}`, 'rich', `KD only ×5, T ${T}`, { ce: 0, kd: 5, T })),
    cond('rich-hid5', 'rich', 'CE + hidden MSE ×5', { hidden: 5 }),
    cond('rich-hid5-cos', 'rich', 'CE + hidden cosine ×5', { hidden: 5, hiddenMode: 'cosine' }),
    cond('rich-fkl5-hid5', 'rich', 'CE + fKL ×5 + hidden ×5', { kd: 5, hidden: 5 }),
    cond('rich-fkl-aff', 'rich', 'CE + fKL + affinity', { kd: 1, affinity: 1 }),
    cond('rich-fkl-att', 'rich', 'CE + fKL + attention', { kd: 1, attention: 1 }),
    cond('rich-rkl', 'rich', 'CE + rKL', { kd: 1, divergence: 'rkl' }),
    cond('rich-jsd', 'rich', 'CE + JSD', { kd: 1, divergence: 'jsd' }),
    cond('rich-mse', 'rich', 'CE + logit MSE', { kd: 1, divergence: 'mse' }),
    cond('rich-tvd', 'rich', 'CE + TVD', { kd: 1, divergence: 'tvd' }),
    cond('rich-fkl-onpol', 'rich', 'CE + fKL, on-policy λ 0.5', { kd: 1, lambda: 0.5 }),
    cond('rich-fkl3-t1', 'rich', 'CE + 3 fKL, T 1', { kd: 3 }),
    cond('rich-fkl3-t4', 'rich', 'CE + 3 fKL, T 4 with T²', { kd: 3, T: 4, t2: true }),
    cond('lab-ce', 'labeled', 'CE', {}),
    cond('lab-fkl', 'labeled', 'CE + fKL', { kd: 1 }),
    cond('lab-fkl5', 'labeled', 'CE + fKL ×5', { kd: 5 }),
    ...T_VALUES.map((T) => cond(`lab-kd5-${tId(T)}`, 'labeled', `KD only ×5, T ${T}`, { ce: 0, kd: 5, T })),
  ].map((c) => [c.id, c]),
);

/** How a comparison decides: `gt` — `hi` should beat `lo`; `eq` — the two should not differ (the paper's "≈",
 *  "adds little"). The statistic is in stats.ts. */
export type Comparison = { kind: 'gt'; hi: string; lo: string } | { kind: 'eq'; a: string; b: string };

export interface Finding {
  id: string;
  claim: string;
  /** The paper's numbers with their provenance (src/core/study/paperValues.ts). */
  paper: PaperSide;
  /** The comparisons on the data-rich base that decide the verdict (all must hold). */
  comparisons: Comparison[];
  /** The same comparisons on the labeled-only base (F1, F2, F4): shown beside, to show that the regime matters. */
  labeled?: Comparison[];
  /** Extra conditions measured for the finding but not decisive (F10's TVD). */
  extra?: string[];
  /** Conditions that probe the reason for the verdict (F3: which positions carry the gain); not decisive, quoted by
   *  the panel's why line. */
  probe?: string[];
}

const gt = (hi: string, lo: string): Comparison => ({ kind: 'gt', hi, lo });
const eq = (a: string, b: string): Comparison => ({ kind: 'eq', a, b });

export const FINDINGS: Finding[] = [
  {
    id: 'F1',
    claim: 'Logit KD beats CE alone',
    paper: PAPER.F1,
    comparisons: [gt('rich-fkl', 'rich-ce')],
    labeled: [gt('lab-fkl', 'lab-ce')],
  },
  {
    id: 'F2',
    claim: 'KD weight ×5 beats ×1',
    paper: PAPER.F2,
    comparisons: [gt('rich-fkl5', 'rich-fkl')],
    labeled: [gt('lab-fkl5', 'lab-fkl')],
  },
  {
    id: 'F3',
    claim: 'KD on answer tokens only beats KD on all positions',
    paper: PAPER.F3,
    comparisons: [gt('rich-fkl', 'rich-fkl-all')],
    // where all positions' gain comes from: the image part or the prompt part alone
    probe: ['rich-fkl-img', 'rich-fkl-prompt'],
  },
  {
    id: 'F4',
    claim: 'Temperature, KD only ×5: T 0.1 < 0.25 < 0.7 ≈ 1',
    paper: PAPER.F4,
    comparisons: [gt('rich-kd5-t025', 'rich-kd5-t01'), gt('rich-kd5-t07', 'rich-kd5-t025'), eq('rich-kd5-t07', 'rich-kd5-t1')],
    labeled: [gt('lab-kd5-t025', 'lab-kd5-t01'), gt('lab-kd5-t07', 'lab-kd5-t025'), eq('lab-kd5-t07', 'lab-kd5-t1')],
  },
  {
    id: 'F5',
    claim: 'Hidden alone < logits alone; both together best',
    paper: PAPER.F5,
    comparisons: [gt('rich-fkl', 'rich-hid5'), gt('rich-fkl5-hid5', 'rich-fkl')],
  },
  {
    id: 'F6',
    claim: 'Hidden-state MSE ≈ cosine',
    paper: PAPER.F6,
    comparisons: [eq('rich-hid5', 'rich-hid5-cos')],
  },
  {
    id: 'F7',
    claim: 'Affinity adds little to logits',
    paper: PAPER.F7,
    comparisons: [eq('rich-fkl-aff', 'rich-fkl')],
  },
  {
    id: 'F8',
    claim: 'Attention maps add little',
    paper: PAPER.F8,
    comparisons: [eq('rich-fkl-att', 'rich-fkl')],
  },
  {
    id: 'F9',
    claim: 'Teacher-generated answers on extra images help most',
    paper: PAPER.F9,
    comparisons: [gt('rich-fkl', 'lab-fkl')],
  },
  {
    id: 'F10',
    claim: 'Forward KL beats reverse KL, JSD and logit MSE',
    paper: PAPER.F10,
    comparisons: [gt('rich-fkl', 'rich-rkl'), gt('rich-fkl', 'rich-jsd'), gt('rich-fkl', 'rich-mse')],
    extra: ['rich-tvd'],
  },
  {
    id: 'F11',
    claim: 'On-policy: student answers scored by the teacher (λ 0.5) beat off-policy KD',
    paper: PAPER.F11,
    comparisons: [gt('rich-fkl-onpol', 'rich-fkl')],
  },
  {
    id: 'F12',
    claim: '(lab) Softened targets: T 4 with T² beats T 1',
    paper: PAPER.F12,
    comparisons: [gt('rich-fkl3-t4', 'rich-fkl3-t1')],
  },
];

/** The condition ids a comparison reads. */
export const comparisonIds = (c: Comparison): [string, string] => (c.kind === 'gt' ? [c.hi, c.lo] : [c.a, c.b]);

/** Every condition a finding measures, decisive first, without repeats. */
export function findingConditions(f: Finding): string[] {
  const ids = [...f.comparisons.flatMap(comparisonIds), ...(f.extra ?? []), ...(f.probe ?? []), ...(f.labeled ?? []).flatMap(comparisonIds)];
  return [...new Set(ids)];
}

/** A finding's race: its conditions as lanes (≤ 4; the decisive ones first, then labeled-only ones while room). */
export function findingLanes(f: Finding): LanePatch[] {
  return findingConditions(f)
    .slice(0, MAX_LANES)
    .map((id) => ({ name: CONDITIONS[id].label, patch: CONDITIONS[id].patch }));
}

export function findingById(id: string): Finding | undefined {
  return FINDINGS.find((f) => f.id === id);
}

/** A paper number by finding and label (the presets quote the paper through this; throws on a typo). */
export function paperValue(findingId: string, label: string): PaperValue {
  const v = findingById(findingId)?.paper.values.find((x) => x.label === label);
  if (!v) throw new Error(`findings: no paper value "${label}" in ${findingId}`);
  return v;
}

/** "TextVQA 49.5", with the student when it is not MobileLLaMA 2.7B and the source when it is not the LLaVADI notes. */
export function paperText(v: PaperValue): string {
  const who = v.student === S14 ? ' (1.4B student)' : v.student.startsWith('20-layer') ? ' (20-layer LLaVA student)' : '';
  const where = v.source === 'mobilevlm' ? ' (MobileVLM’s published score, not a LLaVADI run)' : '';
  return `TextVQA ${textvqaText(v.textvqa)}${who}${where}`;
}
