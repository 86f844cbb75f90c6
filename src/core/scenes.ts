// Public entry of the question-answering task generator (tasks `shapes` and `digits`): scenes, pixels,
// questions, answer checker, tokenizer vocabulary and whole datasets. Pure TS, deterministic from a seed.
//
// Pipeline: generateScene(rng, task, digitPool) → Scene; renderScene(scene, digitBank) → Uint8Array [H, W, C];
// makeQuestion(rng, scene, family, stats) → {prompt, answer}; checkAnswer(scene, family, prompt, answer) recomputes
// the answer independently; generateDataset(options) does all of it per split and encodes ids with buildVocab(task).
// Digit bitmaps are passed in (DigitBank): src/core never reads files; scripts/lib/mnistBank.ts loads MNIST in Node.

export * from './scenes/spec';
export {
  type CategoryStats, categoryKey, computeStats, type DigitPool, generateScene, priorStats, splitDigitBank,
  taskCategories, validateDigitBank,
} from './scenes/generate';
export { renderScene, shapeMask } from './scenes/draw';
export { buildVocab, placeholderValues, TEMPLATES, taskFamilies, type FamilyTemplates } from './scenes/vocab';
export {
  makeQuestion, POPE_CYCLE, POPE_KINDS, POPULAR_TOP, type PopeKind, type Question, type QuestionOptions,
} from './scenes/questions';
export { checkAnswer, solveQuestion } from './scenes/check';
export { type Dataset, datasetFingerprint, type DatasetOptions, type DatasetSizes, generateDataset } from './scenes/dataset';
