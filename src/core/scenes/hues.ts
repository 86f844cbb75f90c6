// Scenes and pixels of the hues task: continuous hue, side and centre per object, an optional grey occluder over
// one corner, rendered with 4×4 supersampled coverage using basic arithmetic only (same bytes in Node and browser).

import { FieldError } from '../base/errors';
import { Rng } from '../base/rng';
import { addPixelNoise } from './noise';
import { bayesWords, OCCLUDE_PROB, SAT_RANGE, SIDE_RANGE, VAL_RANGE } from './annotator';
import {
  BACKGROUND_RANGE,
  getTaskSpec,
  type HueAttrs,
  type KindName,
  type Scene,
  type SceneObject,
  SHAPE_WEIGHTS,
  SHAPES,
} from './spec';

/** Supersamples per pixel side when rendering (coverage in sixteenths). */
const SS = 4;
/** Sample points per box side when measuring the hidden fraction of a shape. */
const HIDDEN_GRID = 32;
/** Occluder side as a fraction of the shape's side (uniform), measured from the box corner inwards. */
const OCCLUDER_FRAC: readonly [number, number] = [0.35, 0.8];
/** Occluder grey level range (uniform integer): lighter than the background, unsaturated unlike every object. */
const OCCLUDER_GREY: readonly [number, number] = [100, 160];

/** Whether the point at offset (u, v) from the box centre lies in a `kind` shape of side s (continuous geometry). */
export function insideShape(kind: KindName, s: number, u: number, v: number): boolean {
  const h = s / 2;
  if (u < -h || u > h || v < -h || v > h) return false;
  switch (kind) {
    case 'square':
    case 'card':
      return true;
    case 'circle':
      return u * u + v * v <= h * h;
    case 'triangle':
      return Math.abs(u) <= (v + h) / 2; // apex at the top centre, base (width s) on the bottom edge
    case 'cross':
      return Math.abs(u) <= s / 6 || Math.abs(v) <= s / 6; // arms one third of the side wide
  }
}

/** HSV (hue in degrees, s and v in [0, 1]) to uint8 RGB, basic arithmetic only. */
export function hsvToRgb(hue: number, sat: number, val: number): [number, number, number] {
  const c = val * sat;
  const hp = (((hue % 360) + 360) % 360) / 60;
  const x = c * (1 - Math.abs((hp % 2) - 1));
  const m = val - c;
  const i = Math.floor(hp);
  const [r, g, b] =
    i === 0
      ? [c, x, 0]
      : i === 1
        ? [x, c, 0]
        : i === 2
          ? [0, c, x]
          : i === 3
            ? [0, x, c]
            : i === 4
              ? [x, 0, c]
              : [c, 0, x];
  const q = (t: number): number => Math.min(255, Math.max(0, Math.round((t + m) * 255)));
  return [q(r), q(g), q(b)];
}

type Rect = NonNullable<HueAttrs['occluder']>;
const inRect = (r: Rect, x: number, y: number): boolean => x >= r.x0 && x < r.x1 && y >= r.y0 && y < r.y1;

/** Fraction of the shape's area under the occluder, on a HIDDEN_GRID² grid of points over its box. */
export function hiddenFraction(kind: KindName, a: Pick<HueAttrs, 'side' | 'cx' | 'cy'>, occ: Rect | null): number {
  if (!occ) return 0;
  let inShape = 0;
  let hidden = 0;
  for (let j = 0; j < HIDDEN_GRID; j++) {
    for (let i = 0; i < HIDDEN_GRID; i++) {
      const u = ((i + 0.5) / HIDDEN_GRID - 0.5) * a.side;
      const v = ((j + 0.5) / HIDDEN_GRID - 0.5) * a.side;
      if (!insideShape(kind, a.side, u, v)) continue;
      inShape++;
      if (inRect(occ, a.cx + u, a.cy + v)) hidden++;
    }
  }
  return inShape === 0 ? 0 : hidden / inShape;
}

