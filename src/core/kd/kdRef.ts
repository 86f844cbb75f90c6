// Float64 reference for every distillation loss of DESIGN §3 (contract), on plain number rows: the ground truth
// the tfjs losses in src/model/losses.ts and the kd:eval CLI are tested against. Pure TS: no tfjs, no DOM.
import type { Divergence } from '../config/config';

/** The options that decide the value of a logit divergence at one position (a subset of KdOptions). */
export interface DivOptions {
  divergence: Divergence; // fkl | rkl | jsd | tvd | sfkl | srkl | mse
  T: number; // temperature > 0 (ignored by mse)
  t2: boolean; // multiply every divergence except mse by T²
  normLogits: boolean; // standardise both logit rows first (Bessel std + 1e-7)
  beta: number; // jsd mixing weight, (0, 1)
  alpha: number; // sfkl / srkl skew, [0, 1)
}

export type TopKRefMode = 'renorm' | 'tail';

/**
 * Floor of a tail bucket's log-probability in `tail` mode: ln(1e-30) ≈ −69.08. A tail bucket can be exactly empty
 * (the teacher's when its top-K mass reaches 1, the student's when the ids cover the whole vocabulary); a KL
 * towards an empty bucket from a distribution with mass there is +inf, and the floor turns that into a large
 * finite penalty. Both implementations apply it to both tail buckets (and only to them), so they agree; it changes
 * the value only where a tail holds less than 1e-30 of the mass.
 */
export const TAIL_LOG_FLOOR = Math.log(1e-30);
/** Norms are floored at this value before dividing (cosine, affinity), so a zero vector gives cosine 0. */
export const NORM_EPS = 1e-8;
/** Added to the standard deviation in normLogits (LLaVADI's code). */
export const NORM_LOGITS_EPS = 1e-7;

function logSumExp(x: number[]): number {
  let m = -Infinity;
  for (const v of x) if (v > m) m = v;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const v of x) s += Math.exp(v - m);
  return m + Math.log(s);
}

/** log softmax(z / T), via logsumexp (never log of a probability). */
export function logSoftmax(z: number[], T = 1): number[] {
  const y = z.map((v) => v / T);
  const l = logSumExp(y);
  return y.map((v) => v - l);
}

/** softmax(z / T). */
export function softmax(z: number[], T = 1): number[] {
  return logSoftmax(z, T).map(Math.exp);
}

/** (z − mean) / (std + 1e-7), std with Bessel's correction (N − 1); a single entry has std 0. */
export function normalizeLogits(z: number[]): number[] {
  const n = z.length;
  const mean = z.reduce((a, b) => a + b, 0) / n;
  let ss = 0;
  for (const v of z) ss += (v - mean) ** 2;
  const std = Math.sqrt(ss / Math.max(n - 1, 1));
  return z.map((v) => (v - mean) / (std + NORM_LOGITS_EPS));
}

