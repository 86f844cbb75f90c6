// Host side of the trainer: the data it reads (pack-like CPU arrays), validation with named errors, the seeded
// epoch iterator, and one batch's inputs, masks and gathered teacher targets as typed arrays (DESIGN §3, §4).
import { FieldError } from '../../core/base/errors';
import { Rng, type RngState } from '../../core/base/rng';
import { answerMask, buildTextIds, type ModelConfig, PAD_ID } from '../configs';

/** Cached teacher targets at answer positions (DESIGN §4), already decoded to float32. */
export interface TeacherTargets {
  logits?: Float32Array; // [N, A, V] dense targets, or:
  topk?: { ids: Int32Array; logits: Float32Array; lse: Float32Array; k: number }; // [N,A,K], [N,A,K], [N,A]
  hidden?: Float32Array; // [N, A, dh] teacher last hidden (after final LN) at kd_ids positions
  hiddenDim?: number; // dh (required with hidden)
  affinity?: Float32Array; // [N, P, A] S_t
  attention?: Float32Array; // [N, A, P] A_t
}

export interface TrainData {
  images: Uint8Array; // [N, H, W, C]
  promptIds: Int32Array; // [N, Lp] <pad>-filled
  answerIds: Int32Array; // [N, A] ground truth incl. <eos>; all <pad> for unlabeled
  teacherAnswerIds?: Int32Array; // [N, A] teacher's greedy answers (seqCE targets)
  kdIds?: Int32Array; // [N, A] the sequence the targets were computed on; default answerIds
  targets?: TeacherTargets;
  labeled: number[]; // indices with ground truth: CE + KD (+ seqCE)
  unlabeled?: number[]; // indices without: KD + seqCE only, used when config.data.useUnlabeled
  stage1?: number[]; // caption samples for stage-1 (projector-only) steps; default: the main pool
}

function need(ok: boolean, field: string, expected: string): void {
  if (!ok) throw new FieldError({ scope: 'data', field, expected });
}

/** Check lengths and ranges against the model; returns N. Errors name the field and what was expected. */
export function validateTrainData(d: TrainData, m: ModelConfig, imageSize: number): number {
  need(
    d.images instanceof Uint8Array && d.images.length % imageSize === 0,
    'images',
    `a Uint8Array of N·${imageSize} pixels`,
  );
  const N = d.images.length / imageSize;
  const { Lp, A, vocabSize: V, P } = m;
  need(d.promptIds?.length === N * Lp, 'promptIds', `Int32Array [N=${N}, Lp=${Lp}]`);
  need(d.answerIds?.length === N * A, 'answerIds', `Int32Array [N=${N}, A=${A}]`);
  for (const k of ['promptIds', 'answerIds', 'teacherAnswerIds', 'kdIds'] as const) {
    const a = d[k];
    if (!a) continue;
    need(
      a.length === N * (k === 'promptIds' ? Lp : A),
      k,
      `length N·${k === 'promptIds' ? Lp : A} = ${N * (k === 'promptIds' ? Lp : A)}`,
    );
    for (let i = 0; i < a.length; i++)
      if (!(a[i] >= 0 && a[i] < V)) need(false, `${k}[${i}]`, `an id in [0, ${V}), got ${a[i]}`);
  }
  const inRange = (xs: number[] | undefined, f: string) =>
    xs?.forEach((n, i) =>
      need(Number.isInteger(n) && n >= 0 && n < N, `${f}[${i}]`, `a sample index in [0, ${N}), got ${n}`),
    );
  need(Array.isArray(d.labeled), 'labeled', 'an array of sample indices');
  inRange(d.labeled, 'labeled');
  inRange(d.unlabeled, 'unlabeled');
  inRange(d.stage1, 'stage1');
  if (d.kdIds) {
    for (const n of d.labeled) {
      for (let t = 0; t < A; t++) {
        if (d.kdIds[n * A + t] !== d.answerIds[n * A + t]) {
          need(false, `kdIds[${n}]`, 'kd_ids = answer_ids on a labeled sample (DESIGN §4)');
        }
      }
    }
  }
  const t = d.targets;
  if (t) {
    if (t.logits) need(t.logits.length === N * A * V, 'targets.logits', `Float32Array [N=${N}, A=${A}, V=${V}]`);
    if (t.topk) {
      const K = t.topk.k;
      need(Number.isInteger(K) && K >= 1 && K <= V, 'targets.topk.k', `an integer in [1, ${V}]`);
      need(t.topk.ids.length === N * A * K, 'targets.topk.ids', `Int32Array [N, A, K=${K}]`);
      need(t.topk.logits.length === N * A * K, 'targets.topk.logits', `Float32Array [N, A, K=${K}]`);
      need(t.topk.lse.length === N * A, 'targets.topk.lse', `Float32Array [N, A]`);
    }
    if (t.hidden) {
      need(Number.isInteger(t.hiddenDim) && t.hiddenDim! >= 1, 'targets.hiddenDim', 'the teacher hidden width d_h ≥ 1');
      need(t.hidden.length === N * A * t.hiddenDim!, 'targets.hidden', `Float32Array [N, A, d_h=${t.hiddenDim}]`);
    }
    if (t.affinity) need(t.affinity.length === N * P * A, 'targets.affinity', `Float32Array [N, P=${P}, A=${A}]`);
    if (t.attention) need(t.attention.length === N * A * P, 'targets.attention', `Float32Array [N, A=${A}, P=${P}]`);
  }
  return N;
}

