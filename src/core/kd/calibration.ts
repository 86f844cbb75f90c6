// How sure and how calibrated a teacher is on its answer rows (issue 27, DESIGN §4c `teacher.calibration`): expected
// calibration error, median top-token probability, mean entropy and token accuracy, in float64 from raw logits.

export interface Calibration {
  ece: number; // Σ_bins (n_b / R) · |accuracy_b − confidence_b|, equal-width bins of the top probability, 0..1
  medianTopProb: number; // median over rows of max softmax, 0..1
  meanEntropy: number; // mean over rows of −Σ p log p, nats
  accuracy: number; // share of rows whose argmax is the target, 0..1
  rows: number;
}

/** Softmax of one row (float64, max-subtracted). */
function softmax(z: ArrayLike<number>, off: number, V: number): Float64Array {
  let m = -Infinity;
  for (let v = 0; v < V; v++) m = Math.max(m, z[off + v]);
  const p = new Float64Array(V);
  let s = 0;
  for (let v = 0; v < V; v++) s += p[v] = Math.exp(z[off + v] - m);
  for (let v = 0; v < V; v++) p[v] /= s;
  return p;
}

/**
 * Calibration of R rows of logits [R, V] against their targets [R] (the token a row should predict). The top
 * probability is the row's confidence; a row is correct when its argmax (lowest id on ties) is the target.
 */
export function calibrationOf(
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  V: number,
  bins = 15,
): Calibration {
  const R = targets.length;
  if (logits.length !== R * V)
    throw new Error(`calibrationOf: logits of ${R}×${V} = ${R * V} values expected, got ${logits.length}`);
  if (R === 0) return { ece: NaN, medianTopProb: NaN, meanEntropy: NaN, accuracy: NaN, rows: 0 };
  const top = new Float64Array(R);
  const binN = new Float64Array(bins);
  const binConf = new Float64Array(bins);
  const binAcc = new Float64Array(bins);
  let entropy = 0;
  let correct = 0;
  for (let r = 0; r < R; r++) {
    const p = softmax(logits, r * V, V);
    let arg = 0;
    for (let v = 1; v < V; v++) if (p[v] > p[arg]) arg = v;
    for (let v = 0; v < V; v++) if (p[v] > 0) entropy -= p[v] * Math.log(p[v]);
    const ok = arg === targets[r] ? 1 : 0;
    correct += ok;
    top[r] = p[arg];
    const b = Math.min(bins - 1, Math.floor(p[arg] * bins));
    binN[b]++;
    binConf[b] += p[arg];
    binAcc[b] += ok;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++)
    if (binN[b] > 0) ece += (binN[b] / R) * Math.abs(binAcc[b] / binN[b] - binConf[b] / binN[b]);
  const sorted = Array.from(top).sort((a, b) => a - b);
  const mid = R >> 1;
  const medianTopProb = R % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { ece, medianTopProb, meanEntropy: entropy / R, accuracy: correct / R, rows: R };
}
