// Independent answer checker: parses a prompt back into its template and recomputes the answer from the
// scene description alone (it shares no code with questions.ts), so a generator bug shows up as a mismatch.

import type { FamilyName, Scene, SceneObject } from './spec';

const ROWS = ['top', 'middle', 'bottom'];
const COLS = ['left', 'center', 'right'];
const NUMS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const PLURALS: Record<string, string> = { circles: 'circle', squares: 'square', triangles: 'triangle', crosses: 'cross', cards: 'card' };
const W = '([a-z0-9]+)';
const REL = '(left of|right of|above|below)';

/** Objects matching an optional colour / kind / size / cell. */
function find(scene: Scene, q: { color?: string; kind?: string; size?: string; row?: number; col?: number }): SceneObject[] {
  return scene.objects.filter((o) =>
    (q.color === undefined || o.color === q.color) &&
    (q.kind === undefined || o.kind === q.kind) &&
    (q.size === undefined || o.size === q.size) &&
    (q.row === undefined || o.row === q.row) &&
    (q.col === undefined || o.col === q.col));
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
  let m = new RegExp(`^what (color|shape) is the object ${REL} the ${W} ${W} \\?$`).exec(p);
  if (m) {
    const ref = one(find(scene, { color: m[3], kind: m[4] }));
    if (!ref) return null;
    const rel = m[2];
    const hits = scene.objects.filter((o) => {
      if (o === ref) return false;
      const dr = o.row - ref.row;
      const dc = o.col - ref.col;
      return rel === 'left of' ? dr === 0 && dc < 0 : rel === 'right of' ? dr === 0 && dc > 0
        : rel === 'above' ? dc === 0 && dr < 0 : dc === 0 && dr > 0;
    });
    const t = one(hits);
    return t ? (m[1] === 'color' ? t.color : t.kind) : null;
  }
  m = new RegExp(`^what size is the ${W} ${W} \\?$`).exec(p);
  if (m) return one(find(scene, { color: m[1], kind: m[2] }))?.size ?? null;
  m = new RegExp(`^is the ${W} ${W} ${REL} the ${W} ${W} \\?$`).exec(p);
  if (m) {
    const a = one(find(scene, { color: m[1], kind: m[2] }));
    const b = one(find(scene, { color: m[4], kind: m[5] }));
    if (!a || !b || a === b) return null;
    const ok = { 'left of': a.col < b.col, 'right of': b.col < a.col, above: a.row < b.row, below: b.row < a.row }[m[3]];
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
    if (words[0] === 'small' || words[0] === 'big') q.size = words[0];
    else q.color = words[0];
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
  m = /^what color is the card with number ([0-9]) \?$/.exec(p);
  if (m) {
    const c = one(scene.objects.filter((o) => o.kind === 'card' && o.digit === Number(m![1])));
    return c ? c.color : null;
  }
  return null;
}

function solveSqa(scene: Scene, p: string): string | null {
  const m = new RegExp(`^which (color|shape|number) is at ${W} ${W} \\? options : a ${W} b ${W} c ${W}$`).exec(p);
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
  const sorted = scene.objects.slice().sort((a, b) => a.row * 100 + a.col - (b.row * 100 + b.col));
  if (p === 'describe the image .') {
    return sorted.map((o) => [o.color, o.kind === 'card' ? String(o.digit) : o.kind].join(' ')).join(' ');
  }
  const m = new RegExp(`^describe the ${W} row \\.$`).exec(p);
  if (!m || ROWS.indexOf(m[1]) < 0) return null;
  const inRow = sorted.filter((o) => o.row === ROWS.indexOf(m[1]));
  if (inRow.length === 0) return 'nothing';
  return inRow.map((o) => (o.kind === 'card' ? `${o.color} card ${o.digit}` : `${o.size} ${o.color} ${o.kind}`)).join(' ');
}

/** The answer a prompt of `family` has on `scene`, recomputed from the scene; null if unparseable or ambiguous. */
export function solveQuestion(scene: Scene, family: FamilyName, prompt: string): string | null {
  switch (family) {
    case 'gqa': return solveGqa(scene, prompt);
    case 'pope': {
      const m = new RegExp(`^is there a ${W} ${W} \\?$`).exec(prompt);
      return m ? (find(scene, { color: m[1], kind: m[2] }).length > 0 ? 'yes' : 'no') : null;
    }
    case 'count': return solveCount(scene, prompt);
    case 'textvqa': return solveTextvqa(scene, prompt);
    case 'sqa': return solveSqa(scene, prompt);
    case 'caption': return solveCaption(scene, prompt);
  }
}

/** Whether `answer` is the correct answer to `prompt` on `scene` (false for unparseable or ambiguous prompts). */
export function checkAnswer(scene: Scene, family: FamilyName, prompt: string, answer: string): boolean {
  const truth = solveQuestion(scene, family, prompt);
  return truth !== null && truth === answer.trim();
}
