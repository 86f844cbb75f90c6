// Tests of the scene/question generator: determinism (same seed → same bytes, golden fingerprint), answers
// derivable from the scene (independent checker), POPE balance, vocabulary coverage, geometry and pixels.

import { describe, expect, it } from 'vitest';
import { FieldError } from '../base/errors';
import { Rng } from '../base/rng';
import {
  buildVocab,
  checkAnswer,
  COLORS,
  type Dataset,
  datasetFingerprint,
  generateDataset,
  generateScene,
  getTaskSpec,
  makeQuestion,
  MNIST_LICENSE,
  priorStats,
  renderScene,
  type Scene,
  shapeMask,
  SHAPES,
  SIZES,
  solveQuestion,
  TASK_SPECS,
  type TaskName,
} from './index';
import { EOS_ID, PAD_ID, Tokenizer, UNK_ID } from '../base/tokenizer';
import { fakeDigitBank } from '../testing/digitBank';

const BANK = fakeDigitBank();
/** Element-wise equality of two typed arrays (vitest's deep equality is slow on large arrays). */
function sameBytes(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
const SIZES_SMALL = { trainLabeled: 150, trainUnlabeled: 150, val: 150, test: 150 };
const make = (task: TaskName, seed: number, sizes = SIZES_SMALL): Dataset =>
  generateDataset({ task, seed, sizes, digitBank: task === 'digits' ? BANK : undefined });
const DATA: Record<'shapes' | 'digits', Dataset> = { shapes: make('shapes', 11), digits: make('digits', 11) };

describe.each(['shapes', 'digits'] as const)('task %s', (task) => {
  const ds = DATA[task];
  const spec = TASK_SPECS[task];

  it('has the documented geometry and array shapes', () => {
    expect(spec.height).toBe(spec.grid * spec.patchSize);
    expect(spec.width).toBe(spec.grid * spec.patchSize);
    expect(spec.numPatches).toBe(spec.grid * spec.grid);
    expect(ds.n).toBe(600);
    expect(ds.images.length).toBe(ds.n * spec.height * spec.width * 3);
    expect(ds.promptIds.length).toBe(ds.n * spec.promptLen);
    expect(ds.answerIds.length).toBe(ds.n * spec.answerLen);
    expect(ds.families).toEqual(spec.families);
    expect(Array.from(new Set(ds.split))).toEqual([0, 1, 2, 3]);
    expect(ds.license).toBe(task === 'digits' ? MNIST_LICENSE : '');
  });

  it('is byte-identical for the same seed and differs for another seed', () => {
    const again = make(task, 11);
    expect(sameBytes(again.images, ds.images)).toBe(true);
    expect(sameBytes(again.promptIds, ds.promptIds)).toBe(true);
    expect(sameBytes(again.answerIds, ds.answerIds)).toBe(true);
    expect(sameBytes(again.family, ds.family)).toBe(true);
    expect(sameBytes(again.split, ds.split)).toBe(true);
    expect(datasetFingerprint(again)).toBe(datasetFingerprint(ds));
    const other = make(task, 12, { trainLabeled: 40, trainUnlabeled: 0, val: 0, test: 0 });
    let same = 0;
    for (let i = 0; i < 40; i++) if (JSON.stringify(other.scenes[i]) === JSON.stringify(ds.scenes[i])) same++;
    expect(same).toBe(0);
    expect(datasetFingerprint(other)).not.toBe(
      datasetFingerprint(make(task, 11, { trainLabeled: 40, trainUnlabeled: 0, val: 0, test: 0 })),
    );
  });

  it('keeps a split unchanged when another split is resized', () => {
    const bigger = make(task, 11, { ...SIZES_SMALL, trainLabeled: 300 });
    const testOf = (d: Dataset): string[] => d.prompts.filter((_, i) => d.split[i] === 3);
    expect(testOf(bigger)).toEqual(testOf(ds));
  });

  it('every answer is recomputed by the independent checker, and wrong answers fail it', () => {
    for (let i = 0; i < ds.n; i++) {
      const fam = ds.families[ds.family[i]];
      expect(fam).toBe(ds.questions[i].family);
      expect(
        checkAnswer(ds.scenes[i], fam, ds.prompts[i], ds.answers[i]),
        `${fam}: ${ds.prompts[i]} → ${ds.answers[i]}`,
      ).toBe(true);
      const wrong = ds.answers[i] === 'yes' ? 'no' : ds.answers[i] === 'a' ? 'b' : `${ds.answers[i]} red`;
      expect(checkAnswer(ds.scenes[i], fam, ds.prompts[i], wrong)).toBe(false);
    }
  });

  it('cycles families and encodes prompts/answers without <unk>, <eos>-terminated, <pad>-filled', () => {
    const tok = new Tokenizer(ds.vocab);
    const { promptLen: Lp, answerLen: A } = spec;
    let longestPrompt = 0;
    for (let i = 0; i < ds.n; i++) {
      const p = Array.from(ds.promptIds.subarray(i * Lp, (i + 1) * Lp));
      const a = Array.from(ds.answerIds.subarray(i * A, (i + 1) * A));
      expect(p.every((id) => id >= 0 && id < tok.size && id !== UNK_ID)).toBe(true);
      expect(tok.decode(p)).toBe(ds.prompts[i]);
      longestPrompt = Math.max(longestPrompt, p.filter((id) => id !== PAD_ID).length);
      if (ds.split[i] === 1) {
        expect(a.every((id) => id === PAD_ID)).toBe(true);
      } else {
        const len = tok.encode(ds.answers[i]).length;
        expect(a[len]).toBe(EOS_ID);
        expect(a.slice(len + 1).every((id) => id === PAD_ID)).toBe(true);
        expect(a.slice(0, len).every((id) => id > UNK_ID && id < tok.size)).toBe(true);
        expect(tok.decode(a)).toBe(ds.answers[i]);
      }
    }
    expect(longestPrompt).toBe(Lp); // Lp is tight: sqa prompts fill it
    for (let s = 0; s < 4; s++) {
      const fams = Array.from(ds.family).filter((_, i) => ds.split[i] === s);
      fams.forEach((f, j) => expect(f).toBe(j % ds.families.length));
    }
  });

  it("balances POPE: half yes, the no's split equally among random, popular and adversarial", () => {
    const stats = priorStats(task);
    for (let s = 0; s < 4; s++) {
      const idx = ds.questions.map((_, i) => i).filter((i) => ds.split[i] === s && ds.questions[i].family === 'pope');
      const kinds = idx.map((i) => ds.questions[i].popeKind!);
      const n = (k: string): number => kinds.filter((x) => x === k).length;
      expect(Math.abs(n('yes') - idx.length / 2)).toBeLessThanOrEqual(1);
      for (const k of ['random', 'popular', 'adversarial'])
        expect(Math.abs(n(k) - (idx.length - n('yes')) / 3)).toBeLessThanOrEqual(1);
      for (const i of idx) {
        const q = ds.questions[i];
        expect(q.answer).toBe(q.popeKind === 'yes' ? 'yes' : 'no');
        const [color, kind] = q.prompt.split(' ').slice(3, 5);
        const present = new Set(ds.scenes[i].objects.map((o) => `${o.color} ${o.kind}`));
        if (q.popeKind === 'popular') {
          const topAbsent = stats.ranked.filter((c) => !present.has(c)).slice(0, 3);
          expect(topAbsent).toContain(`${color} ${kind}`);
        }
        if (q.popeKind === 'adversarial')
          expect(ds.scenes[i].objects.some((o) => o.kind === kind && o.color !== color)).toBe(true);
      }
    }
  });

  it('has no dominant answer in any family (the image must be read; priors alone do not answer)', () => {
    for (const fam of ds.families.filter((f) => f !== 'caption')) {
      const answers = ds.questions.filter((q) => q.family === fam).map((q) => q.answer);
      const counts = new Map<string, number>();
      for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
      const top = Math.max(...counts.values()) / answers.length;
      expect(top, fam).toBeLessThanOrEqual(0.55);
      expect(counts.size, fam).toBeGreaterThanOrEqual(2);
    }
  });

  it('uses only vocabulary words and a deterministic vocabulary with specials first', () => {
    const v = buildVocab(task);
    expect(v.slice(0, 4)).toEqual(['<pad>', '<bos>', '<eos>', '<unk>']);
    expect(buildVocab(task)).toEqual(v);
    expect(new Set(v).size).toBe(v.length);
    expect(ds.vocab).toEqual(v);
    expect(v.includes('7')).toBe(task === 'digits');
    expect(v.includes('card')).toBe(task === 'digits');
  });

  it('renders each object in its cell with its colour, over a noisy background', () => {
    const scene = ds.scenes[0];
    const img = renderScene(scene, BANK);
    const { patchSize: cell, width: W } = spec;
    for (const o of scene.objects.filter((x) => x.kind !== 'card')) {
      const s = spec.shapePx[o.size as 'small' | 'big'];
      // the box's centre pixel belongs to every shape
      const x = o.col * cell + o.dx + Math.floor(s / 2);
      const y = o.row * cell + o.dy + Math.floor(s / 2);
      for (let c = 0; c < 3; c++) expect(Math.abs(img[(y * W + x) * 3 + c] - o.rgb[c])).toBeLessThanOrEqual(6);
    }
    const occupied = new Set(scene.objects.map((o) => o.row * spec.grid + o.col));
    for (let cellIdx = 0; cellIdx < spec.grid * spec.grid; cellIdx++) {
      if (occupied.has(cellIdx)) continue;
      const x = (cellIdx % spec.grid) * cell + 1;
      const y = Math.floor(cellIdx / spec.grid) * cell + 1;
      expect(Math.abs(img[(y * W + x) * 3] - scene.background)).toBeLessThanOrEqual(6);
    }
    expect(sameBytes(renderScene(scene, BANK), img)).toBe(true);
  });
});

describe('generator details', () => {
  it('gives every shape a distinct mask at every size in both tasks', () => {
    for (const spec of Object.values(TASK_SPECS)) {
      for (const size of SIZES) {
        const s = spec.shapePx[size];
        const masks = SHAPES.map((k) =>
          Array.from({ length: s * s }, (_, i) => (shapeMask(k, s, i % s, Math.floor(i / s)) ? 1 : 0)).join(''),
        );
        expect(new Set(masks).size).toBe(SHAPES.length);
      }
    }
  });

  it('rejects bad options with messages naming the field', () => {
    const sizes = { trainLabeled: 2, trainUnlabeled: 0, val: 0, test: 0 };
    expect(() => generateDataset({ task: 'shapes', seed: 1, sizes, families: ['textvqa'] })).toThrow(
      /^families\[0\]: expected one of gqa, pope, count, sqa, caption for task "shapes", got "textvqa"$/,
    );
    expect(() => generateDataset({ task: 'shapes', seed: 1, sizes: { ...sizes, val: -1 } })).toThrow(
      /^sizes\.val: expected a non-negative integer, got -1$/,
    );
    expect(() => generateDataset({ task: 'nope' as TaskName, seed: 1, sizes })).toThrow(
      /^task: expected one of "shapes", "digits", "hues", got "nope"$/,
    );
    const scene = generateScene(new Rng(1), 'shapes');
    expect(() => makeQuestion(new Rng(1), scene, 'textvqa', priorStats('shapes'))).toThrow(
      /^family: expected one of .* for task "shapes", got "textvqa"$/,
    );
    expect(() => makeQuestion(new Rng(1), scene, 'pope', priorStats('digits'))).toThrow(
      /^stats\.task: expected the scene's task "shapes", got "digits"$/,
    );
    expect(() => generateDataset({ task: 'shapes', seed: 1, sizes, families: [] })).toThrow(
      /^families: expected at least one family, got \[\]$/,
    );
    expect(() => generateDataset({ task: 'shapes', seed: 1, sizes, families: ['gqa', 'gqa'] })).toThrow(
      /^families: expected no family twice, got \["gqa","gqa"\]$/,
    );
    expect(() => generateDataset({ task: 'shapes', seed: 1, sizes, families: ['gqa', 'textvqa'] })).toThrow(
      /^families\[1\]: /,
    );
    expect(() => generateDataset({ task: 'shapes', seed: NaN, sizes })).toThrow(
      /^seed: expected a finite number, got /,
    );
    expect(() => generateDataset({ task: 'shapes', seed: 1, sizes: { ...sizes, test: 1.5 } })).toThrow(
      /^sizes\.test: expected a non-negative integer, got 1\.5$/,
    );
    expect(() => generateDataset({ task: 'shapes', seed: 1, sizes })).not.toThrow();
    expect(() => getTaskSpec('nope')).toThrow(FieldError);
    const off = { ...scene, objects: scene.objects.map((o, k) => (k === 0 ? { ...o, dy: 99 } : o)) };
    expect(() => renderScene(off)).toThrow(
      /^scene\.objects\[0\]\.dy: expected 0\.\.\d+ \(a \d+px shape inside its \d+px cell\), got 99$/,
    );
    expect(() => generateScene(new Rng(1), 'digits')).toThrow(
      /^digits: expected a DigitPool with ≥ 1 index for each of 0\.\.9 .*, got undefined\. HINT: /,
    );
  });

  it('restricts a dataset to the requested families (e.g. captions only for stage 1)', () => {
    const ds = generateDataset({
      task: 'shapes',
      seed: 5,
      sizes: { trainLabeled: 30, trainUnlabeled: 0, val: 0, test: 0 },
      families: ['caption'],
    });
    expect(ds.families).toEqual(['caption']);
    expect(ds.questions.every((q) => q.family === 'caption' && q.prompt.startsWith('describe'))).toBe(true);
  });

  it('answers a hand-made scene as documented', () => {
    const obj = (kind: string, color: string, size: string, row: number, col: number, digit = -1) =>
      ({
        kind,
        color,
        size,
        row,
        col,
        rgb: [0, 0, 0],
        dx: 0,
        dy: 0,
        digit,
        digitIndex: digit,
      }) as Scene['objects'][number];
    const scene: Scene = {
      task: 'digits',
      background: 20,
      noiseSeed: 0,
      objects: [
        obj('square', 'red', 'small', 0, 0),
        obj('circle', 'blue', 'big', 0, 2),
        obj('card', 'green', 'big', 1, 2, 7),
      ],
    };
    const cases: [Parameters<typeof solveQuestion>[1], string, string | null][] = [
      ['gqa', 'what color is the circle ?', 'blue'],
      ['gqa', 'what shape is the green object ?', 'card'],
      ['gqa', 'what color is the triangle ?', null],
      ['gqa', 'is the green card below the red square ?', 'yes'],
      ['gqa', 'is the red square right of the blue circle ?', 'no'],
      ['gqa', 'what size is the blue circle ?', 'big'],
      ['pope', 'is there a green card ?', 'yes'],
      ['pope', 'is there a red circle ?', 'no'],
      ['count', 'how many objects are there ?', 'three'],
      ['count', 'how many red objects are there ?', 'one'],
      ['count', 'how many circles are there ?', 'one'],
      ['count', 'how many big objects are there ?', null],
      ['textvqa', 'what number is on the card at middle right ?', '7'],
      ['textvqa', 'what number is on the green card ?', '7'],
      ['sqa', 'which shape is at top right ? a square b card c circle', 'c'],
      ['sqa', 'which number is at middle right ? a 1 b 7 c 9', 'b'],
      ['caption', 'describe the object at top left .', 'small red square'],
      ['caption', 'describe the object at middle right .', 'green card 7'],
      ['caption', 'describe the object at bottom left .', 'nothing'],
    ];
    for (const [fam, prompt, answer] of cases) expect(solveQuestion(scene, fam, prompt), prompt).toBe(answer);
  });

  it('matches the golden fingerprints (pixels and ids must not drift between platforms or commits)', () => {
    const sizes = { trainLabeled: 12, trainUnlabeled: 6, val: 6, test: 6 };
    expect(datasetFingerprint(make('shapes', 2024, sizes))).toBe('a80e5f67');
    expect(datasetFingerprint(make('digits', 2024, sizes))).toBe('0c56e2b8');
  });

  it("ranks POPE categories by the generator's priors", () => {
    const st = priorStats('digits');
    expect(st.ranked.length).toBe(COLORS.length * 5);
    expect(st.ranked[0]).toBe('red card');
    expect(priorStats('shapes').ranked[0]).toBe('red circle');
  });
});
