// Test fixture: a tiny, valid, deterministic teacher pack (DESIGN §4) as buildPackBytes input, for unit tests of the
// pack reader and of anything that consumes packs. Values are random but well-formed; nothing here is a real model.
import { Rng } from '../base/rng';
import { f32ToF16Bits, type SafeTensor } from '../pack/safetensors';
import { PACK_FORMAT, PACK_VERSION, SPLIT, type PackInput, type PackMeta } from '../pack/pack';

export interface TinyPackOptions {
  kind?: 'dense' | 'topk'; // target storage (default dense)
  k?: number; // top-K width for kind 'topk', 1..V (default 3)
  seed?: number; // default 1
  n?: number; // samples ≥ 4 (default 6); splits cycle train-labeled, train-unlabeled, val, test, train-labeled, …
}

export const TINY_VOCAB = [
  '<pad>',
  '<bos>',
  '<eos>',
  '<unk>',
  'what',
  'color',
  'how',
  'many',
  'red',
  'blue',
  'one',
  'two',
];
export const TINY_FAMILIES = ['color', 'count'];
/** Dims of the tiny pack other than N and K: image 8×8×3, 4 patches of 4×4, 5 prompt tokens, 4 answer slots, hidden 8. */
export const TINY_DIMS = { H: 8, W: 8, C: 3, Lp: 5, A: 4, V: TINY_VOCAB.length, P: 4, dh: 8 } as const;

const f16 = (shape: number[], data: Float32Array): SafeTensor => ({ dtype: 'F16', shape, data: f32ToF16Bits(data) });
const f32 = (shape: number[], data: Float32Array): SafeTensor => ({ dtype: 'F32', shape, data });
const i32 = (shape: number[], data: Int32Array): SafeTensor => ({ dtype: 'I32', shape, data });
const u8 = (shape: number[], data: Uint8Array): SafeTensor => ({ dtype: 'U8', shape, data });

/** Build the tiny pack. Same options → same tensors and metadata (hence the same bytes from buildPackBytes). */
export function makeTinyPack(opts: TinyPackOptions = {}): PackInput {
  const kind = opts.kind ?? 'dense';
  const N = opts.n ?? 6;
  const { H, W, C, Lp, A, V, P, dh } = TINY_DIMS;
  const K = kind === 'dense' ? V : (opts.k ?? 3);
  const rng = new Rng(opts.seed ?? 1);
  const tok = (s: string): number => TINY_VOCAB.indexOf(s);
  const PAD = tok('<pad>');
  const EOS = tok('<eos>');

  const images = new Uint8Array(N * H * W * C).map(() => rng.int(256)); // [N, H, W, C]
  const split = new Uint8Array(N).map(
    (_, i) => [SPLIT.trainLabeled, SPLIT.trainUnlabeled, SPLIT.val, SPLIT.test][i % 4],
  ); // [N]
  const family = new Uint8Array(N).map(() => rng.int(TINY_FAMILIES.length)); // [N]
  const prompt = new Int32Array(N * Lp).fill(PAD); // [N, Lp]
  const answer = new Int32Array(N * A).fill(PAD); // [N, A]
  const teacherAnswer = new Int32Array(N * A).fill(PAD); // [N, A]
  const kd = new Int32Array(N * A).fill(PAD); // [N, A]
  const answerLen = new Int32Array(N); // slots used incl. <eos>
  for (let n = 0; n < N; n++) {
    const q = family[n] === 0 ? ['what', 'color'] : ['how', 'many'];
    q.forEach((w, j) => (prompt[n * Lp + j] = tok(w)));
    const words = family[n] === 0 ? ['red', 'blue'] : ['one', 'two'];
    const truth = [tok(rng.pick(words)), EOS];
    const guess = [tok(rng.pick(words)), EOS];
    answerLen[n] = 2;
    const labeled = split[n] !== SPLIT.trainUnlabeled;
    for (let t = 0; t < 2; t++) {
      if (labeled) answer[n * A + t] = truth[t];
      teacherAnswer[n * A + t] = guess[t];
      kd[n * A + t] = labeled ? truth[t] : guess[t];
    }
  }

  // Teacher outputs at used slots; zeros after <eos>.
  const logits = new Float32Array(N * A * V); // [N, A, V]
  const hidden = new Float32Array(N * A * dh); // [N, A, dh]
  const affinity = new Float32Array(N * P * A); // [N, P, A]
  const attention = new Float32Array(N * A * P); // [N, A, P]
  for (let n = 0; n < N; n++) {
    for (let t = 0; t < answerLen[n]; t++) {
      for (let v = 0; v < V; v++) logits[(n * A + t) * V + v] = 2 * rng.normal();
      for (let j = 0; j < dh; j++) hidden[(n * A + t) * dh + j] = rng.normal();
      let sum = 0;
      const row = attention.subarray((n * A + t) * P, (n * A + t + 1) * P);
      for (let p = 0; p < P; p++) sum += row[p] = rng.uniform(0.05, 1);
      for (let p = 0; p < P; p++) row[p] /= sum;
      for (let p = 0; p < P; p++) affinity[(n * P + p) * A + t] = rng.uniform(-1, 1);
    }
  }

  const tensors: Record<string, SafeTensor> = {
    images: u8([N, H, W, C], images),
    split: u8([N], split),
    family: u8([N], family),
    prompt_ids: i32([N, Lp], prompt),
    answer_ids: i32([N, A], answer),
    teacher_answer_ids: i32([N, A], teacherAnswer),
    kd_ids: i32([N, A], kd),
    teacher_hidden: f16([N, A, dh], hidden),
    teacher_affinity: f16([N, P, A], affinity),
    teacher_attention: f16([N, A, P], attention),
  };
  if (kind === 'dense') {
    tensors.teacher_logits = f16([N, A, V], logits);
  } else {
    const ids = new Int32Array(N * A * K); // [N, A, K]
    const top = new Float32Array(N * A * K); // [N, A, K]
    const lse = new Float32Array(N * A); // [N, A]
    for (let n = 0; n < N; n++) {
      for (let t = 0; t < answerLen[n]; t++) {
        const r = (n * A + t) * V;
        const order = Array.from({ length: V }, (_, v) => v).sort((a, b) => logits[r + b] - logits[r + a] || a - b);
        const m = logits[r + order[0]];
        let s = 0;
        for (let v = 0; v < V; v++) s += Math.exp(logits[r + v] - m);
        lse[n * A + t] = m + Math.log(s);
        for (let k = 0; k < K; k++) {
          ids[(n * A + t) * K + k] = order[k];
          top[(n * A + t) * K + k] = logits[r + order[k]];
        }
      }
    }
    tensors.teacher_topk_ids = i32([N, A, K], ids);
    tensors.teacher_topk_logits = f16([N, A, K], top);
    tensors.teacher_lse = f32([N, A], lse);
  }
  // A couple of fake weights: encoder patch embedding and position embedding, teacher LM head.
  const randn = (len: number): Float32Array => new Float32Array(len).map(() => 0.1 * rng.normal());
  tensors['encoder.patch_embed.weight'] = f32([(H / 2) * (W / 2) * C, 8], randn((H / 2) * (W / 2) * C * 8));
  tensors['encoder.pos_embed'] = f32([P, 8], randn(P * 8));
  tensors['teacher.lm_head.weight'] = f32([dh, V], randn(dh * V));

  const meta: PackMeta = {
    format: PACK_FORMAT,
    version: PACK_VERSION,
    vocab: [...TINY_VOCAB],
    image: { height: H, width: W, channels: C },
    families: [...TINY_FAMILIES],
    targets: { kind, k: K, positions: 'answer' },
    encoder: { patch: 4, dim: 8, layers: 1, heads: 2 },
    teacher: {
      config: { d: dh, layers: 1, heads: 2 },
      params: 1234,
      accuracy: { color: 75, count: 50 },
      trainedSteps: 100,
      seed: opts.seed ?? 1,
    },
    license: 'synthetic test data (no third-party content)',
  };
  return { meta, tensors };
}

