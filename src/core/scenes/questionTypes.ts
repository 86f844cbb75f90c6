// The type of one generated question and of its POPE sample kind: their own file so that questions.ts and
// huesQuestions.ts (the hues task's questions, called from questions.ts) both read them without a circle.
import type { AnswerDist } from './annotator';
import type { FamilyName } from './spec';

/** POPE sample kinds: a present object, or an absent one drawn at random / among the most frequent / adversarially. */
export type PopeKind = 'yes' | 'random' | 'popular' | 'adversarial';

export interface Question {
  family: FamilyName;
  prompt: string;
  answer: string;
  /** pope only: which kind of sample this is (hues: which category was asked about; the answer is still a draw). */
  popeKind?: PopeKind;
  /** hues only (absent elsewhere): the annotator's answer distribution, `answer` is one draw from it. */
  dist?: AnswerDist;
  /** hues only: the most probable answer, its probability, and the probability of the drawn `answer`. */
  bayesAnswer?: string;
  bayesProb?: number;
  answerProb?: number;
}
