// Independent answer checker: parses a prompt back into its template and recomputes the answer from the
// scene description alone (it shares no code with questions.ts), so a generator bug shows up as a mismatch.
// hues labels are draws from a distribution: huesCheck.ts recomputes that distribution (see checkHuesLabel).

import { huesAnswerDist } from './huesCheck';
import type { FamilyName, Scene, SceneObject } from './spec';

export { checkHuesLabel, type HuesCheck, huesAnswerDist, recomputeHidden } from './huesCheck';

const ROWS = ['top', 'middle', 'bottom'];
const COLS = ['left', 'center', 'right'];
const NUMS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const PLURALS: Record<string, string> = {
  circles: 'circle',
  squares: 'square',
  triangles: 'triangle',
  crosses: 'cross',
  cards: 'card',
};
const COLOR_WORDS = ['red', 'blue', 'green', 'yellow', 'purple', 'white'];
const W = '([a-z0-9]+)';
const REL = '(left of|right of|above|below)';

/** Objects matching an optional colour / kind / size / cell. */
function find(
  scene: Scene,
  q: { color?: string; kind?: string; size?: string; row?: number; col?: number },
): SceneObject[] {
  return scene.objects.filter(
    (o) =>
      (q.color === undefined || o.color === q.color) &&
      (q.kind === undefined || o.kind === q.kind) &&
      (q.size === undefined || o.size === q.size) &&
      (q.row === undefined || o.row === q.row) &&
      (q.col === undefined || o.col === q.col),
  );
}

/** The single object matching, or null when none or several do (an ambiguous question has no answer). */
function one(list: SceneObject[]): SceneObject | null {
  return list.length === 1 ? list[0] : null;
}

function cell(rowWord: string, colWord: string): { row: number; col: number } | null {
  const row = ROWS.indexOf(rowWord);
  const col = COLS.indexOf(colWord);
  return row < 0 || col < 0 ? null : { row, col };
}

function solveGqa(scene: Scene, p: string): string | null {
  let m = new RegExp(`^what color is the ${W} \\?$`).exec(p);
  if (m) return one(find(scene, { kind: m[1] }))?.color ?? null;
  m = new RegExp(`^what shape is the ${W} object \\?$`).exec(p);
  if (m) return one(find(scene, { color: m[1] }))?.kind ?? null;
  m = new RegExp(`^what size is the ${W} ${W} \\?$`).exec(p);
  if (m) return one(find(scene, { color: m[1], kind: m[2] }))?.size ?? null;
  m = new RegExp(`^is the ${W} ${W} ${REL} the ${W} ${W} \\?$`).exec(p);
  if (m) {
    const a = one(find(scene, { color: m[1], kind: m[2] }));
    const b = one(find(scene, { color: m[4], kind: m[5] }));
    if (!a || !b || a === b) return null;
    const ok = { 'left of': a.col < b.col, 'right of': b.col < a.col, above: a.row < b.row, below: b.row < a.row }[
      m[3]
    ];
    return ok ? 'yes' : 'no';
  }
  return null;
}

function solveCount(scene: Scene, p: string): string | null {
  const m = /^how many (.+) are there \?$/.exec(p);
  if (!m) return null;
  const words = m[1].split(' ');
  const q: { color?: string; kind?: string; size?: string } = {};
  const last = words.pop()!;
  if (last !== 'objects') {
    if (!(last in PLURALS)) return null;
    q.kind = PLURALS[last];
  }
  if (words.length > 1) return null;
  if (words.length === 1) {
    if (last !== 'objects' || !COLOR_WORDS.includes(words[0])) return null; // "how many <colour> objects"
    q.color = words[0];
  }
  return NUMS[find(scene, q).length];
}

function solveTextvqa(scene: Scene, p: string): string | null {
  let m = new RegExp(`^what number is on the ${W} card \\?$`).exec(p);
  if (m) {
    const c = one(find(scene, { color: m[1], kind: 'card' }));
    return c ? String(c.digit) : null;
  }
  m = new RegExp(`^what number is on the card at ${W} ${W} \\?$`).exec(p);
  if (m) {
    const at = cell(m[1], m[2]);
    const c = at && one(find(scene, { kind: 'card', ...at }));
    return c ? String(c.digit) : null;
  }
  return null;
}

function solveSqa(scene: Scene, p: string): string | null {
  const m = new RegExp(`^which (color|shape|number) is at ${W} ${W} \\? a ${W} b ${W} c ${W}$`).exec(p);
  if (!m) return null;
  const at = cell(m[2], m[3]);
  const o = at && one(find(scene, at));
  if (!o) return null;
  const truth = m[1] === 'color' ? o.color : m[1] === 'shape' ? o.kind : o.kind === 'card' ? String(o.digit) : null;
  if (truth === null) return null;
  const opts = [m[4], m[5], m[6]];
  const hits = opts.filter((v) => v === truth);
  return hits.length === 1 ? 'abc'[opts.indexOf(truth)] : null;
}

function solveCaption(scene: Scene, p: string): string | null {
  const m = new RegExp(`^describe the object at ${W} ${W} \\.$`).exec(p);
  const at = m && cell(m[1], m[2]);
  if (!at) return null;
  const list = find(scene, at);
  if (list.length === 0) return 'nothing';
  const o = one(list);
  if (!o) return null;
  return o.kind === 'card' ? `${o.color} card ${o.digit}` : `${o.size} ${o.color} ${o.kind}`;
}

/**
 * The answer a prompt of `family` has on `scene`, recomputed from the scene; null if unparseable or ambiguous.
 * hues: the most probable answer of the recomputed distribution (first in its order on exact ties).
 */
export function solveQuestion(scene: Scene, family: FamilyName, prompt: string): string | null {
  if (scene.task === 'hues') {
    const dist = huesAnswerDist(scene, family, prompt);
    if (!dist) return null;
    let best: string | null = null;
    for (const [a, p] of dist) if (best === null || p > dist.get(best)!) best = a;
    return best;
  }
  switch (family) {
    case 'gqa':
      return solveGqa(scene, prompt);
    case 'pope': {
      const m = new RegExp(`^is there a ${W} ${W} \\?$`).exec(prompt);
      return m ? (find(scene, { color: m[1], kind: m[2] }).length > 0 ? 'yes' : 'no') : null;
    }
    case 'count':
      return solveCount(scene, prompt);
    case 'textvqa':
      return solveTextvqa(scene, prompt);
    case 'sqa':
      return solveSqa(scene, prompt);
    case 'caption':
      return solveCaption(scene, prompt);
  }
}

/**
 * Whether `answer` is the correct answer to `prompt` on `scene` (false for unparseable or ambiguous prompts).
 * hues: whether the annotator gives `answer` a positive probability.
 */
export function checkAnswer(scene: Scene, family: FamilyName, prompt: string, answer: string): boolean {
  if (scene.task === 'hues') return (huesAnswerDist(scene, family, prompt)?.get(answer.trim()) ?? 0) > 0;
  const truth = solveQuestion(scene, family, prompt);
  return truth !== null && truth === answer.trim();
}
