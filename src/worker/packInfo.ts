// A loaded pack as the UI sees it (PackInfo, the `packLoaded` message): splits, vocabulary, targets, the teacher's
// accuracy and calibration, the fixed val subset and its families, and the DESIGN §4c additions. The tensors stay here.
import type { Pack } from '../core/pack/pack';
import type { StudentRun } from '../model/studentRun';
import type { PackInfo } from './protocol';

/** Val samples followed by the alignment-over-training view (the first of the fixed val subset). */
export const ALIGN_SAMPLES = 8;

/** PackInfo of `pack` (file `name`, `bytes` long as loaded) and the student run built on it. */
export function packInfoOf(pack: Pack, run: StudentRun, name: string, bytes: number): PackInfo {
  const evalIdx = run.evalIdx;
  const n = [0, 0, 0, 0];
  for (const s of pack.tensors.split) n[s]++;
  const overall = Number(pack.extraMetadata.teacher_overall_accuracy);
  const amb = pack.meta.ambiguity;
  const cal = pack.meta.teacher.calibration;
  const evalFamilyCounts = new Array<number>(pack.meta.families.length).fill(0);
  for (const k of evalIdx) evalFamilyCounts[pack.tensors.family[k]]++;
  return {
    name,
    bytes,
    families: pack.meta.families,
    vocab: pack.meta.vocab,
    counts: { trainLabeled: n[0], trainUnlabeled: n[1], val: n[2], test: n[3] },
    targets: { kind: pack.meta.targets.kind, k: pack.meta.targets.k },
    V: pack.dims.V,
    A: pack.dims.A,
    image: pack.meta.image ?? { height: 0, width: 0, channels: 0 }, // a features pack without thumbnails: 0×0
    teacherAccuracy: pack.meta.teacher.accuracy,
    teacherOverall: Number.isFinite(overall) ? overall : null,
    hasTeacherWeights: run.teacher != null,
    evalSamples: evalIdx.length,
    alignSamples: Math.min(ALIGN_SAMPLES, evalIdx.length),
    grid: run.grid,
    evalFamilyCounts,
    bayesAccuracy: amb ? { ...amb.bayesAccuracy } : null,
    annotator: amb ? amb.annotator : null,
    hasBayesAnswers: pack.tensors.bayes_answer_ids !== undefined,
    hasStudentInit: pack.meta.studentInit !== undefined,
    teacherCalibration: cal ? { ece: cal.ece, medianTopProb: cal.medianTopProb, meanEntropy: cal.meanEntropy } : null,
  };
}
