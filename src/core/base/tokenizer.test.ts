// Tests of the word-level tokenizer: special ids, encode/decode round trip (property test over the real
// task vocabularies), <eos>/<pad> handling in decode, padding into fixed slots, and vocabulary validation.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldError } from './errors';
import { buildVocab } from '../scenes/index';
import { BOS_ID, EOS_ID, PAD_ID, SPECIAL_TOKENS, Tokenizer, UNK_ID, validateVocab } from './tokenizer';

const vocab = ['<pad>', '<bos>', '<eos>', '<unk>', 'is', 'there', 'a', 'red', 'circle', '?'];

describe('Tokenizer', () => {
  it('puts the special tokens at ids 0..3', () => {
    expect(SPECIAL_TOKENS).toEqual(['<pad>', '<bos>', '<eos>', '<unk>']);
    expect([PAD_ID, BOS_ID, EOS_ID, UNK_ID]).toEqual([0, 1, 2, 3]);
    const tok = new Tokenizer(vocab);
    expect(tok.size).toBe(10);
    expect(tok.id('<eos>')).toBe(EOS_ID);
  });

  it('encodes words, maps unknown words to <unk>, ignores extra whitespace', () => {
    const tok = new Tokenizer(vocab);
    expect(tok.encode('is there a red circle ?')).toEqual([4, 5, 6, 7, 8, 9]);
    expect(tok.encode('  is   there\ta blue circle ?\n')).toEqual([4, 5, 6, UNK_ID, 8, 9]);
    expect(tok.encode('')).toEqual([]);
  });

  it('decode stops at <eos> and skips <pad> and <bos>', () => {
    const tok = new Tokenizer(vocab);
    expect(tok.decode([BOS_ID, 7, PAD_ID, 8, EOS_ID, 4, 5])).toBe('red circle');
    expect(tok.decode(Int32Array.from([7, 8, PAD_ID, PAD_ID]))).toBe('red circle');
    expect(tok.decode([EOS_ID, 7])).toBe('');
    expect(() => tok.decode([7, 99])).toThrow(/^ids\[1\]: expected an integer id in \[0, 10\), got 99$/);
  });

  it('round-trips any sequence of vocabulary words (both task vocabularies)', () => {
    for (const task of ['shapes', 'digits'] as const) {
      const tok = new Tokenizer(buildVocab(task));
      const words = tok.vocab.slice(4);
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...words), { maxLength: 20 }), (ws) => {
          const text = ws.join(' ');
          const ids = tok.encode(text);
          expect(ids.every((id) => id >= 4 && id < tok.size)).toBe(true);
          expect(tok.decode(ids)).toBe(text);
          expect(tok.decode([...ids, EOS_ID, ...ids])).toBe(text);
        }),
        { numRuns: 200, seed: 42 },
      );
    }
  });

  it('encodeInto pads with <pad>, appends <eos> on request and rejects text that does not fit', () => {
    const tok = new Tokenizer(vocab);
    const out = new Int32Array(12).fill(-1);
    expect(tok.encodeInto('red circle', out, 2, 5, true)).toBe(3);
    expect(Array.from(out)).toEqual([-1, -1, 7, 8, EOS_ID, PAD_ID, PAD_ID, -1, -1, -1, -1, -1]);
    expect(tok.encodeInto('red circle', out, 7, 2, false)).toBe(2);
    expect(() => tok.encodeInto('red circle', out, 7, 2, true)).toThrow(
      /^text: expected at most 2 tokens \(incl\. <eos>\), got "red circle"\. HINT: it needs 3;/,
    );
  });

  it('rejects malformed vocabularies with a message naming the field', () => {
    expect(() => validateVocab(['<bos>', '<pad>', '<eos>', '<unk>'])).toThrow(
      /^vocab\[0\]: expected the special token "<pad>", got "<bos>"\. HINT: /,
    );
    expect(() => validateVocab([...SPECIAL_TOKENS, 'a', 'a'])).toThrow(
      /^vocab\[5\]: expected a token not already in vocab \(this one is at id 4\), got "a"$/,
    );
    expect(() => validateVocab([...SPECIAL_TOKENS, 'two words'])).toThrow(
      /^vocab\[4\]: expected a non-empty string without whitespace, got "two words"$/,
    );
    expect(() => new Tokenizer(['<pad>'])).toThrow(
      /^vocab\[1\]: expected the special token "<bos>", got undefined\. HINT: /,
    );
    expect(() => new Tokenizer(['<pad>'])).toThrow(FieldError);
    expect(() => validateVocab('<pad>' as unknown as string[])).toThrow(
      /^vocab: expected an array of strings, got "<pad>"$/,
    );
  });
});
