// What a pack will cost before anything trains on it: the sequence length, a training step's activation bytes at a
// batch size, the parameter counts; and the limits the validators (lab loader, pack:inspect) and the knobs refuse past.
import { PackError } from '../base/errors';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** The lab's bounds on a pack and on a step. Each refusal names the bound and says how to get under it. */
export const PACK_LIMITS = {
  fileBytes: GiB, // a pack file as given (gzipped or not); the browser and the CLI refuse larger files unread
  headerBytes: 16 * MiB, // the safetensors JSON header (a 32,000-token vocabulary is ≈ 0.5 MB)
  headerEntries: 4096, // tensors listed in the header (the shipped packs list 60–70)
  seqLen: 256, // L = P + Lp + A tokens per sequence (the shipped packs: 26); attention grows with L²
  stepBytes: 1.5 * GiB, // estimated tensor bytes alive in one training step (wasm's heap is at most 4 GiB, often less)
  modelBytes: 512 * MiB, // float32 parameters of every lane's student + Adam state + the online teacher
} as const;

/** Shape of one causal LM over the pack's sequence (the student or the teacher). */
export interface LmShape {
  d: number; // width ≥ 1
  layers: number; // blocks ≥ 1
  heads: number; // attention heads ≥ 1
  mlpRatio: number; // MLP hidden = mlpRatio·d
}

/** The sequence of a pack: P image tokens of width dV, Lp prompt slots, A answer slots, vocabulary V. */
export interface SeqShape {
  P: number;
  Lp: number;
  A: number;
  V: number;
  dV: number;
}

export interface StepCostInput {
  seq: SeqShape;
  student: LmShape;
  teacher: LmShape | null; // run online in the step (all positions, on-policy, online source); null: cached targets
  batch: number; // samples per step, 1..512
  lanes: number; // students held at once, 1..4 (steps run one lane at a time)
}

export interface StepCost {
  seqLen: number; // L = P + Lp + A
  stepBytes: number; // estimated float32 bytes alive at the peak of one lane's step
  studentParams: number; // parameters of one student (projector + LM)
  teacherParams: number; // parameters of the teacher LM (0 without an online teacher)
  modelBytes: number; // lanes × student × (weights + grads + Adam m, v) + teacher weights, float32
}

/** Parameters of projector (dV→d→d) + LM (embeddings, positions, blocks, final LN, head) for a sequence. */
export function lmParams(s: SeqShape, m: LmShape): number {
  const { d } = m;
  const L = s.P + s.Lp + s.A;
  const h = m.mlpRatio * d;
  const projector = s.dV * d + d + d * d + d;
  const block = 4 * d + (4 * d * d + 4 * d) + (2 * d * h + h + d); // 2 LN, qkv + out, MLP
  return projector + s.V * d + L * d + m.layers * block + 2 * d + d * s.V + s.V;
}

/**
 * Floats a forward pass keeps per sequence (tfjs keeps every intermediate of a taped pass until the gradient is
 * taken): per layer and token ≈ 12·d (LNs, q k v, attention output, projections, residuals) + 2·mlpRatio·d (MLP before
 * and after GELU) + 3·heads·L (scores, softmax, its mask-added copy); plus the logits at every position (3·V).
 */
function forwardFloats(L: number, V: number, m: LmShape): number {
  const perToken = m.layers * (12 * m.d + 2 * m.mlpRatio * m.d + 3 * m.heads * L) + 3 * V;
  return L * perToken;
}

/** Taped forward + gradients of the student, per forwardFloats (fitted: see bench/results/cost.json). */
const STUDENT_FACTOR = 2.8;
/** The online teacher's transient share, per forwardFloats of one of its layers (fitted likewise). */
const TEACHER_FACTOR = 0.4;