/** A random hues scene; the draw order from `rng` is fixed (same state, same scene). */
export function generateHuesScene(rng: Rng): Scene {
  const spec = getTaskSpec('hues');
  const cell = spec.patchSize;
  const n = spec.minObjects + rng.int(spec.maxObjects - spec.minObjects + 1);
  const cells = rng
    .shuffle(Array.from({ length: spec.grid * spec.grid }, (_, i) => i))
    .slice(0, n)
    .sort((a, b) => a - b);
  const objects: SceneObject[] = cells.map((c) => {
    const row = Math.floor(c / spec.grid);
    const col = c % spec.grid;
    const kind = SHAPES[rng.categorical(SHAPE_WEIGHTS)];
    const hue = rng.uniform(0, 360);
    const sat = rng.uniform(SAT_RANGE[0], SAT_RANGE[1]);
    const val = rng.uniform(VAL_RANGE[0], VAL_RANGE[1]);
    const side = rng.uniform(SIDE_RANGE[0], SIDE_RANGE[1]);
    const j = (cell - side) / 2; // the box stays inside its cell
    const cx = col * cell + cell / 2 + rng.uniform(-j, j);
    const cy = row * cell + cell / 2 + rng.uniform(-j, j);
    let occluder: Rect | null = null;
    if (rng.next() < OCCLUDE_PROB) {
      const corner = rng.int(4); // 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right
      const k = rng.uniform(OCCLUDER_FRAC[0], OCCLUDER_FRAC[1]) * side;
      const grey = OCCLUDER_GREY[0] + rng.int(OCCLUDER_GREY[1] - OCCLUDER_GREY[0] + 1);
      const bx0 = cx - side / 2;
      const by0 = cy - side / 2;
      const right = corner % 2 === 1;
      const bottom = corner >= 2;
      occluder = {
        x0: right ? bx0 + side - k : col * cell,
        x1: right ? (col + 1) * cell : bx0 + k,
        y0: bottom ? by0 + side - k : row * cell,
        y1: bottom ? (row + 1) * cell : by0 + k,
        grey,
      };
    }
    const attrs: HueAttrs = { hue, sat, val, side, cx, cy, occluder, hidden: 0 };
    attrs.hidden = hiddenFraction(kind, attrs, occluder);
    const { color, size } = bayesWords(hue, side);
    return {
      kind,
      color,
      size,
      row,
      col,
      rgb: hsvToRgb(hue, sat, val),
      dx: 0,
      dy: 0,
      digit: -1,
      digitIndex: -1,
      hues: attrs,
    };
  });
  const [lo, hi] = BACKGROUND_RANGE;
  const background = lo + rng.int(hi - lo + 1);
  return { task: 'hues', objects, background, noiseSeed: rng.nextU32() };
}

/** Renders a hues scene to a new Uint8Array [H, W, 3]: coverage-blended shapes, then occluders, then pixel noise. */
export function renderHuesScene(scene: Scene): Uint8Array {
  const spec = getTaskSpec('hues');
  const { height: H, width: W, channels: C, patchSize: cell } = spec;
  const out = new Uint8Array(H * W * C).fill(scene.background);
  const blend = (x: number, y: number, rgb: readonly number[], cov: number): void => {
    const o = (y * W + x) * C;
    for (let c = 0; c < 3; c++) out[o + c] = Math.round((rgb[c] * cov + out[o + c] * (SS * SS - cov)) / (SS * SS));
  };
  scene.objects.forEach((obj, k) => {
    const a = obj.hues;
    if (!a)
      throw new FieldError({
        field: `scene.objects[${k}].hues`,
        expected: 'the continuous attributes of a hues object',
        got: a,
      });
    const x0 = obj.col * cell;
    const y0 = obj.row * cell;
    for (let y = y0; y < y0 + cell; y++) {
      for (let x = x0; x < x0 + cell; x++) {
        let cov = 0;
        let occ = 0;
        for (let j = 0; j < SS; j++) {
          for (let i = 0; i < SS; i++) {
            const px = x + (i + 0.5) / SS;
            const py = y + (j + 0.5) / SS;
            if (insideShape(obj.kind, a.side, px - a.cx, py - a.cy)) cov++;
            if (a.occluder && inRect(a.occluder, px, py)) occ++;
          }
        }
        if (cov > 0) blend(x, y, obj.rgb, cov);
        if (occ > 0) blend(x, y, [a.occluder!.grey, a.occluder!.grey, a.occluder!.grey], occ);
      }
    }
  });
  return addPixelNoise(out, scene);
}