/** log(e^a + e^b), stable; either side may be −inf. */
function logAddExp(a: number, b: number): number {
  const m = Math.max(a, b);
  if (m === -Infinity) return -Infinity;
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/** KL(a‖b) = Σ a (log a − log b) from log-probabilities; a term with a = 0 contributes 0 (0·log 0 = 0). */
export function klFromLog(la: number[], lb: number[]): number {
  let s = 0;
  for (let i = 0; i < la.length; i++) {
    const a = Math.exp(la[i]);
    if (a === 0) continue;
    s += a * (la[i] - lb[i]);
  }
  return s;
}

/** log(w1·e^la + w2·e^lb) per entry, for mixture weights w1 + w2 = 1 (w may be 0). */
function logMix(w1: number, la: number[], w2: number, lb: number[]): number[] {
  const l1 = Math.log(w1);
  const l2 = Math.log(w2);
  return la.map((v, i) => logAddExp(l1 + v, l2 + lb[i]));
}

/**
 * A divergence (not mse) between two distributions given as log-probabilities over the same buckets
 * (lt: teacher, ls: student), without the T² factor.
 */
export function divergenceFromLog(lt: number[], ls: number[], o: DivOptions): number {
  switch (o.divergence) {
    case 'fkl':
      return klFromLog(lt, ls);
    case 'rkl':
      return klFromLog(ls, lt);
    case 'jsd': {
      const lm = logMix(o.beta, lt, 1 - o.beta, ls);
      return o.beta * klFromLog(lt, lm) + (1 - o.beta) * klFromLog(ls, lm);
    }
    case 'tvd': {
      let s = 0;
      for (let i = 0; i < lt.length; i++) s += Math.abs(Math.exp(lt[i]) - Math.exp(ls[i]));
      return 0.5 * s;
    }
    case 'sfkl':
      return klFromLog(lt, o.alpha === 0 ? ls : logMix(o.alpha, lt, 1 - o.alpha, ls));
    case 'srkl':
      return klFromLog(ls, o.alpha === 0 ? lt : logMix(1 - o.alpha, lt, o.alpha, ls));
    case 'mse':
      throw new Error('kdRef.divergenceFromLog: mse works on logits, not probabilities');
    default: {
      const never: never = o.divergence;
      throw new Error(`kdRef: unknown divergence ${String(never)}`);
    }
  }
}

/** The value of a dense logit term at one position (DESIGN §3): zs, zt are the student's and teacher's V logits. */
export function divergenceRow(zs: number[], zt: number[], o: DivOptions): number {
  if (zs.length !== zt.length) throw new Error(`kdRef.divergenceRow: zs has ${zs.length} entries, zt ${zt.length}`);
  if (o.normLogits) {
    zs = normalizeLogits(zs);
    zt = normalizeLogits(zt);
  }
  if (o.divergence === 'mse') {
    let s = 0;
    for (let i = 0; i < zs.length; i++) s += (zs[i] - zt[i]) ** 2;
    return s / zs.length;
  }
  const d = divergenceFromLog(logSoftmax(zt, o.T), logSoftmax(zs, o.T), o);
  return o.t2 ? d * o.T * o.T : d;
}

/**
 * The value at one position against a top-K teacher (DESIGN §3). zs: the student's V logits; ids: the teacher's
 * K distinct ids; tLogits: their raw teacher logits (T = 1); lse: logsumexp of the teacher's full row.
 * renorm: both restricted to the K ids and renormalised at temperature T.
 * tail (T must be 1): K + 1 buckets; the teacher tail is max(0, 1 − Σ_k exp(ẑ_k − lse)), computed as
 * max(0, −expm1(logsumexp_k(ẑ_k − lse))); the student tail is logsumexp of its non-selected log-probabilities;
 * both tail logs are floored at TAIL_LOG_FLOOR.
 */
export function topkDivergenceRow(
  zs: number[],
  ids: number[],
  tLogits: number[],
  lse: number,
  o: DivOptions,
  mode: TopKRefMode,
): number {
  if (o.divergence === 'mse') throw new Error('kdRef.topkDivergenceRow: mse needs the full teacher logits');
  if (o.normLogits) throw new Error('kdRef.topkDivergenceRow: normLogits needs the full teacher logits');
  if (ids.length !== tLogits.length) throw new Error('kdRef.topkDivergenceRow: ids and tLogits differ in length');
  const sel = ids.map((i) => zs[i]);
  if (mode === 'renorm') {
    const d = divergenceFromLog(logSoftmax(tLogits, o.T), logSoftmax(sel, o.T), o);
    return o.t2 ? d * o.T * o.T : d;
  }
  if (o.T !== 1) throw new Error(`kdRef.topkDivergenceRow: tail mode needs T = 1, got ${o.T}`);
  const lt = tLogits.map((v) => v - lse);
  const tTail = Math.max(0, -Math.expm1(logSumExp(lt)));
  const ltTail = Math.max(Math.log(tTail), TAIL_LOG_FLOOR);
  const lsFull = logSoftmax(zs, 1);
  const chosen = new Set(ids);
  const rest: number[] = [];
  for (let j = 0; j < zs.length; j++) if (!chosen.has(j)) rest.push(lsFull[j]);
  const lsTail = Math.max(logSumExp(rest), TAIL_LOG_FLOOR);
  const ls = ids.map((i) => lsFull[i]);
  return divergenceFromLog([...lt, ltTail], [...ls, lsTail], o); // T = 1: T² = 1
}

/** Hidden-state term at one position: mse = mean over dims of (a − b)²; cosine = 1 − a·b / (‖a‖‖b‖), norms ≥ NORM_EPS. */
export function hiddenRow(a: number[], b: number[], mode: 'mse' | 'cosine'): number {
  if (a.length !== b.length) throw new Error(`kdRef.hiddenRow: a has ${a.length} dims, b ${b.length}`);
  if (mode === 'mse') {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
    return s / a.length;
  }
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return 1 - ab / (Math.max(Math.sqrt(aa), NORM_EPS) * Math.max(Math.sqrt(bb), NORM_EPS));
}

function unit(h: number[]): number[] {
  const n = Math.max(Math.sqrt(h.reduce((s, v) => s + v * v, 0)), NORM_EPS);
  return h.map((v) => v / n);
}

/**
 * Affinity term of one sample: ĥ = h/‖h‖ (norm ≥ NORM_EPS); S_s = ĥ_img·ĥ_ansᵀ (P × A); the mean over the P rows and
 * the masked-in answer columns of (S_s − S_t)². 0 when no answer column is masked in.
 * hsImg [P][d], hsAns [A][d], St [P][A], ansMask [A] (1 = in).
 */
export function affinityLoss(hsImg: number[][], hsAns: number[][], St: number[][], ansMask: number[]): number {
  const ui = hsImg.map(unit);
  const ua = hsAns.map(unit);
  let s = 0;
  let n = 0;
  for (let a = 0; a < ua.length; a++) {
    if (!(ansMask[a] > 0)) continue;
    for (let p = 0; p < ui.length; p++) {
      let dot = 0;
      for (let k = 0; k < ui[p].length; k++) dot += ui[p][k] * ua[a][k];
      s += (dot - St[p][a]) ** 2;
      n++;
    }
  }
  return n === 0 ? 0 : s / n;
}

/** Attention term of one sample: mean over masked-in answer rows × P of (A_s − A_t)². As, At [A][P]; 0 if empty. */
export function attentionLoss(As: number[][], At: number[][], ansMask: number[]): number {
  let s = 0;
  let n = 0;
  for (let a = 0; a < As.length; a++) {
    if (!(ansMask[a] > 0)) continue;
    for (let p = 0; p < As[a].length; p++) {
      s += (As[a][p] - At[a][p]) ** 2;
      n++;
    }
  }
  return n === 0 ? 0 : s / n;
}

/** Weighted mean Σ v·m / Σ m over entries with m > 0 (a 0/1 mask gives the plain mean); 0 for an empty mask. */
export function maskedMean(values: number[], mask: number[]): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if (!(mask[i] > 0)) continue;
    s += values[i] * mask[i];
    n += mask[i];
  }
  return n === 0 ? 0 : s / n;
}

/** Cross-entropy at one position: −log softmax(z)[target] (T = 1). */
export function ceRow(z: number[], target: number): number {
  return -logSoftmax(z, 1)[target];
}