/** Where an EpochIterator stands: the current epoch's order, the next position in it, the shuffling Rng's state. */
export interface IteratorState {
  order: Int32Array; // [pool size] this epoch's permutation of the pool (empty before the first batch)
  pos: number; // next index into order, 0..order.length
  rng: RngState;
}

/** Seeded shuffled epochs over a pool of indices; a batch may cross an epoch boundary (then it reshuffles). */
export class EpochIterator {
  private order: number[] = [];
  private pos = 0;
  constructor(
    private readonly pool: readonly number[],
    private rng: Rng,
  ) {
    if (pool.length === 0)
      throw new FieldError({
        field: 'data.labeled',
        expected: 'at least one sample in the pool the batches are drawn from (it is empty)',
        hint: 'the pack has no samples in this split',
      });
  }
  /** A copy of where the iterator stands (structured-clone safe). */
  state(): IteratorState {
    return { order: Int32Array.from(this.order), pos: this.pos, rng: this.rng.state() };
  }

  /** Continue from a saved state of an iterator over the same pool; `field` names it in errors. */
  restore(s: IteratorState, field: string): void {
    const pool = new Set(this.pool);
    const order = Array.from(s?.order ?? [], Number);
    if (
      !(s?.order instanceof Int32Array) ||
      (order.length !== 0 && order.length !== this.pool.length) ||
      !order.every((n) => pool.has(n))
    ) {
      throw new FieldError({
        field: `${field}.order`,
        expected: `an Int32Array permutation of the ${this.pool.length} pool indices (or empty)`,
      });
    }
    if (!Number.isInteger(s.pos) || s.pos < 0 || s.pos > order.length) {
      throw new FieldError({ field: `${field}.pos`, expected: `an integer in [0, ${order.length}]`, got: s.pos });
    }
    this.rng = Rng.fromState(s.rng);
    this.order = order;
    this.pos = s.pos;
  }

  next(B: number): number[] {
    const out: number[] = [];
    while (out.length < B) {
      if (this.pos >= this.order.length) {
        this.order = this.rng.shuffle(this.pool.slice());
        this.pos = 0;
      }
      out.push(this.order[this.pos++]);
    }
    return out;
  }
}

