// Test fixture: a tiny fake digit bank (50 bitmaps of 10×10, label ⌊i/5⌋, each label with a held-out digit) for
// the digits task's generator and renderer tests, in place of the MNIST bank the pack builder loads.
import type { DigitBank } from '../scenes';

/** A tiny fake bank: 50 digits of size 10, label = ⌊i/5⌋ (so each label has one held-out digit), textured by label. */
export function fakeDigitBank(): DigitBank {
  const size = 10;
  const n = 50;
  const labels = Uint8Array.from({ length: n }, (_, i) => Math.floor(i / 5));
  const images = new Uint8Array(n * size * size);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < size * size; k++)
      images[i * size * size + k] = (k * 7 + labels[i] * 13 + i) % 5 === 0 ? 255 : 0;
  }
  return { size, images, labels };
}