/** What one training step will hold, estimated from the shapes alone (see the calibration in docs/performance.md). */
export function stepCost(x: StepCostInput): StepCost {
  const L = x.seq.P + x.seq.Lp + x.seq.A;
  // The student's taped forward and its gradients, and the online teacher's forward, which is not taped (its
  // intermediates go as each layer ends): factors fitted to tfjs's measured peak on wasm (npm run bench:cost, P 9–256:
  // the student estimate within 0.87–1.07× of the measured CE step, the teacher's share within 0.8–1.5×).
  const student = STUDENT_FACTOR * forwardFloats(L, x.seq.V, x.student);
  const teacher = x.teacher ? TEACHER_FACTOR * forwardFloats(L, x.seq.V, { ...x.teacher, layers: 1 }) : 0;
  const stepBytes = 4 * x.batch * (student + teacher);
  const studentParams = lmParams(x.seq, x.student);
  const teacherParams = x.teacher ? lmParams(x.seq, x.teacher) : 0;
  const modelBytes = 4 * (x.lanes * 4 * studentParams + teacherParams);
  return { seqLen: L, stepBytes, studentParams, teacherParams, modelBytes };
}

const mib = (n: number): string => `${(n / MiB).toFixed(n < 10 * MiB ? 1 : 0)} MiB`;

/** A pack file's size, checked before a byte of it is read (the browser's file picker and the CLI alike). */
export function checkPackFileSize(file: string, size: number): void {
  if (size > PACK_LIMITS.fileBytes) {
    throw new PackError(
      file,
      'file',
      `at most ${mib(PACK_LIMITS.fileBytes)} (it is ${mib(size)}); nothing was read`,
      'pool the image features or keep fewer samples',
    );
  }
}

/** The sequence P + Lp + A against PACK_LIMITS.seqLen, with a hint on what to shorten. */
export function checkSeqLen(file: string, P: number, Lp: number, A: number): void {
  const L = P + Lp + A;
  if (L <= PACK_LIMITS.seqLen) return;
  const hint =
    P > Lp + A
      ? `pool the image features to P ≤ ${Math.min(64, Math.max(1, PACK_LIMITS.seqLen - Lp - A))} (the exporter's \`--pool 4\`: 4×4 windows), or use larger patches`
      : 'shorten the prompt (Lp) or the answer slots (A)';
  throw new PackError(
    file,
    'sequence length',
    `P + Lp + A at most ${PACK_LIMITS.seqLen} tokens (got ${P} + ${Lp} + ${A} = ${L}): attention grows with its square`,
    hint,
  );
}

/** The largest batch whose step fits PACK_LIMITS.stepBytes (0 when not even one sample fits). */
export function maxBatch(x: Omit<StepCostInput, 'batch'>): number {
  const one = stepCost({ ...x, batch: 1 }).stepBytes;
  return Math.floor(PACK_LIMITS.stepBytes / one);
}

/**
 * Throw a PackError naming the file and the first bound the pack passes: the sequence length, then the memory of a
 * step at `batch` and of the models. Each comes with a HINT (pool the image features, a smaller batch).
 */
export function checkPackCost(file: string, x: StepCostInput): StepCost {
  const c = stepCost(x);
  checkSeqLen(file, x.seq.P, x.seq.Lp, x.seq.A);
  if (c.stepBytes > PACK_LIMITS.stepBytes) {
    const fit = maxBatch(x);
    throw new PackError(
      file,
      'step memory',
      `a training step of at most ${mib(PACK_LIMITS.stepBytes)} (batch ${x.batch} at L = ${c.seqLen} needs ≈ ${mib(c.stepBytes)})`,
      fit >= 1 ? `use a batch size of at most ${fit}` : 'pool the image features or shorten the sequence',
    );
  }
  if (c.modelBytes > PACK_LIMITS.modelBytes) {
    throw new PackError(
      file,
      'model memory',
      `students and teacher within ${mib(PACK_LIMITS.modelBytes)} (${x.lanes} lane(s) need ≈ ${mib(c.modelBytes)})`,
      'race fewer lanes',
    );
  }
  return c;
}