/** One batch on the host. B rows; R = B·A answer rows. */
export interface HostBatch {
  idx: number[]; // sample indices [B]
  B: number;
  prompt: Int32Array; // [B, Lp]
  promptMask: Float32Array; // [B, Lp] 1 where not <pad>
  kdIds: Int32Array; // [B, A] forward sequence (= ground truth where labeled, teacher answer where unlabeled)
  textKd: Int32Array; // [B, Lp+A] text ids of that sequence
  kdMask: Float32Array; // [B, A] up to and incl. <eos>
  ceMask: Float32Array; // [B, A] kdMask on labeled rows, 0 elsewhere
  teacherAns?: Int32Array; // [B, A]
  teacherMask?: Float32Array; // [B, A] answerMask of the teacher answers
  sameAsTeacher?: Uint8Array; // [B] 1 where kdIds row equals the teacher answer row
  logits?: Float32Array; // [B, A, V]
  topk?: { ids: Int32Array; logits: Float32Array; lse: Float32Array; k: number }; // k = min(config topK, pack K)
  hidden?: Float32Array; // [B, A, dh]
  affinity?: Float32Array; // [B, P, A]
  attention?: Float32Array; // [B, A, P]
}

function gatherRows<T extends Int32Array | Float32Array>(src: T, idx: number[], w: number): T {
  const out = new (src.constructor as { new (n: number): T })(idx.length * w);
  idx.forEach((n, b) => out.set(src.subarray(n * w, (n + 1) * w), b * w));
  return out;
}

/** Assemble a batch: inputs, masks and (when cached) teacher targets. topK = entries to keep (≤ pack K). */
export function buildHostBatch(
  d: TrainData,
  m: ModelConfig,
  idx: number[],
  labeledSet: Set<number>,
  topK: number,
): HostBatch {
  const { Lp, A, P, vocabSize: V } = m;
  const B = idx.length;
  const prompt = gatherRows(d.promptIds, idx, Lp);
  const kdIds = gatherRows(d.kdIds ?? d.answerIds, idx, A);
  const kdMask = answerMask(kdIds, B, A);
  const ceMask = kdMask.slice();
  idx.forEach((n, b) => {
    if (!labeledSet.has(n)) ceMask.fill(0, b * A, (b + 1) * A);
  });
  const promptMask = new Float32Array(B * Lp);
  for (let i = 0; i < B * Lp; i++) promptMask[i] = prompt[i] === PAD_ID ? 0 : 1;
  const h: HostBatch = {
    idx,
    B,
    prompt,
    promptMask,
    kdIds,
    textKd: buildTextIds(prompt, kdIds, B, Lp, A),
    kdMask,
    ceMask,
  };
  if (d.teacherAnswerIds) {
    h.teacherAns = gatherRows(d.teacherAnswerIds, idx, A);
    h.teacherMask = answerMask(h.teacherAns, B, A);
    h.sameAsTeacher = new Uint8Array(B);
    for (let b = 0; b < B; b++) {
      let same = 1;
      for (let t = 0; t < A && same; t++) if (h.teacherAns[b * A + t] !== kdIds[b * A + t]) same = 0;
      h.sameAsTeacher[b] = same;
    }
  }
  const t = d.targets;
  if (t?.logits) h.logits = gatherRows(t.logits, idx, A * V);
  if (t?.topk) {
    const K = t.topk.k;
    const k = Math.min(Math.max(1, topK), K);
    const ids = new Int32Array(B * A * k);
    const lg = new Float32Array(B * A * k);
    const lse = gatherRows(t.topk.lse, idx, A);
    for (let b = 0; b < B; b++) {
      for (let a = 0; a < A; a++) {
        const src = (idx[b] * A + a) * K;
        const dst = (b * A + a) * k;
        if (kdMask[b * A + a] > 0) {
          ids.set(t.topk.ids.subarray(src, src + k), dst);
          lg.set(t.topk.logits.subarray(src, src + k), dst);
        } else {
          // Masked slot (after <eos>): the pack holds zeros; use a valid distinct-id uniform target so every
          // per-row value stays finite (masked rows are dropped by maskedMean, but NaN·0 would poison gradients).
          for (let j = 0; j < k; j++) ids[dst + j] = j;
          lse[b * A + a] = Math.log(V);
        }
      }
    }
    h.topk = { ids, logits: lg, lse, k };
  }
  if (t?.hidden) h.hidden = gatherRows(t.hidden, idx, A * t.hiddenDim!);
  if (t?.affinity) h.affinity = gatherRows(t.affinity, idx, P * A);
  if (t?.attention) h.attention = gatherRows(t.attention, idx, A * P);
  return h;
}
