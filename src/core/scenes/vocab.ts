// The prompt and answer templates of every question family, and the vocabulary enumerated from them
// (special tokens first, then words in template order, placeholders expanded in value order): deterministic.

import { SPECIAL_TOKENS } from '../base/tokenizer';
import {
  COL_WORDS,
  DIGIT_WORDS,
  type FamilyName,
  getTaskSpec,
  KIND_PLURAL,
  NUMBER_WORDS,
  OPTION_LETTERS,
  RELATIONS,
  ROW_WORDS,
  taskColors,
  taskSizes,
  type TaskName,
} from './spec';

/**
 * Templates, per family: `prompts` and `answers` are token patterns where $C colour, $K kind, $KP plural
 * kind, $S size, $R row word, $L column word, $REL relation, $N number word, $D digit, $O option letter,
 * $V any option value (colour, kind or digit), $YN yes/no. `digitsOnly` patterns need cards.
 */
export interface FamilyTemplates {
  prompts: { text: string; digitsOnly?: boolean }[];
  answers: { text: string; digitsOnly?: boolean }[];
}

export const TEMPLATES: Readonly<Record<FamilyName, FamilyTemplates>> = {
  gqa: {
    prompts: [
      { text: 'what color is the $K ?' },
      { text: 'what shape is the $C object ?' },
      { text: 'what size is the $C $K ?' },
      { text: 'is the $C $K $REL the $C $K ?' },
    ],
    answers: [{ text: '$C' }, { text: '$K' }, { text: '$S' }, { text: '$YN' }],
  },
  pope: {
    prompts: [{ text: 'is there a $C $K ?' }],
    answers: [{ text: '$YN' }],
  },
  count: {
    prompts: [
      { text: 'how many objects are there ?' },
      { text: 'how many $C objects are there ?' },
      { text: 'how many $KP are there ?' },
    ],
    answers: [{ text: '$N' }],
  },
  textvqa: {
    prompts: [
      { text: 'what number is on the $C card ?', digitsOnly: true },
      { text: 'what number is on the card at $R $L ?', digitsOnly: true },
    ],
    answers: [{ text: '$D', digitsOnly: true }],
  },
  sqa: {
    prompts: [
      { text: 'which color is at $R $L ? a $V b $V c $V' },
      { text: 'which shape is at $R $L ? a $V b $V c $V' },
      { text: 'which number is at $R $L ? a $V b $V c $V', digitsOnly: true },
    ],
    answers: [{ text: '$O' }],
  },
  caption: {
    prompts: [{ text: 'describe the object at $R $L .' }],
    answers: [{ text: '$S $C $K' }, { text: '$C card $D', digitsOnly: true }, { text: 'nothing' }],
  },
};

/**
 * The hues task's templates: objects are named by a unique shape or by their cell, never by a colour word (colour
 * words are uncertain there); sqa asks colour or size; the families and answers are otherwise those of shapes.
 */
export const HUES_TEMPLATES: Readonly<Record<FamilyName, FamilyTemplates>> = {
  gqa: {
    prompts: [
      { text: 'what color is the $K ?' },
      { text: 'what size is the $K ?' },
      { text: 'is the $K $REL the $K ?' },
    ],
    answers: [{ text: '$C' }, { text: '$S' }, { text: '$YN' }],
  },
  pope: TEMPLATES.pope,
  count: TEMPLATES.count,
  textvqa: { prompts: [], answers: [] },
  sqa: {
    prompts: [
      { text: 'which color is at $R $L ? a $V b $V c $V' },
      { text: 'which size is at $R $L ? a $V b $V c $V' },
    ],
    answers: [{ text: '$O' }],
  },
  caption: {
    prompts: [{ text: 'describe the object at $R $L .' }],
    answers: [{ text: '$S $C $K' }, { text: 'nothing' }],
  },
};

/** The templates a task's questions follow. */
export function taskTemplates(task: TaskName): Readonly<Record<FamilyName, FamilyTemplates>> {
  return task === 'hues' ? HUES_TEMPLATES : TEMPLATES;
}

/** Values of a placeholder for a task (in vocabulary order); a plain word expands to itself. */
export function placeholderValues(token: string, task: TaskName): readonly string[] {
  const spec = getTaskSpec(task);
  const hasCards = spec.kinds.includes('card');
  switch (token) {
    case '$C':
      return taskColors(task);
    case '$K':
      return spec.kinds;
    case '$KP':
      return spec.kinds.map((k) => KIND_PLURAL[k]);
    case '$S':
      return taskSizes(task);
    case '$R':
      return ROW_WORDS;
    case '$L':
      return COL_WORDS;
    case '$REL':
      return RELATIONS;
    case '$N':
      return NUMBER_WORDS.slice(0, spec.maxObjects + 1);
    case '$D':
      return DIGIT_WORDS;
    case '$O':
      return OPTION_LETTERS;
    case '$V':
      return task === 'hues'
        ? [...taskColors(task), ...taskSizes(task)]
        : [...taskColors(task), ...spec.kinds, ...(hasCards ? DIGIT_WORDS : [])];
    case '$YN':
      return ['yes', 'no'];
    default:
      return [token];
  }
}

/** Families available for a task (textvqa needs cards). */
export function taskFamilies(task: TaskName): readonly FamilyName[] {
  return getTaskSpec(task).families;
}

/**
 * The full vocabulary of a task: <pad> <bos> <eos> <unk> at ids 0..3, then every word of every template of
 * the task's families (prompts then answers, family order, placeholders expanded), first occurrence wins.
 */
export function buildVocab(task: TaskName): string[] {
  const spec = getTaskSpec(task);
  const hasCards = spec.kinds.includes('card');
  const vocab: string[] = [...SPECIAL_TOKENS];
  const seen = new Set(vocab);
  const add = (w: string): void => {
    if (!seen.has(w)) {
      seen.add(w);
      vocab.push(w);
    }
  };
  for (const fam of spec.families) {
    const t = taskTemplates(task)[fam];
    for (const pat of [...t.prompts, ...t.answers]) {
      if (pat.digitsOnly && !hasCards) continue;
      for (const tok of pat.text.split(' ')) for (const v of placeholderValues(tok, task)) v.split(' ').forEach(add);
    }
  }
  return vocab;
}
