// Question generator: one (prompt, answer) pair of a given family about a scene, following vocab.ts's
// templates. Every answer is a function of the scene description; check.ts recomputes it independently. The hues
// task's questions (huesQuestions.ts) carry an answer distribution instead, and their answer is one draw from it.

import { FieldError } from '../base/errors';
import type { Rng } from '../base/rng';
import { type CategoryStats, popeCategory } from './generate';
export { POPULAR_TOP } from './generate';
import { makeHuesQuestion } from './huesQuestions';
import type { PopeKind, Question } from './questionTypes';
import {
  COL_WORDS,
  COLORS,
  DIGIT_WORDS,
  type FamilyName,
  getTaskSpec,
  KIND_PLURAL,
  NUMBER_WORDS,
  OPTION_LETTERS,
  RELATIONS,
  ROW_WORDS,
  type Scene,
  type SceneObject,
} from './spec';

export type { PopeKind, Question } from './questionTypes';
/** Every POPE sample kind (questionTypes.ts: a present object, or an absent one at random / popular / adversarial). */
export const POPE_KINDS: readonly PopeKind[] = ['yes', 'random', 'popular', 'adversarial'];
/** Pope kind of the k-th pope sample of a split: half yes, the no's split equally (exact per 6 samples). */
export const POPE_CYCLE: readonly PopeKind[] = ['yes', 'random', 'yes', 'popular', 'yes', 'adversarial'];

export interface QuestionOptions {
  /** pope only: force the kind of sample (default: yes with probability ½, else a uniform no-kind). */
  popeKind?: PopeKind;
}

const pos = (o: SceneObject): string => `${ROW_WORDS[o.row]} ${COL_WORDS[o.col]}`;
const desc = (o: SceneObject): string => `${o.color} ${o.kind}`;

/** Objects whose "color kind" description is unique in the scene (so "the red square" names one object). */
function uniqueObjects(scene: Scene): SceneObject[] {
  const n = new Map<string, number>();
  for (const o of scene.objects) n.set(desc(o), (n.get(desc(o)) ?? 0) + 1);
  return scene.objects.filter((o) => n.get(desc(o)) === 1);
}

/** Whether "a REL b" holds anywhere on the grid (columns for left/right, rows for above/below). */
function holds(a: SceneObject, b: SceneObject, rel: string): boolean {
  if (rel === 'left of') return a.col < b.col;
  if (rel === 'right of') return a.col > b.col;
  if (rel === 'above') return a.row < b.row;
  return a.row > b.row;
}

function gqa(rng: Rng, scene: Scene): Question | null {
  const uniq = uniqueObjects(scene);
  const order = rng.shuffle(['colorOf', 'shapeOf', 'size', 'relYesNo']);
  const uniqueBy = (key: (o: SceneObject) => string): SceneObject[] =>
    scene.objects.filter((o) => scene.objects.filter((p) => key(p) === key(o)).length === 1);
  for (const t of order) {
    if (t === 'colorOf') {
      const cands = uniqueBy((o) => o.kind);
      if (cands.length === 0) continue;
      const o = rng.pick(cands);
      return { family: 'gqa', prompt: `what color is the ${o.kind} ?`, answer: o.color };
    }
    if (t === 'shapeOf') {
      const cands = uniqueBy((o) => o.color);
      if (cands.length === 0) continue;
      const o = rng.pick(cands);
      return { family: 'gqa', prompt: `what shape is the ${o.color} object ?`, answer: o.kind };
    }
    if (t === 'size') {
      const cands = uniq.filter((o) => o.kind !== 'card');
      if (cands.length === 0) continue;
      const o = rng.pick(cands);
      return { family: 'gqa', prompt: `what size is the ${desc(o)} ?`, answer: o.size };
    }
    // relYesNo: choose the answer first so yes and no are balanced.
    if (uniq.length < 2) continue;
    const want = rng.next() < 0.5;
    for (const w of [want, !want]) {
      const cands: [SceneObject, string, SceneObject][] = [];
      for (const a of uniq)
        for (const b of uniq)
          if (a !== b) for (const rel of RELATIONS) if (holds(a, b, rel) === w) cands.push([a, rel, b]);
      if (cands.length === 0) continue;
      const [a, rel, b] = rng.pick(cands);
      return { family: 'gqa', prompt: `is the ${desc(a)} ${rel} the ${desc(b)} ?`, answer: w ? 'yes' : 'no' };
    }
  }
  return null;
}

function pope(rng: Rng, scene: Scene, stats: CategoryStats, kind: PopeKind): Question {
  const cat = popeCategory(rng, scene, stats, kind, (_, absent) => {
    // adversarial: an absent category that shares the shape of a present object (other colour); else its colour.
    const kinds = new Set(scene.objects.map((o) => o.kind));
    const colors = new Set(scene.objects.map((o) => o.color as string));
    const sameKind = absent.filter((c) => kinds.has(c.split(' ')[1] as SceneObject['kind']));
    const sameColor = absent.filter((c) => colors.has(c.split(' ')[0]));
    return rng.pick(sameKind.length > 0 ? sameKind : sameColor.length > 0 ? sameColor : absent);
  });
  return { family: 'pope', prompt: `is there a ${cat} ?`, answer: kind === 'yes' ? 'yes' : 'no', popeKind: kind };
}

