// The optional pack additions of DESIGN §4c: `ambiguity` (how labels are drawn, the Bayes ceiling per family),
// `student_init` (a pretrained student's provenance; weights `student_init.*`), the teacher's `pretrain` and `calibration`.
import { brief, PackError } from './safetensors';

/** metadata `ambiguity`: labels drawn from a known answer distribution (the generator's). */
export interface AmbiguitySpec {
  annotator: string; // how labels are drawn, one sentence
  bayesAccuracy: Record<string, number>; // family → percent on val (0..100): the best exact match any model can reach
}
/** metadata `student_init`: what the `student_init.*` weights are. */
export interface StudentInitSpec {
  config: Record<string, unknown>; // the student ModelConfig they fit (d, layers, heads, mlpRatio, vocabSize, P, Lp, A, dV)
  objective: string; // e.g. "next-token"
  steps: number; // pretraining steps, ≥ 0
  corpus: string; // on what text, in words
}
/** teacher.pretrain: a language-model stage before the teacher's answer training. */
export interface PretrainSpec {
  objective: string;
  steps: number; // ≥ 0
  corpus: string;
}
/** teacher.calibration, on val answer rows. */
export interface CalibrationSpec {
  ece: number; // expected calibration error, 0..1
  medianTopProb: number; // median top-token probability, 0..1
  meanEntropy: number; // nats, ≥ 0
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
const isIn = (v: unknown, lo: number, hi: number): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi;

function json(md: Record<string, string>, key: string, file: string): unknown {
  try {
    return JSON.parse(md[key]);
  } catch (e) {
    throw new PackError(file, `metadata.${key}`, `a JSON string (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** metadata `ambiguity`, its families among the pack's. */
export function parseAmbiguity(md: Record<string, string>, file: string, families: readonly string[]): AmbiguitySpec {
  const a = json(md, 'ambiguity', file);
  const want = 'a JSON object {annotator: string, bayesAccuracy: {family: percent 0..100}} (DESIGN §4c)';
  if (!isObj(a) || typeof a.annotator !== 'string' || !isObj(a.bayesAccuracy))
    throw new PackError(file, 'metadata.ambiguity', `${want} (got ${brief(md.ambiguity)})`);
  for (const [fam, acc] of Object.entries(a.bayesAccuracy)) {
    if (!families.includes(fam))
      throw new PackError(
        file,
        'metadata.ambiguity',
        `bayesAccuracy keys among metadata.families (${families.join(', ')}; got ${brief(fam)})`,
      );
    if (!isIn(acc, 0, 100))
      throw new PackError(file, 'metadata.ambiguity', `bayesAccuracy.${fam} a percent in 0..100 (got ${brief(acc)})`);
  }
  return { annotator: a.annotator, bayesAccuracy: a.bayesAccuracy as Record<string, number> };
}

/** metadata `student_init`. */
export function parseStudentInit(md: Record<string, string>, file: string): StudentInitSpec {
  const s = json(md, 'student_init', file);
  const want = 'a JSON object {config: object, objective: string, steps: integer ≥ 0, corpus: string} (DESIGN §4c)';
  if (
    !isObj(s) ||
    !isObj(s.config) ||
    typeof s.objective !== 'string' ||
    !isInt(s.steps, 0) ||
    typeof s.corpus !== 'string'
  ) {
    throw new PackError(file, 'metadata.student_init', `${want} (got ${brief(md.student_init)})`);
  }
  return { config: s.config, objective: s.objective, steps: s.steps, corpus: s.corpus };
}

/** The teacher's optional `pretrain` and `calibration` (DESIGN §4c), checked when present. */
export function parseTeacherExtras(
  t: Record<string, unknown>,
  file: string,
): { pretrain?: PretrainSpec; calibration?: CalibrationSpec } {
  const out: { pretrain?: PretrainSpec; calibration?: CalibrationSpec } = {};
  if (t.pretrain !== undefined) {
    const p = t.pretrain;
    if (!isObj(p) || typeof p.objective !== 'string' || !isInt(p.steps, 0) || typeof p.corpus !== 'string') {
      throw new PackError(
        file,
        'metadata.teacher',
        `pretrain a JSON object {objective: string, steps: integer ≥ 0, corpus: string} (got ${brief(p)})`,
      );
    }
    out.pretrain = { objective: p.objective, steps: p.steps, corpus: p.corpus };
  }
  if (t.calibration !== undefined) {
    const c = t.calibration;
    if (!isObj(c) || !isIn(c.ece, 0, 1) || !isIn(c.medianTopProb, 0, 1) || !isIn(c.meanEntropy, 0, Infinity)) {
      throw new PackError(
        file,
        'metadata.teacher',
        `calibration a JSON object {ece: 0..1, medianTopProb: 0..1, meanEntropy: nats ≥ 0} (got ${brief(c)})`,
      );
    }
    out.calibration = { ece: c.ece, medianTopProb: c.medianTopProb, meanEntropy: c.meanEntropy };
  }
  return out;
}
