// Race presets (`race-select`, `?race=ID`): lanes that differ in one thing, each named after what it changes, and a
// description saying what every lane trains (seqCE included). The objective races run on the data-rich base (500
// labels + 3,000 unlabeled images answered by the teacher, seqCE 1).
import { DEFAULT_CONFIG, type DeepPartial, mergeConfig, type TrainConfig } from '../core/config/config';
import { FINDINGS, findingLanes } from '../core/study/findings';
import type { LanePatch, LanePlan } from '../core/race/lanes';
import { configSummary } from './lanes';

export interface RacePreset {
  id: string;
  label: string;
  about: string; // what the race shows and exactly what each lane trains
  lanes: LanePatch[]; // 1–4, patches over the defaults (seed kept)
}

const W0 = { ce: 0, seq: 0, kd: 0, hidden: 0, affinity: 0, attention: 0 };
/** A lane on the data-rich base: the unlabeled split answered by the teacher (seqCE 1) on top of the labels. */
const rich = (w: Partial<typeof W0>, extra: DeepPartial<TrainConfig> = {}): DeepPartial<TrainConfig> => ({
  ...extra,
  data: { useUnlabeled: true },
  weights: { ...W0, ce: 1, seq: 1, ...w },
});

/** The lab's own four races (issue "the race"); one race per finding of the paper follows them in RACES. */
const LAB_RACES: RacePreset[] = [
  {
    id: 'ce-vs-kd',
    label: 'CE vs CE + KD',
    about:
      "Logit distillation against cross-entropy alone. Both lanes: CE 1 on the 500 labels + seqCE 1 on the teacher's answers to 3,000 unlabeled images; the second adds forward KL ×5 at T 1 (no T²) on the answer tokens.",
    lanes: [
      { name: 'CE', patch: rich({}) },
      { name: 'CE + fKL ×5', patch: rich({ kd: 5 }) },
    ],
  },
  {
    id: 'temperature',
    label: 'Temperature (KD only ×5, T 0.1 / 0.25 / 0.7 / 1)',
    about:
      "How soft the teacher's targets are. Every lane: no ground-truth CE (CE 0), seqCE 1 on the teacher's answers to the unlabeled images, and forward KL ×5 (no T²) on the answer tokens at T 0.1, 0.25, 0.7 or 1.",
    lanes: [0.1, 0.25, 0.7, 1].map((T) => ({ name: `T ${T}`, patch: rich({ ce: 0, kd: 5 }, { kd: { T } }) })),
  },
  {
    id: 'logits-hidden',
    label: 'Logits vs hidden vs both',
    about:
      "What to align. Every lane: CE 1 + seqCE 1 on the data-rich base; plus forward KL ×5 at T 1 on the logits, or hidden-state MSE ×5 through φ, or both (the paper's recipe).",
    lanes: [
      { name: 'logits (fKL ×5)', patch: rich({ kd: 5 }) },
      { name: 'hidden ×5', patch: rich({ hidden: 5 }) },
      { name: 'both', patch: rich({ kd: 5, hidden: 5 }) },
    ],
  },
  {
    id: 'labeled-vs-unlabeled',
    label: 'Labeled only vs + teacher answers on unlabeled',
    about:
      "What the teacher's answers on unlabeled images add. Both lanes: CE 1 + forward KL ×5 at T 1 on the answer tokens; the first on the 500 labeled samples alone (seqCE 0: no teacher answers), the second also with seqCE 1 on the teacher's answers to 3,000 unlabeled images.",
    lanes: [
      { name: 'labeled only', patch: { data: { useUnlabeled: false }, weights: { ...W0, ce: 1, kd: 5 } } },
      { name: '+ teacher answers', patch: rich({ kd: 5 }) },
    ],
  },
];

/** What each lane trains, from its config: "Lanes: A = CE + seqCE + fkl(T 1) on + unlabeled; B = …". */
export function lanesAbout(lanes: RacePreset['lanes']): string {
  const terms = (patch: DeepPartial<TrainConfig>) =>
    configSummary(mergeConfig(DEFAULT_CONFIG, patch)).replace(/ · lr .*$/, '');
  return `Lanes: ${lanes.map((l) => `${l.name} = ${terms(l.patch)}`).join('; ')}.`;
}

/** One race per finding of the paper: its conditions as lanes (src/core/study/findings.ts). */
const FINDING_RACES: RacePreset[] = FINDINGS.map((f) => {
  const lanes = findingLanes(f);
  return { id: `finding-${f.id}`, label: `${f.id}: ${f.claim}`, about: `${f.claim} ${lanesAbout(lanes)}`, lanes };
});

export const RACES: RacePreset[] = [...LAB_RACES, ...FINDING_RACES];

export const raceById = (id: string | null | undefined) => RACES.find((r) => r.id === id);

/** A race's lanes over the defaults, keeping `base`'s seed (same seed: same initial students, same batches). */
export function raceLanes(lanes: RacePreset['lanes'], base: TrainConfig): LanePlan[] {
  return lanes.map((l) => ({ name: l.name, config: mergeConfig({ ...DEFAULT_CONFIG, seed: base.seed }, l.patch) }));
}
