// Builds a whole question-answering dataset (images, split and family codes, prompt and answer ids) from a
// seed. Sample j of split s depends only on (seed, task, s, j), so resizing one split never changes another.
// The hues task adds what the generator knows of each label's distribution: Bayes answers and ceilings.

import { FieldError } from '../base/errors';
import { deriveSeed, Rng } from '../base/rng';
import { PAD_ID, Tokenizer } from '../base/tokenizer';
import { ANNOTATOR } from './annotator';
import { renderScene } from './draw';
import {
  type CategoryStats,
  type DigitPool,
  generateScene,
  priorStats,
  splitDigitBank,
  validateDigitBank,
} from './generate';
import { makeQuestion, POPE_CYCLE, type PopeKind, type Question } from './questions';
import {
  type DigitBank,
  type FamilyName,
  getTaskSpec,
  MNIST_LICENSE,
  type Scene,
  type SplitName,
  SPLITS,
  type TaskName,
  type TaskSpec,
} from './spec';
import { buildVocab } from './vocab';

/** Scenes drawn per sample before giving up (a family with no valid question on any scene is a bug). */
const MAX_TRIES = 64;

/** Samples per split (non-negative integers). Each sample is one image with one question. */
export interface DatasetSizes {
  trainLabeled: number;
  trainUnlabeled: number;
  val: number;
  test: number;
}

export interface DatasetOptions {
  task: TaskName;
  /** Any finite number; taken as uint32. */
  seed: number;
  sizes: DatasetSizes;
  /** Families to generate and their code order (default: the task's families). Samples cycle through them. */
  families?: readonly FamilyName[];
  /** Real digits (digits task, required): train splits use its training pool, val/test its held-out pool. */
  digitBank?: DigitBank;
  /** Every heldOutEvery-th bank digit is held out for val/test (default 5, i.e. 20 %). */
  heldOutEvery?: number;
}

export interface Dataset {
  task: TaskName;
  spec: TaskSpec;
  seed: number;
  vocab: string[];
  families: FamilyName[];
  /** N samples; H, W, C image dims; Lp prompt slots; A answer slots (incl. <eos>); P patches. */
  n: number;
  height: number;
  width: number;
  channels: number;
  promptLen: number;
  answerLen: number;
  numPatches: number;
  images: Uint8Array; // [N, H, W, C]
  split: Uint8Array; // [N], 0 train-labeled, 1 train-unlabeled, 2 val, 3 test
  family: Uint8Array; // [N], index into `families`
  promptIds: Int32Array; // [N, Lp], <pad>-filled
  answerIds: Int32Array; // [N, A], answer + <eos>, <pad>-filled; all <pad> for train-unlabeled
  scenes: Scene[];
  /** Raw questions. NOTE: answers are kept even for train-unlabeled (for diagnostics only; never train on them). */
  questions: Question[];
  prompts: string[];
  answers: string[];
  /** Attribution of real data in the images ('' for shapes). */
  license: string;
  /**
   * hues only (absent for shapes and digits): each answer is one draw from a known distribution.
   * bayesAnswerIds [N, A]: the most probable answer of every sample (unlabeled ones too), <eos>-terminated,
   * <pad>-filled; answerProb [N]: probability of the drawn answer; bayesProb [N]: probability of the Bayes answer;
   * bayesAccuracy: per family with val samples, the mean of bayesProb over them in percent (the expected exact
   * match of the Bayes answer with a fresh draw: the ceiling of any model); annotator: how labels are drawn.
   */
  bayesAnswerIds?: Int32Array;
  answerProb?: Float32Array;
  bayesProb?: Float32Array;
  bayesAccuracy?: Partial<Record<FamilyName, number>>;
  annotator?: string;
}

function checkSizes(sizes: DatasetSizes): number[] {
  const keys: (keyof DatasetSizes)[] = ['trainLabeled', 'trainUnlabeled', 'val', 'test'];
  return keys.map((k) => {
    const v = sizes?.[k];
    if (!Number.isInteger(v) || v < 0)
      throw new FieldError({ field: `sizes.${k}`, expected: 'a non-negative integer', got: v });
    return v;
  });
}

