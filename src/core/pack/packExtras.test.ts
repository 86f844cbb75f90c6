// DESIGN §4c in the reader: ambiguity, bayes_answer_ids, student_init (metadata and weights), the teacher's pretrain
// and calibration — written and read back, and each bad value refused by name; packs without them read as before.
import { describe, expect, it } from 'vitest';
import { buildPackBytes, type PackInput, parsePack } from './pack';
import { makeTinyPack, TINY_DIMS } from '../testing/packFixture';

function withExtras(): PackInput {
  const p = makeTinyPack();
  const N = p.tensors.answer_ids.shape[0];
  p.tensors.bayes_answer_ids = {
    dtype: 'I32',
    shape: [N, TINY_DIMS.A],
    data: (p.tensors.answer_ids.data as Int32Array).slice(),
  };
  p.tensors['student_init.lm.head.w'] = {
    dtype: 'F32',
    shape: [4, TINY_DIMS.V],
    data: new Float32Array(4 * TINY_DIMS.V),
  };
  p.meta = {
    ...p.meta,
    ambiguity: {
      annotator: 'colour words drawn from a Gaussian over hue prototypes',
      bayesAccuracy: { color: 81.5, count: 77 },
    },
    studentInit: {
      config: { d: 4 },
      objective: 'next-token',
      steps: 500,
      corpus: 'prompts and answers of the unlabeled split',
    },
    teacher: {
      ...p.meta.teacher,
      pretrain: { objective: 'next-token', steps: 800, corpus: 'prompts and answers' },
      calibration: { ece: 0.03, medianTopProb: 0.8, meanEntropy: 0.6 },
    },
  };
  return p;
}

const refuse = (p: PackInput) => {
  try {
    buildPackBytes(p);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('pack §4c additions', () => {
  it('round-trip: every addition is read back as written, student_init.* among the weights', () => {
    const pack = parsePack(buildPackBytes(withExtras()), 'x');
    expect(pack.meta.ambiguity).toEqual({
      annotator: 'colour words drawn from a Gaussian over hue prototypes',
      bayesAccuracy: { color: 81.5, count: 77 },
    });
    expect(pack.meta.studentInit?.steps).toBe(500);
    expect(pack.meta.teacher.pretrain?.steps).toBe(800);
    expect(pack.meta.teacher.calibration?.medianTopProb).toBe(0.8);
    expect(pack.tensors.bayes_answer_ids?.length).toBe(pack.dims.N * pack.dims.A);
    expect(Object.keys(pack.weights)).toContain('student_init.lm.head.w');
    expect(pack.extraMetadata.ambiguity).toBeUndefined();
  });
  it('a pack without them reads as before', () => {
    const pack = parsePack(buildPackBytes(makeTinyPack()), 'x');
    expect(pack.meta.ambiguity).toBeUndefined();
    expect(pack.tensors.bayes_answer_ids).toBeUndefined();
  });
  it('bad values are refused by name', () => {
    const a = withExtras();
    a.meta.ambiguity = { annotator: 'x', bayesAccuracy: { color: 120 } };
    expect(refuse(a)).toMatch(/metadata\.ambiguity: .*bayesAccuracy\.color a percent in 0\.\.100 \(got 120\)/);
    const b = withExtras();
    b.meta.ambiguity = { annotator: 'x', bayesAccuracy: { nope: 50 } };
    expect(refuse(b)).toMatch(/metadata\.ambiguity: bayesAccuracy keys among metadata\.families/);
    const c = withExtras();
    (c.tensors.bayes_answer_ids.data as Int32Array)[0] = 999;
    expect(refuse(c)).toMatch(/tensor bayes_answer_ids: token ids in \[0, 12\)/);
    const d = withExtras();
    d.tensors.bayes_answer_ids = { dtype: 'I32', shape: [3, TINY_DIMS.A], data: new Int32Array(3 * TINY_DIMS.A) };
    expect(refuse(d)).toMatch(
      /tensor bayes_answer_ids: shape \[N=6, A=4\] with N = 6 as in tensor images \(got \[3, 4\]\)/,
    );
    const e = withExtras();
    delete e.meta.studentInit;
    expect(refuse(e)).toMatch(/metadata\.student_init: present when the pack ships student_init\.\* weights/);
    const f = withExtras();
    delete f.tensors['student_init.lm.head.w'];
    expect(refuse(f)).toMatch(/tensor student_init\.\*: present when metadata\.student_init is/);
    const g = withExtras();
    g.meta.teacher = { ...g.meta.teacher, calibration: { ece: 2, medianTopProb: 0.5, meanEntropy: 1 } };
    expect(refuse(g)).toMatch(/metadata\.teacher: calibration a JSON object \{ece: 0\.\.1/);
    const h = withExtras();
    h.meta.studentInit = { config: { d: 4 }, objective: 'next-token', steps: -1, corpus: 'x' };
    expect(refuse(h)).toMatch(/metadata\.student_init: a JSON object/);
  });
});

describe('pack:inspect prints the §4c additions', () => {
  it('each present addition, nothing for a pack without them', async () => {
    const { summarizePack } = await import('./packSummary');
    const s = summarizePack(parsePack(buildPackBytes(withExtras()), 'x'));
    expect(s.ambiguity).toEqual({
      annotator: 'colour words drawn from a Gaussian over hue prototypes',
      bayes_accuracy: { color: 81.5, count: 77 },
      bayes_answer_ids: true,
    });
    expect(s.student_init).toMatchObject({ objective: 'next-token', steps: 500, tensors: 1 });
    expect(s.teacher_pretrain?.steps).toBe(800);
    expect(s.teacher_calibration).toEqual({ ece: 0.03, median_top_prob: 0.8, mean_entropy: 0.6 });
    const plain = summarizePack(parsePack(buildPackBytes(makeTinyPack()), 'x'));
    expect(Object.keys(plain)).not.toContain('ambiguity');
  });
});
