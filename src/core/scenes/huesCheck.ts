// Independent checker of hues labels: parses the prompt and recomputes the annotator's answer distribution from the
// scene with its own code (subset enumeration, tanh logistics, its own hidden-area grid); shares constants only.

import { HUE_PROTOTYPES, HUE_SIGMA, REL_SCALE, SIZE_BOUNDS, SIZE_SCALE } from './annotator';
import type { FamilyName, Scene, SceneObject } from './spec';

const ROWS = ['top', 'middle', 'bottom'];
const COLS = ['left', 'center', 'right'];
const NUMS = ['zero', 'one', 'two', 'three', 'four'];
const PLURALS: Record<string, string> = {
  circles: 'circle',
  squares: 'square',
  triangles: 'triangle',
  crosses: 'cross',
};
const WORDS = ['red', 'yellow', 'green', 'blue', 'purple'];
const W = '([a-z]+)';
/** Largest |stored − recomputed| hidden fraction accepted (the two grids differ). */
export const HIDDEN_TOLERANCE = 0.08;

const sig = (z: number): number => 0.5 * (1 + Math.tanh(z / 2));

function colourOf(hue: number): Map<string, number> {
  const dist = WORDS.map((w) => {
    let d = Math.abs(hue - HUE_PROTOTYPES[w]) % 360;
    if (d > 180) d = 360 - d;
    return { w, d };
  });
  const near = [...dist].sort((a, b) => a.d - b.d).slice(0, 2);
  const logw = near.map((x) => -(x.d * x.d) / (2 * HUE_SIGMA * HUE_SIGMA));
  const mx = Math.max(...logw);
  const z = logw.reduce((s, l) => s + Math.exp(l - mx), 0);
  const out = new Map<string, number>(WORDS.map((w) => [w, 0]));
  near.forEach((x, i) => out.set(x.w, Math.exp(logw[i] - mx) / z));
  return out;
}

function sizeOf(side: number): Map<string, number> {
  const a = sig((side - SIZE_BOUNDS[0]) / SIZE_SCALE);
  const b = sig((side - SIZE_BOUNDS[1]) / SIZE_SCALE);
  return new Map([
    ['small', 1 - a],
    ['medium', a - b],
    ['large', b],
  ]);
}

/** Hidden fraction of an object's shape on a 40×40 grid (independent of the generator's grid and shape code). */
export function recomputeHidden(o: SceneObject): number {
  const h = o.hues!;
  if (!h.occluder) return 0;
  const n = 40;
  let inside = 0;
  let covered = 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const x = h.cx - h.side / 2 + ((i + 0.5) * h.side) / n;
      const y = h.cy - h.side / 2 + ((j + 0.5) * h.side) / n;
      const u = (x - h.cx) / h.side; // in [−½, ½]
      const v = (y - h.cy) / h.side;
      const ok =
        o.kind === 'square'
          ? true
          : o.kind === 'circle'
            ? u * u + v * v <= 0.25
            : o.kind === 'triangle'
              ? 2 * Math.abs(u) <= v + 0.5
              : Math.min(Math.abs(u), Math.abs(v)) <= 1 / 6;
      if (!ok) continue;
      inside++;
      const r = h.occluder;
      if (x >= r.x0 && x < r.x1 && y >= r.y0 && y < r.y1) covered++;
    }
  }
  return inside === 0 ? 0 : covered / inside;
}

const seenP = (o: SceneObject): number => 1 - o.hues!.hidden;
const byKind = (scene: Scene, kind: string): SceneObject[] => scene.objects.filter((o) => o.kind === kind);
const cellObj = (scene: Scene, r: string, c: string): SceneObject | undefined =>
  scene.objects.find((o) => o.row === ROWS.indexOf(r) && o.col === COLS.indexOf(c));

/** Distribution of the number of successes, by enumerating every subset of the trials. */
function countDist(ps: number[]): Map<string, number> {
  const out = new Map<string, number>(NUMS.map((w) => [w, 0]));
  for (let mask = 0; mask < 1 << ps.length; mask++) {
    let p = 1;
    let k = 0;
    ps.forEach((q, i) => {
      if (mask & (1 << i)) {
        p *= q;
        k++;
      } else p *= 1 - q;
    });
    out.set(NUMS[k], out.get(NUMS[k])! + p);
  }
  return out;
}

