// Questions of the hues task: prompts refer to objects by a unique shape or a cell (never by an ambiguous colour),
// the answer distribution comes from annotator.ts, and the label is one draw from it (Bayes answer = argmax).

import { FieldError } from '../base/errors';
import type { Rng } from '../base/rng';
import {
  type AnswerDist,
  argmaxAnswer,
  colorProbs,
  detectProb,
  drawAnswer,
  poissonBinomial,
  relationYes,
  sizeProbs,
  yesNo,
} from './annotator';
import { categoryKey, type CategoryStats, popeCategory } from './generate';
import type { PopeKind, Question } from './questionTypes';
import {
  COL_WORDS,
  type FamilyName,
  getTaskSpec,
  HUE_COLORS,
  HUE_SIZES,
  type HueAttrs,
  KIND_PLURAL,
  NUMBER_WORDS,
  OPTION_LETTERS,
  RELATIONS,
  ROW_WORDS,
  type Scene,
  type SceneObject,
} from './spec';

/** A question without its label yet: prompt and answer distribution (plus pope's sample kind). */
interface Asked {
  prompt: string;
  dist: AnswerDist;
  popeKind?: PopeKind;
}

const attrs = (o: SceneObject): HueAttrs => o.hues!;
const pos = (o: SceneObject): string => `${ROW_WORDS[o.row]} ${COL_WORDS[o.col]}`;
/** p(the annotator notices o and calls it colour c). */
const seenAs = (o: SceneObject, c: string): number =>
  detectProb(attrs(o).hidden) * colorProbs(attrs(o).hue)[c as 'red'];

function gqa(rng: Rng, scene: Scene): Asked | null {
  const uniq = scene.objects.filter((o) => scene.objects.filter((p) => p.kind === o.kind).length === 1);
  if (uniq.length === 0) return null;
  for (const t of rng.shuffle(['colorOf', 'size', 'relation'])) {
    if (t === 'colorOf') {
      const o = rng.pick(uniq);
      const p = colorProbs(attrs(o).hue);
      return { prompt: `what color is the ${o.kind} ?`, dist: HUE_COLORS.map((c) => [c, p[c]]) };
    }
    if (t === 'size') {
      const o = rng.pick(uniq);
      const p = sizeProbs(attrs(o).side);
      return { prompt: `what size is the ${o.kind} ?`, dist: HUE_SIZES.map((s) => [s, p[s]]) };
    }
    if (uniq.length < 2) continue;
    // relation: half the time a near tie (same column for left/right, same row for above/below) when one exists
    const all: [SceneObject, string, SceneObject][] = [];
    for (const a of uniq) for (const b of uniq) if (a !== b) for (const rel of RELATIONS) all.push([a, rel, b]);
    const ties = all.filter(([a, rel, b]) =>
      rel === 'left of' || rel === 'right of' ? a.col === b.col : a.row === b.row,
    );
    const [a, rel, b] = rng.pick(ties.length > 0 && rng.next() < 0.5 ? ties : all);
    return { prompt: `is the ${a.kind} ${rel} the ${b.kind} ?`, dist: yesNo(relationYes(attrs(a), attrs(b), rel)) };
  }
  return null;
}

function pope(rng: Rng, scene: Scene, stats: CategoryStats, kind: PopeKind): Asked {
  // "present" = some object's most probable description; the answer is still the annotator's draw
  const cat = popeCategory(rng, scene, stats, kind, (present, absent) => {
    // adversarial: an object's runner-up colour word with its own shape (the confusable neighbour)
    const second = scene.objects
      .map((o) => {
        const p = colorProbs(attrs(o).hue);
        const runner = HUE_COLORS.filter((c) => c !== o.color).reduce((x, y) => (p[y] > p[x] ? y : x));
        return categoryKey(runner, o.kind);
      })
      .filter((c) => !present.has(c));
    return rng.pick(second.length > 0 ? [...new Set(second)].sort() : absent);
  });
  const [color, k] = cat.split(' ');
  let pNo = 1;
  for (const o of scene.objects) if (o.kind === k) pNo *= 1 - seenAs(o, color);
  return { prompt: `is there a ${cat} ?`, dist: yesNo(1 - pNo), popeKind: kind };
}