export interface TinyFeaturesPackOptions {
  seed?: number; // default 1
  thumbnails?: boolean; // keep `images` (8×8×3) as display thumbnails (default true)
  alignment?: boolean; // keep teacher_hidden / teacher_affinity / teacher_attention (default false: an external teacher's minimum)
  dV?: number; // feature width (default 6)
}

/**
 * The tiny pack as a version-2 features pack (DESIGN §4b): `image_features` F16 [N, P, dV] instead of pixels +
 * encoder, a vocabulary "compacted" from a made-up 50-token tokenizer (vocab_source), top-K 3 targets, an external
 * teacher (config null, no teacher.* weights).
 */
export function makeTinyFeaturesPack(opts: TinyFeaturesPackOptions = {}): PackInput {
  const base = makeTinyPack({ kind: 'topk', k: 3, seed: opts.seed });
  const { P } = TINY_DIMS;
  const N = base.tensors.split.shape[0];
  const dV = opts.dV ?? 6;
  const rng = new Rng((opts.seed ?? 1) + 1000);
  const tensors: Record<string, SafeTensor> = {};
  for (const [name, t] of Object.entries(base.tensors)) {
    if (name.startsWith('encoder.') || name.startsWith('teacher.')) continue;
    if (!opts.alignment && ['teacher_hidden', 'teacher_affinity', 'teacher_attention'].includes(name)) continue;
    if (name === 'images' && opts.thumbnails === false) continue;
    tensors[name] = t;
  }
  tensors.image_features = f16(
    [N, P, dV],
    new Float32Array(N * P * dV).map(() => rng.normal()),
  ); // [N, P, dV]
  const { image, encoder: _encoder, ...rest } = base.meta;
  const meta: PackMeta = {
    ...rest,
    ...(opts.thumbnails === false ? {} : { image }),
    version: '2',
    teacher: { ...base.meta.teacher, config: null, params: 0 },
    features: { source: 'random test features', P, dV, pooling: 'none' },
    // Specials the made-up tokenizer lacks (<pad>, <bos>) get −1; the words map to distinct original ids.
    vocabSource: {
      tokenizer: 'tiny-test-tokenizer',
      ids: TINY_VOCAB.map((_, i) => (i < 2 ? -1 : i === 2 ? 2 : i === 3 ? 0 : 10 + 3 * i)),
      size: 50,
    },
    ...(opts.alignment ? { hidden: { d: TINY_DIMS.dh, method: 'identity (test data)' } } : {}),
  };
  return { meta, tensors };
}
