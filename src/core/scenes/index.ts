// Public entry of the question-answering task generator (tasks `shapes`, `digits`, `hues`): scenes, pixels,
// questions, answer checker, tokenizer vocabulary and whole datasets. Pure TS, deterministic from a seed.
// hues: continuous attributes named by a probabilistic annotator (scenes/annotator.ts); labels are draws.
//
// Pipeline: generateScene(rng, task, digitPool) → Scene; renderScene(scene, digitBank) → Uint8Array [H, W, C];
// makeQuestion(rng, scene, family, stats) → {prompt, answer}; checkAnswer(scene, family, prompt, answer) recomputes
// the answer independently; generateDataset(options) does all of it per split and encodes ids with buildVocab(task).
// Digit bitmaps are passed in (DigitBank): src/core never reads files; scripts/lib/mnistBank.ts loads MNIST in Node.

export * from './spec';
export {
  type CategoryStats,
  categoryKey,
  computeStats,
  type DigitPool,
  generateScene,
  priorStats,
  splitDigitBank,
  taskCategories,
  validateDigitBank,
} from './generate';
export { renderScene, shapeMask } from './draw';
export {
  buildVocab,
  HUES_TEMPLATES,
  placeholderValues,
  TEMPLATES,
  taskFamilies,
  taskTemplates,
  type FamilyTemplates,
} from './vocab';
export {
  ANNOTATOR,
  type AnswerDist,
  colorProbs,
  HUE_PROTOTYPES,
  HUE_SIGMA,
  OCCLUDE_PROB,
  poissonBinomial,
  REL_SCALE,
  relationYes,
  SIDE_RANGE,
  SIZE_BOUNDS,
  SIZE_SCALE,
  sizeProbs,
} from './annotator';
export { generateHuesScene, hsvToRgb, renderHuesScene } from './hues';
export {
  makeQuestion,
  POPE_CYCLE,
  POPE_KINDS,
  POPULAR_TOP,
  type PopeKind,
  type Question,
  type QuestionOptions,
} from './questions';
export { checkAnswer, checkHuesLabel, type HuesCheck, huesAnswerDist, solveQuestion } from './check';
export { type Dataset, datasetFingerprint, type DatasetOptions, type DatasetSizes, generateDataset } from './dataset';