/** The hues answer distribution of `prompt` on `scene`, recomputed independently; null if unparseable or ill-posed. */
export function huesAnswerDist(scene: Scene, family: FamilyName, prompt: string): Map<string, number> | null {
  if (scene.objects.some((o) => !o.hues)) return null;
  let m: RegExpExecArray | null;
  if (family === 'gqa') {
    const only = (k: string): SceneObject | null => (byKind(scene, k).length === 1 ? byKind(scene, k)[0] : null);
    if ((m = new RegExp(`^what color is the ${W} \\?$`).exec(prompt))) {
      const o = only(m[1]);
      return o ? colourOf(o.hues!.hue) : null;
    }
    if ((m = new RegExp(`^what size is the ${W} \\?$`).exec(prompt))) {
      const o = only(m[1]);
      return o ? sizeOf(o.hues!.side) : null;
    }
    if ((m = new RegExp(`^is the ${W} (left of|right of|above|below) the ${W} \\?$`).exec(prompt))) {
      const a = only(m[1]);
      const b = only(m[3]);
      if (!a || !b || a === b) return null;
      const [ha, hb] = [a.hues!, b.hues!];
      const diff = { 'left of': hb.cx - ha.cx, 'right of': ha.cx - hb.cx, above: hb.cy - ha.cy, below: ha.cy - hb.cy }[
        m[2]
      ]!;
      const y = sig(diff / REL_SCALE);
      return new Map([
        ['yes', y],
        ['no', 1 - y],
      ]);
    }
    return null;
  }
  if (family === 'pope') {
    if (!(m = new RegExp(`^is there a ${W} ${W} \\?$`).exec(prompt))) return null;
    const [color, kind] = [m[1], m[2]];
    const miss = byKind(scene, kind).reduce((acc, o) => acc * (1 - seenP(o) * colourOf(o.hues!.hue).get(color)!), 1);
    return new Map([
      ['yes', 1 - miss],
      ['no', miss],
    ]);
  }
  if (family === 'count') {
    if (!(m = /^how many (.+) are there \?$/.exec(prompt))) return null;
    const words = m[1].split(' ');
    if (words.length === 1 && words[0] === 'objects') return countDist(scene.objects.map(seenP));
    if (words.length === 1 && words[0] in PLURALS)
      return countDist(scene.objects.map((o) => (o.kind === PLURALS[words[0]] ? seenP(o) : 0)));
    if (words.length === 2 && words[1] === 'objects' && WORDS.includes(words[0])) {
      return countDist(scene.objects.map((o) => seenP(o) * colourOf(o.hues!.hue).get(words[0])!));
    }
    return null;
  }
  if (family === 'sqa') {
    if (!(m = new RegExp(`^which (color|size) is at ${W} ${W} \\? a ${W} b ${W} c ${W}$`).exec(prompt))) return null;
    const o = cellObj(scene, m[2], m[3]);
    if (!o) return null;
    const p = m[1] === 'color' ? colourOf(o.hues!.hue) : sizeOf(o.hues!.side);
    const opts = [m[4], m[5], m[6]];
    if (opts.some((v) => !p.has(v)) || new Set(opts).size !== 3) return null;
    const z = opts.reduce((s, v) => s + p.get(v)!, 0);
    return new Map(opts.map((v, i) => ['abc'[i], p.get(v)! / z]));
  }
  if (family === 'caption') {
    if (!(m = new RegExp(`^describe the object at ${W} ${W} \\.$`).exec(prompt))) return null;
    if (ROWS.indexOf(m[1]) < 0 || COLS.indexOf(m[2]) < 0) return null;
    const o = cellObj(scene, m[1], m[2]);
    if (!o) return new Map([['nothing', 1]]);
    const out = new Map<string, number>();
    const ps = sizeOf(o.hues!.side);
    const pc = colourOf(o.hues!.hue);
    for (const [s, a] of ps) for (const [c, b] of pc) out.set(`${s} ${c} ${o.kind}`, seenP(o) * a * b);
    out.set('nothing', 1 - seenP(o));
    return out;
  }
  return null;
}

/** Result of checking one hues label against the recomputed distribution. */
export interface HuesCheck {
  ok: boolean;
  /** Why it failed ('' when ok). */
  why: string;
  pAnswer: number;
  pBayes: number;
  maxP: number;
}

/**
 * Checks a hues sample: the stored hidden fractions agree with a recomputation, the prompt parses, the drawn
 * answer has positive probability and the claimed Bayes answer is the argmax (up to 1e-9).
 */
export function checkHuesLabel(
  scene: Scene,
  family: FamilyName,
  prompt: string,
  answer: string,
  bayesAnswer: string,
): HuesCheck {
  const fail = (why: string): HuesCheck => ({ ok: false, why, pAnswer: 0, pBayes: 0, maxP: 0 });
  for (const [k, o] of scene.objects.entries()) {
    if (!o.hues) return fail(`object ${k} has no hues attributes`);
    const h = recomputeHidden(o);
    if (Math.abs(h - o.hues.hidden) > HIDDEN_TOLERANCE)
      return fail(`object ${k}: hidden ${o.hues.hidden} but recomputed ${h}`);
  }
  const dist = huesAnswerDist(scene, family, prompt);
  if (!dist) return fail(`unparseable or ill-posed prompt "${prompt}"`);
  const total = [...dist.values()].reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) > 1e-9) return fail(`distribution sums to ${total}`);
  const pAnswer = dist.get(answer.trim()) ?? 0;
  const pBayes = dist.get(bayesAnswer.trim()) ?? 0;
  const maxP = Math.max(...dist.values());
  if (!(pAnswer > 0)) return { ok: false, why: `answer "${answer}" has probability 0`, pAnswer, pBayes, maxP };
  if (pBayes < maxP - 1e-9)
    return { ok: false, why: `Bayes answer "${bayesAnswer}" has ${pBayes} < max ${maxP}`, pAnswer, pBayes, maxP };
  return { ok: true, why: '', pAnswer, pBayes, maxP };
}
