// Tests of the digits task: cards draw training digits from the training pool and val/test digits from the
// held-out pool, the bitmap is blended over the card colour, and a digit bank is validated field by field.
import { describe, expect, it } from 'vitest';
import { Rng } from '../base/rng';
import {
  COLOR_RGB,
  generateDataset,
  generateScene,
  renderScene,
  type Scene,
  splitDigitBank,
  TASK_SPECS,
  validateDigitBank,
} from './index';
import { fakeDigitBank } from '../testing/digitBank';

const BANK = fakeDigitBank();
const SIZES_SMALL = { trainLabeled: 150, trainUnlabeled: 150, val: 150, test: 150 };

describe('digits task specifics', () => {
  const ds = generateDataset({ task: 'digits', seed: 11, sizes: SIZES_SMALL, digitBank: BANK });

  it('draws train digits from the training pool and val/test digits from the held-out pool', () => {
    const pools = splitDigitBank(BANK);
    const train = new Set(pools.train.flat());
    const held = new Set(pools.heldOut.flat());
    let cards = 0;
    ds.scenes.forEach((s, i) => {
      for (const o of s.objects.filter((x) => x.kind === 'card')) {
        cards++;
        expect(BANK.labels[o.digitIndex]).toBe(o.digit);
        expect((ds.split[i] <= 1 ? train : held).has(o.digitIndex)).toBe(true);
      }
      expect(s.objects.some((o) => o.kind === 'card')).toBe(true);
    });
    expect(cards).toBeGreaterThan(ds.n);
  });

  it('blends the digit bitmap over the card colour (ink where the bitmap is 255)', () => {
    const spec = TASK_SPECS.digits;
    const scene: Scene = {
      task: 'digits',
      background: 20,
      noiseSeed: 1,
      objects: [
        {
          kind: 'card',
          color: 'red',
          size: 'big',
          row: 1,
          col: 2,
          rgb: [...COLOR_RGB.red] as [number, number, number],
          dx: 0,
          dy: 0,
          digit: 3,
          digitIndex: 17,
        },
      ],
    };
    const img = renderScene(scene, BANK);
    const off = (spec.patchSize - spec.digitSize) / 2;
    for (let y = 0; y < spec.digitSize; y++) {
      for (let x = 0; x < spec.digitSize; x++) {
        const ink = BANK.images[17 * 100 + y * 10 + x] === 255;
        const px = ((spec.patchSize + off + y) * spec.width + 2 * spec.patchSize + off + x) * 3;
        expect(Math.abs(img[px] - (ink ? 255 : 220))).toBeLessThanOrEqual(6); // red is dark: white ink
        expect(Math.abs(img[px + 2] - (ink ? 255 : 40))).toBeLessThanOrEqual(6);
      }
    }
  });

  it('requires a digit bank whose size matches the task and labels that match digitIndex', () => {
    const sizes = { trainLabeled: 1, trainUnlabeled: 0, val: 0, test: 0 };
    expect(() => generateDataset({ task: 'digits', seed: 1, sizes })).toThrow(
      /^digitBank: expected a DigitBank \(task "digits" draws cards from it\), got undefined\. HINT: .*loadMnistBank/,
    );
    const wrong = { ...BANK, size: 8, images: new Uint8Array(50 * 64) };
    expect(() => generateDataset({ task: 'digits', seed: 1, sizes, digitBank: wrong })).toThrow(
      /^DigitBank\.size: expected the task's digitSize 10, got 8$/,
    );
    const scene = generateScene(new Rng(3), 'digits', splitDigitBank(BANK).train);
    const card = scene.objects.find((o) => o.kind === 'card')!;
    card.digit = (card.digit + 1) % 10;
    const k = scene.objects.indexOf(card);
    expect(() => renderScene(scene, BANK)).toThrow(
      new RegExp(
        `^scene\\.objects\\[${k}\\]\\.digitIndex: expected the index of a bank digit labelled ${card.digit}, got ${card.digitIndex}$`,
      ),
    );
    expect(() => renderScene(scene)).toThrow(/^digitBank: expected a DigitBank for a scene with cards, got undefined$/);
    expect(() => renderScene(scene, wrong)).toThrow(
      /^DigitBank\.size: expected the task's digitSize 10, got 8\. HINT: /,
    );
    expect(() => renderScene(scene, { ...BANK, images: BANK.images.subarray(1) })).toThrow(
      /^DigitBank\.images\.length: expected n·size² = 5000 .*, got 4999\. HINT: /,
    );
  });

  it('validates a digit bank field by field', () => {
    expect(() => validateDigitBank({ ...BANK, size: 0 })).toThrow(
      /^DigitBank\.size: expected a positive integer, got 0$/,
    );
    expect(() => validateDigitBank({ ...BANK, images: [...BANK.images] as unknown as Uint8Array })).toThrow(
      /^DigitBank\.images: expected a Uint8Array, got "Array"$/,
    );
    expect(() => validateDigitBank({ ...BANK, labels: undefined as unknown as Uint8Array })).toThrow(
      /^DigitBank\.labels: expected a Uint8Array, got "undefined"$/,
    );
    expect(() => validateDigitBank({ ...BANK, images: BANK.images.subarray(100) })).toThrow(
      /^DigitBank\.images\.length: expected n·size² = 5000 \(n = 50 labels, size = 10\), got 4900$/,
    );
    const bad = { ...BANK, labels: BANK.labels.slice() };
    bad.labels[7] = 12;
    expect(() => validateDigitBank(bad)).toThrow(/^DigitBank\.labels\[7\]: expected a digit in 0\.\.9, got 12$/);
    expect(() => splitDigitBank(BANK, 1)).toThrow(/^heldOutEvery: expected an integer ≥ 2, got 1$/);
    expect(() => splitDigitBank(BANK, 10)).toThrow(
      /^DigitBank\.labels: expected digit 0 in both the training and the held-out pool \(train 5, held-out 0; heldOutEvery = 10\)\. HINT: /,
    );
    expect(() => validateDigitBank(BANK, 10)).not.toThrow();
  });
});
