// The quick study's three conditions as config patches over DEFAULT_CONFIG (the lab's default run): used by
// `npm run study` and by the lab's presets, so the lab reproduces the study. Pure TS: no tfjs, no DOM.
import type { DeepPartial, TrainConfig } from './config';

export type StudyConditionId = 'a' | 'b' | 'c';

/** KD in (b) and (c): forward KL on the answer positions at T = 4 with the T² factor, weight 3. At T = 1 the confident
 *  teachers' targets are nearly one-hot and add nothing to 500 labels; softened, the answer distribution also ranks
 *  the image's other colours, shapes and digits (docs/packs.md, "Quick study"). */
const STUDY_KD = { divergence: 'fkl', T: 4, t2: true, normLogits: false, topKMode: 'dense', allPositions: false, source: 'cached' } as const;

export const STUDY_CONDITIONS: Record<StudyConditionId, { label: string; patch: DeepPartial<TrainConfig> }> = {
  a: { label: '(a) CE, labeled', patch: { weights: { ce: 1 } } },
  b: { label: '(b) CE + 3 fKL(T 4) logits, labeled', patch: { weights: { ce: 1, kd: 3 }, kd: { ...STUDY_KD } } },
  c: {
    label: '(c) (b) + seqCE + KD on unlabeled',
    patch: { weights: { ce: 1, kd: 3, seq: 1 }, kd: { ...STUDY_KD }, data: { useUnlabeled: true } },
  },
};
