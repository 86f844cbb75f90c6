// Rasterises a scene description into RGB uint8 pixels with integer arithmetic only, so Node and the
// browser produce identical bytes. Shapes are pixel masks; cards blend a real MNIST digit over their colour.
// hues scenes (continuous side, hue and occluders) are drawn by hues.ts.

import { FieldError } from '../base/errors';
import { addPixelNoise } from './noise';
import { renderHuesScene } from './hues';
import { COLOR_RGB, type DigitBank, getTaskSpec, type KindName, type Scene } from './spec';

/**
 * Whether pixel (x, y) of an s×s box belongs to the shape. Integer tests on doubled coordinates
 * (u = 2x + 1 − s is twice the offset of the pixel centre from the box centre).
 */
export function shapeMask(kind: KindName, s: number, x: number, y: number): boolean {
  const u = 2 * x + 1 - s;
  const v = 2 * y + 1 - s;
  switch (kind) {
    case 'square':
    case 'card':
      return true;
    case 'circle':
      return u * u + v * v <= s * s - s; // radius slightly under s/2 so small circles lose their corners
    case 'triangle':
      return Math.abs(u) <= y + 1; // apex at the top centre, base on the bottom row
    case 'cross': {
      const m = Math.floor((s + 1) / 3); // arm margin: arms span [m, s − m)
      return (x >= m && x < s - m) || (y >= m && y < s - m);
    }
  }
}

/** Ink colour for a card: black on light cards, white on dark ones (by the base colour's luma). */
function inkFor(color: keyof typeof COLOR_RGB): number {
  const [r, g, b] = COLOR_RGB[color];
  return 299 * r + 587 * g + 114 * b >= 128_000 ? 0 : 255;
}

/**
 * Renders `scene` to a new Uint8Array [H, W, C] (row-major, RGB). The digits task needs the DigitBank the
 * scene's digitIndex values refer to (same bank, same bytes, same pixels).
 */
export function renderScene(scene: Scene, digitBank?: DigitBank): Uint8Array {
  const spec = getTaskSpec(scene.task);
  if (spec.task === 'hues') return renderHuesScene(scene);
  const { height: H, width: W, channels: C, patchSize: cell } = spec;
  const out = new Uint8Array(H * W * C).fill(scene.background);
  const put = (x: number, y: number, r: number, g: number, b: number): void => {
    const o = (y * W + x) * C;
    out[o] = r;
    out[o + 1] = g;
    out[o + 2] = b;
  };
  for (let k = 0; k < scene.objects.length; k++) {
    const obj = scene.objects[k];
    const x0 = obj.col * cell;
    const y0 = obj.row * cell;
    const [r, g, b] = obj.rgb;
    if (obj.kind === 'card') {
      if (!digitBank)
        throw new FieldError({ field: 'digitBank', expected: 'a DigitBank for a scene with cards', got: digitBank });
      const n = digitBank.labels.length;
      const ds = spec.digitSize;
      if (digitBank.size !== ds) {
        throw new FieldError({
          field: 'DigitBank.size',
          expected: `the task's digitSize ${ds}`,
          got: digitBank.size,
          hint: 'check the bank with validateDigitBank',
        });
      }
      if (digitBank.images.length !== n * ds * ds) {
        throw new FieldError({
          field: 'DigitBank.images.length',
          expected: `n·size² = ${n * ds * ds} (n = ${n}, size = ${ds})`,
          got: digitBank.images.length,
          hint: 'check the bank with validateDigitBank',
        });
      }
      if (!(obj.digitIndex >= 0 && obj.digitIndex < n) || digitBank.labels[obj.digitIndex] !== obj.digit) {
        throw new FieldError({
          field: `scene.objects[${k}].digitIndex`,
          expected: `the index of a bank digit labelled ${obj.digit}`,
          got: obj.digitIndex,
        });
      }
      for (let y = 0; y < cell; y++) for (let x = 0; x < cell; x++) put(x0 + x, y0 + y, r, g, b);
      const off = Math.floor((cell - ds) / 2);
      const ink = inkFor(obj.color);
      const base = obj.digitIndex * ds * ds;
      for (let y = 0; y < ds; y++) {
        for (let x = 0; x < ds; x++) {
          const a = digitBank.images[base + y * ds + x]; // 0..255 ink coverage
          const mix = (c: number): number => Math.round((c * (255 - a) + ink * a) / 255);
          put(x0 + off + x, y0 + off + y, mix(r), mix(g), mix(b));
        }
      }
      continue;
    }
    const s = spec.shapePx[obj.size as 'small' | 'big'];
    for (const d of ['dx', 'dy'] as const) {
      if (obj[d] < 0 || obj[d] + s > cell) {
        throw new FieldError({
          field: `scene.objects[${k}].${d}`,
          expected: `0..${cell - s} (a ${s}px shape inside its ${cell}px cell)`,
          got: obj[d],
        });
      }
    }
    for (let y = 0; y < s; y++) {
      for (let x = 0; x < s; x++) if (shapeMask(obj.kind, s, x, y)) put(x0 + obj.dx + x, y0 + obj.dy + y, r, g, b);
    }
  }
  return addPixelNoise(out, scene);
}