function count(rng: Rng, scene: Scene): Question {
  const spec = getTaskSpec(scene.task);
  const objs = scene.objects;
  const fromScene = rng.next() < 0.75; // most queried values are present, the rest uniform (zero is possible)
  const o = rng.pick(objs);
  const color = fromScene ? o.color : rng.pick(COLORS);
  const kind = fromScene ? o.kind : rng.pick(spec.kinds);
  const t = rng.int(3);
  const n = (f: (x: SceneObject) => boolean): string => NUMBER_WORDS[objs.filter(f).length];
  if (t === 0) return { family: 'count', prompt: 'how many objects are there ?', answer: n(() => true) };
  if (t === 1)
    return { family: 'count', prompt: `how many ${color} objects are there ?`, answer: n((x) => x.color === color) };
  return { family: 'count', prompt: `how many ${KIND_PLURAL[kind]} are there ?`, answer: n((x) => x.kind === kind) };
}

function textvqa(rng: Rng, scene: Scene): Question | null {
  const cards = scene.objects.filter((o) => o.kind === 'card');
  if (cards.length === 0) return null;
  const byColor = cards.filter((c) => cards.filter((d) => d.color === c.color).length === 1);
  if (byColor.length > 0 && rng.next() < 0.5) {
    const c = rng.pick(byColor);
    return { family: 'textvqa', prompt: `what number is on the ${c.color} card ?`, answer: DIGIT_WORDS[c.digit] };
  }
  const c = rng.pick(cards);
  return { family: 'textvqa', prompt: `what number is on the card at ${pos(c)} ?`, answer: DIGIT_WORDS[c.digit] };
}

function sqa(rng: Rng, scene: Scene): Question {
  const spec = getTaskSpec(scene.task);
  const cards = scene.objects.filter((o) => o.kind === 'card');
  const attrs = cards.length > 0 ? ['color', 'shape', 'number'] : ['color', 'shape'];
  const attr = rng.pick(attrs);
  const o = rng.pick(attr === 'number' ? cards : scene.objects);
  const values: readonly string[] = attr === 'color' ? COLORS : attr === 'shape' ? spec.kinds : DIGIT_WORDS;
  const truth = attr === 'color' ? o.color : attr === 'shape' ? o.kind : DIGIT_WORDS[o.digit];
  const distractors = rng.shuffle(values.filter((v) => v !== truth)).slice(0, OPTION_LETTERS.length - 1);
  const at = rng.int(OPTION_LETTERS.length);
  const options = [...distractors.slice(0, at), truth, ...distractors.slice(at)];
  const opts = options.map((v, i) => `${OPTION_LETTERS[i]} ${v}`).join(' ');
  return { family: 'sqa', prompt: `which ${attr} is at ${pos(o)} ? ${opts}`, answer: OPTION_LETTERS[at] };
}

function caption(rng: Rng, scene: Scene): Question {
  const grid = getTaskSpec(scene.task).grid;
  // Mostly an occupied cell (a 3-token description); sometimes any cell, so "nothing" is learned too.
  const o = rng.next() < 0.85 ? rng.pick(scene.objects) : null;
  const row = o ? o.row : rng.int(grid);
  const col = o ? o.col : rng.int(grid);
  const at = scene.objects.find((x) => x.row === row && x.col === col);
  const answer = !at
    ? 'nothing'
    : at.kind === 'card'
      ? `${at.color} card ${DIGIT_WORDS[at.digit]}`
      : `${at.size} ${desc(at)}`;
  return { family: 'caption', prompt: `describe the object at ${ROW_WORDS[row]} ${COL_WORDS[col]} .`, answer };
}

/**
 * A question of `family` about `scene`, or null when the scene admits none (e.g. gqa on a scene where no
 * object has a unique description; the dataset then draws a new scene). `stats` ranks categories for POPE.
 */
export function makeQuestion(
  rng: Rng,
  scene: Scene,
  family: FamilyName,
  stats: CategoryStats,
  opts: QuestionOptions = {},
): Question | null {
  const spec = getTaskSpec(scene.task);
  if (!spec.families.includes(family)) {
    throw new FieldError({
      field: 'family',
      expected: `one of ${spec.families.join(', ')} for task "${scene.task}"`,
      got: family,
    });
  }
  if (scene.task === 'hues') {
    const kind =
      family === 'pope' ? (opts.popeKind ?? (rng.next() < 0.5 ? 'yes' : rng.pick(POPE_KINDS.slice(1)))) : 'yes';
    return makeHuesQuestion(rng, scene, family, stats, kind);
  }
  switch (family) {
    case 'gqa':
      return gqa(rng, scene);
    case 'pope':
      return pope(rng, scene, stats, opts.popeKind ?? (rng.next() < 0.5 ? 'yes' : rng.pick(POPE_KINDS.slice(1))));
    case 'count':
      return count(rng, scene);
    case 'textvqa':
      return textvqa(rng, scene);
    case 'sqa':
      return sqa(rng, scene);
    case 'caption':
      return caption(rng, scene);
  }
}