function count(rng: Rng, scene: Scene): Asked {
  const spec = getTaskSpec('hues');
  const objs = scene.objects;
  const fromScene = rng.next() < 0.75;
  const o = rng.pick(objs);
  const color = fromScene ? o.color : rng.pick(HUE_COLORS);
  const kind = fromScene ? o.kind : rng.pick(spec.kinds);
  const t = rng.int(3);
  const words = NUMBER_WORDS.slice(0, spec.maxObjects + 1);
  const dist = (ps: number[]): AnswerDist => {
    const pb = poissonBinomial(ps);
    return words.map((w, n) => [w, pb[n] ?? 0]);
  };
  const seen = (x: SceneObject): number => detectProb(attrs(x).hidden);
  if (t === 0) return { prompt: 'how many objects are there ?', dist: dist(objs.map(seen)) };
  if (t === 1)
    return { prompt: `how many ${color} objects are there ?`, dist: dist(objs.map((x) => seenAs(x, color))) };
  return {
    prompt: `how many ${KIND_PLURAL[kind]} are there ?`,
    dist: dist(objs.map((x) => (x.kind === kind ? seen(x) : 0))),
  };
}

function sqa(rng: Rng, scene: Scene): Asked {
  const attr = rng.pick(['color', 'size']);
  const o = rng.pick(scene.objects);
  const values: readonly string[] = attr === 'color' ? HUE_COLORS : HUE_SIZES;
  const truth: string = attr === 'color' ? o.color : o.size;
  const distractors = rng.shuffle(values.filter((v) => v !== truth)).slice(0, OPTION_LETTERS.length - 1);
  const at = rng.int(OPTION_LETTERS.length);
  const options = [...distractors.slice(0, at), truth, ...distractors.slice(at)];
  const p: Record<string, number> = attr === 'color' ? colorProbs(attrs(o).hue) : sizeProbs(attrs(o).side);
  // forced choice: the annotator's word distribution renormalised over the offered options
  const z = options.reduce((s, v) => s + p[v], 0);
  const opts = options.map((v, i) => `${OPTION_LETTERS[i]} ${v}`).join(' ');
  return {
    prompt: `which ${attr} is at ${pos(o)} ? ${opts}`,
    dist: options.map((v, i) => [OPTION_LETTERS[i], p[v] / z]),
  };
}

function caption(rng: Rng, scene: Scene): Asked {
  const grid = getTaskSpec('hues').grid;
  const o = rng.next() < 0.85 ? rng.pick(scene.objects) : null;
  const row = o ? o.row : rng.int(grid);
  const col = o ? o.col : rng.int(grid);
  const at = scene.objects.find((x) => x.row === row && x.col === col);
  const prompt = `describe the object at ${ROW_WORDS[row]} ${COL_WORDS[col]} .`;
  if (!at) return { prompt, dist: [['nothing', 1]] };
  const a = attrs(at);
  const v = detectProb(a.hidden);
  const ps = sizeProbs(a.side);
  const pc = colorProbs(a.hue);
  const dist: AnswerDist = [];
  for (const s of HUE_SIZES) for (const c of HUE_COLORS) dist.push([`${s} ${c} ${at.kind}`, v * ps[s] * pc[c]]);
  dist.push(['nothing', 1 - v]);
  return { prompt, dist };
}

/**
 * A hues question of `family`, or null when the scene admits none. The label (`answer`) is one draw from the
 * answer distribution with `rng` (after the question's own draws); `bayesAnswer` is its argmax.
 */
export function makeHuesQuestion(
  rng: Rng,
  scene: Scene,
  family: FamilyName,
  stats: CategoryStats,
  popeKind: PopeKind,
): Question | null {
  let asked: Asked | null;
  switch (family) {
    case 'gqa':
      asked = gqa(rng, scene);
      break;
    case 'pope':
      asked = pope(rng, scene, stats, popeKind);
      break;
    case 'count':
      asked = count(rng, scene);
      break;
    case 'sqa':
      asked = sqa(rng, scene);
      break;
    case 'caption':
      asked = caption(rng, scene);
      break;
    default:
      throw new FieldError({
        field: 'family',
        expected: `one of ${getTaskSpec('hues').families.join(', ')} for task "hues"`,
        got: family,
      });
  }
  if (!asked) return null;
  const [bayesAnswer, bayesProb] = argmaxAnswer(asked.dist);
  const [answer, answerProb] = drawAnswer(rng, asked.dist);
  const q: Question = { family, prompt: asked.prompt, answer, dist: asked.dist, bayesAnswer, answerProb, bayesProb };
  if (asked.popeKind) q.popeKind = asked.popeKind;
  return q;
}
