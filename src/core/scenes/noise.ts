// The per-pixel noise every scene renderer adds last (tasks shapes, digits, hues): uniform integers in ±PIXEL_NOISE,
// seeded by the scene's noiseSeed, so rendering stays a pure function of the scene.
import { Rng } from '../base/rng';
import { PIXEL_NOISE, type Scene } from './spec';

/** Add the scene's pixel noise to `out` in place (clamped to 0..255); returns `out`. */
export function addPixelNoise(out: Uint8Array, scene: Scene): Uint8Array {
  if (PIXEL_NOISE > 0) {
    const rng = new Rng(scene.noiseSeed);
    const span = 2 * PIXEL_NOISE + 1;
    for (let i = 0; i < out.length; i++) {
      const v = out[i] + rng.int(span) - PIXEL_NOISE;
      out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}
