// Shapes of the mini-LLaVA (vision encoder + projector + causal LM), the student/teacher presets, and the one
// place that fixes the sequence layout every other module (trainer, generation, pack builder) relies on.
import { FieldError } from '../core/base/errors';
import { PAD_ID, BOS_ID, EOS_ID, UNK_ID } from '../core/base/tokenizer';

export { PAD_ID, BOS_ID, EOS_ID, UNK_ID };

/** Vision encoder (ViT) shape. The image is cut into (height/patch)·(width/patch) = P patches, row-major. */
export interface EncoderConfig {
  height: number; // image height in pixels, a multiple of patch, ≥ 1
  width: number; // image width in pixels, a multiple of patch, ≥ 1
  channels: number; // 1 (grey) or 3 (RGB)
  patch: number; // patch side in pixels, ≥ 1
  dV: number; // feature width d_v of each patch, ≥ 1
  layers: number; // pre-LN transformer blocks, ≥ 0
  heads: number; // attention heads; dV % heads === 0
}

/** Projector + causal LM shape. P, Lp, A fix the sequence layout (see seqLayout). */
export interface ModelConfig {
  vocabSize: number; // V, shared by teacher and student; ids 0..3 are <pad> <bos> <eos> <unk>
  d: number; // LM width, d % heads === 0
  layers: number; // pre-LN causal blocks, ≥ 1
  heads: number; // attention heads
  mlpRatio: number; // MLP hidden = mlpRatio·d, ≥ 1
  P: number; // image tokens = encoder patches
  Lp: number; // prompt slots (right-padded with <pad>, masked as keys)
  A: number; // answer slots (incl. <eos>, then <pad>)
  dV: number; // encoder feature width (projector input)
}

/**
 * Sequence layout (contract for the trainer, generation and the pack builder):
 *
 *   position: 0 … P-1        P … P+Lp-1                 P+Lp     P+Lp+1 … P+Lp+A-1
 *   input:    image tokens   prompt (right-padded <pad>)  <bos>    answer[0 … A-2]
 *
 * L = P + Lp + A. The logits that predict answer slot t (t = 0 … A-1) come from position P+Lp+t, so the
 * answer-predicting positions are the last A positions. <pad> anywhere in the text is masked as a key.
 * Text ids (what the LM embeds) are the last Lp+A positions: textIds = [prompt | <bos> | answer[:A-1]].
 */
export interface SeqLayout {
  P: number;
  Lp: number;
  A: number;
  L: number; // P + Lp + A
  T: number; // text length Lp + A
  bosPos: number; // P + Lp
  ansStart: number; // first answer-predicting position = P + Lp
}

export function seqLayout(c: Pick<ModelConfig, 'P' | 'Lp' | 'A'>): SeqLayout {
  const L = c.P + c.Lp + c.A;
  return { P: c.P, Lp: c.Lp, A: c.A, L, T: c.Lp + c.A, bosPos: c.P + c.Lp, ansStart: c.P + c.Lp };
}

/** Build text ids [B, Lp+A] = [prompt | <bos> | answer[:A-1]] on the host. prompt [B,Lp], answer [B,A]. */
export function buildTextIds(prompt: Int32Array, answer: Int32Array, B: number, Lp: number, A: number): Int32Array {
  const T = Lp + A;
  const out = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    out.set(prompt.subarray(b * Lp, (b + 1) * Lp), b * T);
    out[b * T + Lp] = BOS_ID;
    out.set(answer.subarray(b * A, b * A + A - 1), b * T + Lp + 1);
  }
  return out;
}

/** Answer mask [B,A]: 1 for slots up to and including the first <eos> that are not <pad>; 0 after. */
export function answerMask(answer: Int32Array, B: number, A: number): Float32Array {
  const m = new Float32Array(B * A);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < A; t++) {
      const id = answer[b * A + t];
      if (id === PAD_ID) break;
      m[b * A + t] = 1;
      if (id === EOS_ID) break;
    }
  }
  return m;
}

/** The encoder's patch count P and flattened patch length patch²·channels. */
export function encoderGeometry(e: EncoderConfig): { P: number; patchDim: number } {
  return { P: (e.height / e.patch) * (e.width / e.patch), patchDim: e.patch * e.patch * e.channels };
}

function need(ok: boolean, field: string, expected: string, got: unknown): void {
  if (!ok) throw new FieldError({ field, expected, got });
}
const posInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1;

export function validateEncoderConfig(e: EncoderConfig, name = 'encoder'): EncoderConfig {
  for (const k of ['height', 'width', 'channels', 'patch', 'dV', 'heads'] as const) {
    need(posInt(e?.[k]), `${name}.${k}`, 'an integer ≥ 1', e?.[k]);
  }
  need(Number.isInteger(e.layers) && e.layers >= 0, `${name}.layers`, 'an integer ≥ 0', e.layers);
  need(e.height % e.patch === 0, `${name}.height`, `a multiple of patch ${e.patch}`, e.height);
  need(e.width % e.patch === 0, `${name}.width`, `a multiple of patch ${e.patch}`, e.width);
  need(e.dV % e.heads === 0, `${name}.dV`, `a multiple of heads ${e.heads}`, e.dV);
  return e;
}

export function validateModelConfig(m: ModelConfig, name = 'model'): ModelConfig {
  for (const k of ['vocabSize', 'd', 'layers', 'heads', 'mlpRatio', 'P', 'Lp', 'A', 'dV'] as const) {
    need(posInt(m?.[k]), `${name}.${k}`, 'an integer ≥ 1', m?.[k]);
  }
  need(m.vocabSize >= 4, `${name}.vocabSize`, 'at least 4 (the special tokens)', m.vocabSize);
  need(m.d % m.heads === 0, `${name}.d`, `a multiple of heads ${m.heads}`, m.d);
  return m;
}

/** Fill P and dV of a model preset from the encoder it reads, and V, Lp, A from the data. */
export function modelFor(
  preset: Pick<ModelConfig, 'd' | 'layers' | 'heads' | 'mlpRatio'>,
  enc: EncoderConfig,
  text: { vocabSize: number; Lp: number; A: number },
): ModelConfig {
  return validateModelConfig({ ...preset, ...text, P: encoderGeometry(enc).P, dV: enc.dV });
}

/** Student: d = 64, 2 layers, 2 heads (≈ 0.1 M LM parameters). */
export const STUDENT_PRESET = { d: 64, layers: 2, heads: 2, mlpRatio: 4 } as const;
/** Teacher: d = 128, 3 layers, 4 heads; trains in Node wasm on one core in minutes (see bench:step). */
export const TEACHER_PRESET = { d: 128, layers: 3, heads: 4, mlpRatio: 4 } as const;
/** Vision encoder for 24×24 RGB images with 8×8 patches (P = 9). */
export const ENCODER_PRESET: EncoderConfig = {
  height: 24,
  width: 24,
  channels: 3,
  patch: 8,
  dV: 64,
  layers: 2,
  heads: 2,
};
