// Word-level tokenizer over a fixed vocabulary (index = id) with <pad> <bos> <eos> <unk> at ids 0..3.
// Text is split on whitespace; the vocabulary itself comes from the task templates (scenes/vocab.ts).

import { FieldError } from './errors';

export const SPECIAL_TOKENS = ['<pad>', '<bos>', '<eos>', '<unk>'] as const;
export const PAD_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
export const UNK_ID = 3;

/** Throws unless `vocab` starts with the four special tokens, has no duplicates and no whitespace in a token. */
export function validateVocab(vocab: readonly string[]): void {
  if (!Array.isArray(vocab)) throw new FieldError({ field: 'vocab', expected: 'an array of strings', got: vocab });
  SPECIAL_TOKENS.forEach((t, i) => {
    if (vocab[i] !== t) {
      throw new FieldError({
        field: `vocab[${i}]`,
        expected: `the special token "${t}"`,
        got: vocab[i],
        hint: `a vocabulary starts with ${SPECIAL_TOKENS.join(' ')}`,
      });
    }
  });
  const seen = new Map<string, number>();
  vocab.forEach((t, i) => {
    if (typeof t !== 'string' || t.length === 0 || /\s/.test(t)) {
      throw new FieldError({ field: `vocab[${i}]`, expected: 'a non-empty string without whitespace', got: t });
    }
    const first = seen.get(t);
    if (first !== undefined)
      throw new FieldError({
        field: `vocab[${i}]`,
        expected: `a token not already in vocab (this one is at id ${first})`,
        got: t,
      });
    seen.set(t, i);
  });
}

export class Tokenizer {
  readonly vocab: readonly string[];
  private readonly index: ReadonlyMap<string, number>;

  constructor(vocab: readonly string[]) {
    validateVocab(vocab);
    this.vocab = vocab.slice();
    this.index = new Map(vocab.map((t, i) => [t, i]));
  }

  /** V, the vocabulary size. */
  get size(): number {
    return this.vocab.length;
  }

  /** Id of one token (<unk> when absent). */
  id(token: string): number {
    return this.index.get(token) ?? UNK_ID;
  }

  /** Token ids of whitespace-separated words, no <bos>/<eos> added; unknown words map to <unk>. */
  encode(text: string): number[] {
    const words = text
      .trim()
      .split(/\s+/)
      .filter((w) => w.length > 0);
    return words.map((w) => this.id(w));
  }

  /** Text of ids joined by single spaces: stops at the first <eos>, skips <pad> and <bos>. */
  decode(ids: ArrayLike<number>): string {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id === EOS_ID) break;
      if (id === PAD_ID || id === BOS_ID) continue;
      if (!Number.isInteger(id) || id < 0 || id >= this.vocab.length) {
        throw new FieldError({ field: `ids[${i}]`, expected: `an integer id in [0, ${this.vocab.length})`, got: id });
      }
      out.push(this.vocab[id]);
    }
    return out.join(' ');
  }

  /**
   * Writes encode(text) (plus <eos> when `eos`) into `out[offset .. offset + length)`, <pad>-filling the rest.
   * Throws when the tokens do not fit. Returns the number of non-pad slots written.
   */
  encodeInto(text: string, out: Int32Array, offset: number, length: number, eos: boolean): number {
    const ids = this.encode(text);
    if (eos) ids.push(EOS_ID);
    if (ids.length > length) {
      throw new FieldError({
        field: 'text',
        expected: `at most ${length} tokens${eos ? ' (incl. <eos>)' : ''}`,
        got: text,
        hint: `it needs ${ids.length}; shorten the text or give it more slots`,
      });
    }
    out.fill(PAD_ID, offset, offset + length);
    out.set(ids, offset);
    return ids.length;
  }
}