/** Generates a dataset; see DatasetOptions. Deterministic: same options, same bytes. */
export function generateDataset(opts: DatasetOptions): Dataset {
  const spec = getTaskSpec(opts.task);
  const task = spec.task;
  if (!Number.isFinite(opts.seed)) throw new FieldError({ field: 'seed', expected: 'a finite number', got: opts.seed });
  const counts = checkSizes(opts.sizes);
  const families = (opts.families ?? spec.families).slice();
  if (families.length === 0)
    throw new FieldError({ field: 'families', expected: 'at least one family', got: families });
  families.forEach((f, k) => {
    if (!spec.families.includes(f)) {
      throw new FieldError({
        field: `families[${k}]`,
        expected: `one of ${spec.families.join(', ')} for task "${task}"`,
        got: f,
      });
    }
  });
  if (new Set(families).size !== families.length)
    throw new FieldError({ field: 'families', expected: 'no family twice', got: families });

  let pools: { train: DigitPool; heldOut: DigitPool } | null = null;
  if (spec.kinds.includes('card')) {
    if (!opts.digitBank) {
      throw new FieldError({
        field: 'digitBank',
        expected: `a DigitBank (task "${task}" draws cards from it)`,
        got: opts.digitBank,
        hint: 'in Node, load the MNIST digits with loadMnistBank()',
      });
    }
    validateDigitBank(opts.digitBank, spec.digitSize);
    pools = splitDigitBank(opts.digitBank, opts.heldOutEvery ?? 5);
  }

  const vocab = buildVocab(task);
  const tok = new Tokenizer(vocab);
  const stats: CategoryStats = priorStats(task);
  const N = counts.reduce((a, b) => a + b, 0);
  const { height: H, width: W, channels: C, promptLen: Lp, answerLen: A } = spec;
  const images = new Uint8Array(N * H * W * C);
  const split = new Uint8Array(N);
  const family = new Uint8Array(N);
  const promptIds = new Int32Array(N * Lp);
  const answerIds = new Int32Array(N * A).fill(PAD_ID);
  const scenes: Scene[] = [];
  const questions: Question[] = [];

  let i = 0;
  counts.forEach((count, s) => {
    const splitName: SplitName = SPLITS[s];
    const pool = pools ? (s <= 1 ? pools.train : pools.heldOut) : undefined;
    let popeIndex = 0;
    for (let j = 0; j < count; j++, i++) {
      const f = j % families.length;
      const fam = families[f];
      const popeKind: PopeKind | undefined = fam === 'pope' ? POPE_CYCLE[popeIndex++ % POPE_CYCLE.length] : undefined;
      const rng = new Rng(deriveSeed(opts.seed >>> 0, `${task}/${splitName}/${j}`));
      let scene: Scene | null = null;
      let q: Question | null = null;
      for (let t = 0; t < MAX_TRIES && !q; t++) {
        scene = generateScene(rng, task, pool);
        q = makeQuestion(rng, scene, fam, stats, { popeKind });
      }
      if (!q || !scene)
        throw new Error(`no "${fam}" question found in ${MAX_TRIES} scenes (sample ${j} of ${splitName})`);
      images.set(renderScene(scene, opts.digitBank), i * H * W * C);
      split[i] = s;
      family[i] = f;
      tok.encodeInto(q.prompt, promptIds, i * Lp, Lp, false);
      if (s !== 1) tok.encodeInto(q.answer, answerIds, i * A, A, true);
      scenes.push(scene);
      questions.push(q);
    }
  });

  const ds: Dataset = {
    task,
    spec,
    seed: opts.seed,
    vocab,
    families,
    n: N,
    height: H,
    width: W,
    channels: C,
    promptLen: Lp,
    answerLen: A,
    numPatches: spec.numPatches,
    images,
    split,
    family,
    promptIds,
    answerIds,
    scenes,
    questions,
    prompts: questions.map((q) => q.prompt),
    answers: questions.map((q) => q.answer),
    license: task === 'digits' ? MNIST_LICENSE : '',
  };
  if (task === 'hues') addBayes(ds, tok);
  return ds;
}

/** Fills the hues fields of `ds` from its questions' distributions (see Dataset). */
function addBayes(ds: Dataset, tok: Tokenizer): void {
  const { n: N, answerLen: A } = ds;
  const bayesAnswerIds = new Int32Array(N * A).fill(PAD_ID);
  const answerProb = new Float32Array(N);
  const bayesProb = new Float32Array(N);
  const sum: Partial<Record<FamilyName, number>> = {};
  const cnt: Partial<Record<FamilyName, number>> = {};
  ds.questions.forEach((q, i) => {
    if (q.bayesAnswer === undefined || q.bayesProb === undefined || q.answerProb === undefined) {
      throw new Error(`hues question ${i} (${q.family}) has no answer distribution`);
    }
    tok.encodeInto(q.bayesAnswer, bayesAnswerIds, i * A, A, true);
    answerProb[i] = q.answerProb;
    bayesProb[i] = q.bayesProb;
    if (ds.split[i] === 2) {
      sum[q.family] = (sum[q.family] ?? 0) + q.bayesProb;
      cnt[q.family] = (cnt[q.family] ?? 0) + 1;
    }
  });
  const bayesAccuracy: Partial<Record<FamilyName, number>> = {};
  for (const f of ds.families) if (cnt[f]) bayesAccuracy[f] = (100 * sum[f]!) / cnt[f]!;
  Object.assign(ds, { bayesAnswerIds, answerProb, bayesProb, bayesAccuracy, annotator: ANNOTATOR });
}

/** FNV-1a 32-bit hash (hex) of images, split, family, then prompt and answer ids as little-endian int32. */
export function datasetFingerprint(ds: Dataset): string {
  let h = 0x811c9dc5;
  const feed = (bytes: Uint8Array): void => {
    for (let k = 0; k < bytes.length; k++) h = Math.imul(h ^ bytes[k], 0x01000193);
  };
  feed(ds.images);
  feed(ds.split);
  feed(ds.family);
  const feedI32 = (ids: Int32Array): void => {
    for (let k = 0; k < ids.length; k++)
      for (let b = 0; b < 32; b += 8) h = Math.imul(h ^ ((ids[k] >>> b) & 0xff), 0x01000193);
  };
  feedI32(ds.promptIds);
  feedI32(ds.answerIds);
  return (h >>> 0).toString(16).padStart(8, '0');
}
