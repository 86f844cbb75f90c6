// Pack version 2 (DESIGN §4b): the metadata that features packs add (`features`, `vocab_source`, `hidden`), parsed and
// checked with errors naming file and field, and the patch grid a features pack implies for display.
import { brief, PackError } from './safetensors';

/** `features`: the frozen encoder's (optionally pooled) output shipped as `image_features` F16 [N, P, dV]. */
export interface FeaturesSpec {
  source: string; // what produced them, e.g. "openai/clip-vit-large-patch14-336 layer -2"
  P: number; // patches per sample after pooling, ≥ 1
  dV: number; // feature width, ≥ 1 (the student's projector input)
  pooling: string; // e.g. "avg 4x4 of 24x24", or "none"
  grid?: { rows: number; cols: number }; // optional display grid, rows·cols = P (default: √P × √P when square, else 1 × P)
}
/** `vocab_source`: the original tokenizer id of each compacted vocab entry (−1 for a special the tokenizer lacks). */
export interface VocabSource {
  tokenizer: string; // e.g. "llava-hf/llava-1.5-7b-hf"
  ids: number[]; // length = vocab length; integers ≥ −1, non-negative ones unique
  size?: number; // optional: the tokenizer's full vocabulary size (informative)
}
/** `hidden`: how teacher_hidden was reduced in width. */
export interface HiddenSpec {
  d: number; // width of teacher_hidden, ≥ 1
  method: string; // the fixed projection, in words (e.g. "x @ R / sqrt(4096), R ~ N(0,1) seed 0, [4096, 256]")
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

function json(md: Record<string, string>, key: string, file: string): unknown {
  try {
    return JSON.parse(md[key]);
  } catch (e) {
    throw new PackError(file, `metadata.${key}`, `a JSON string (${e instanceof Error ? e.message : String(e)})`);
  }
}

export function parseFeaturesSpec(md: Record<string, string>, file: string): FeaturesSpec {
  const f = json(md, 'features', file);
  const want = 'a JSON object {source: string, P: integer ≥ 1, dV: integer ≥ 1, pooling: string} (DESIGN §4b)';
  if (!isObj(f) || typeof f.source !== 'string' || !isInt(f.P, 1) || !isInt(f.dV, 1) || typeof f.pooling !== 'string') {
    throw new PackError(file, 'metadata.features', `${want} (got ${brief(md.features)})`);
  }
  const out: FeaturesSpec = { source: f.source, P: f.P, dV: f.dV, pooling: f.pooling };
  if (f.grid !== undefined) {
    const g = f.grid;
    if (!isObj(g) || !isInt(g.rows, 1) || !isInt(g.cols, 1) || g.rows * g.cols !== f.P) {
      throw new PackError(
        file,
        'metadata.features',
        `grid {rows, cols} of positive integers with rows·cols = P = ${f.P} (got ${brief(g)})`,
      );
    }
    out.grid = { rows: g.rows, cols: g.cols };
  }
  return out;
}

export function parseVocabSource(md: Record<string, string>, file: string, vocabLength: number): VocabSource {
  const v = json(md, 'vocab_source', file);
  if (!isObj(v) || typeof v.tokenizer !== 'string' || !Array.isArray(v.ids)) {
    throw new PackError(
      file,
      'metadata.vocab_source',
      `a JSON object {tokenizer: string, ids: [original id per vocab entry]} (got ${brief(md.vocab_source)})`,
    );
  }
  if (v.ids.length !== vocabLength) {
    throw new PackError(
      file,
      'metadata.vocab_source',
      `ids of length ${vocabLength}, one per metadata.vocab entry (got ${v.ids.length})`,
    );
  }
  const seen = new Set<number>();
  v.ids.forEach((id, i) => {
    if (!isInt(id, -1))
      throw new PackError(file, 'metadata.vocab_source', `ids integers ≥ −1 (got ${brief(id)} at index ${i})`);
    if (id >= 0 && seen.has(id))
      throw new PackError(
        file,
        'metadata.vocab_source',
        `ids unique where ≥ 0 (original id ${id} repeats at index ${i})`,
      );
    seen.add(id);
  });
  const out: VocabSource = { tokenizer: v.tokenizer, ids: v.ids as number[] };
  if (v.size !== undefined) {
    if (!isInt(v.size, 1) || v.size < vocabLength)
      throw new PackError(
        file,
        'metadata.vocab_source',
        `size an integer ≥ ${vocabLength} (the vocab length) (got ${brief(v.size)})`,
      );
    out.size = v.size;
  }
  return out;
}

export function parseHiddenSpec(md: Record<string, string>, file: string): HiddenSpec {
  const h = json(md, 'hidden', file);
  if (!isObj(h) || !isInt(h.d, 1) || typeof h.method !== 'string') {
    throw new PackError(
      file,
      'metadata.hidden',
      `a JSON object {d: integer ≥ 1, method: string} (got ${brief(md.hidden)})`,
    );
  }
  return { d: h.d, method: h.method };
}

/** The patch grid to draw P features on: the declared grid, else √P × √P when P is square, else 1 row of P. */
export function featuresGrid(f: Pick<FeaturesSpec, 'P' | 'grid'>): { rows: number; cols: number } {
  if (f.grid) return f.grid;
  const r = Math.round(Math.sqrt(f.P));
  return r * r === f.P ? { rows: r, cols: r } : { rows: 1, cols: f.P };
}
