// The paper's numbers and where each comes from (issue 28): every TextVQA number the findings quote, with its experiment
// in the authors' notes, student, teacher, epochs, temperature and T² as their trainer ran it, and what "KD only" removed.
// Sources: the stored copies of xushilin1/LLaVADI — projects/distill/exp.md (2.7B notes, commit f47cc9a), exp1_4B.md
// (1.4B notes, commit b3795bb), the trainer projects/distill/distill_llava_llama.py and distill_train.py, and
// scripts/v1_5/distill_finetune.sh. Where the notes say nothing the value is NOT_STATED; nothing here is guessed. Pure data.

/** Written wherever the notes do not give a value. */
export const NOT_STATED = 'not stated in the notes' as const;
export type NotStated = typeof NOT_STATED;

export const PAPER_FILES = {
  exp: 'the authors’ notes on the 2.7B runs (xushilin1/LLaVADI, projects/distill/exp.md)',
  exp14: 'the authors’ notes on the 1.4B runs (xushilin1/LLaVADI, projects/distill/exp1_4B.md)',
  mobilevlm: 'the MobileVLM paper (MobileVLM-3B’s published score; not a run in the LLaVADI notes)',
  lab: "this lab's quick study (study/quick-<pack>.json)",
} as const;

export const S27 = 'MobileLLaMA 2.7B' as const;
export const S14 = 'MobileLLaMA 1.4B' as const;
/** exp16/exp17: "llava 20层，使用隔层初始化" — a 20-layer LLaVA initialised from every other layer (exp10: of LLaVA-13b). */
export const S20_ALT = '20-layer LLaVA student initialised from alternate layers of LLaVA-13B' as const;
/** exp31/exp38–41: "使用20层的LLaVA，使用LLaVA-13b的前面20层初始化； 使用LLaVA-13B的projector". */
export const S20_FIRST = '20-layer LLaVA student initialised from the first 20 layers of LLaVA-13B, with its projector' as const;

/** The 1.4B notes name the teacher ("LLaVA-13B蒸馏") for exp1–exp6. */
const T13_NOTES = 'LLaVA-13B (named in the notes)';
/** Elsewhere the notes name none; the trainer's teacher_model_path defaults to checkpoints/llava-v1.5-13b (04d5a53 … b3795bb). */
const T13_CODE = 'LLaVA-v1.5-13B (the trainer’s default; the notes name none)';

/** The temperature as the authors' code ran it, for the panel and docs/findings.md. */
export const TRAINER_T =
  'Every version of the authors’ trainer read here, from the first commit (04d5a53) to b3795bb, computes the logit KL at T 0.7 and multiplies it by 0.7²; their last stored trainer (fab50df, run by exp91’s script) drops the temperature (T 1, no T²) and z-scores both logits (--norm_logits). The lab’s fKL conditions run at T 1 without T², so the paper’s “KL ×1” is not the lab’s.';

/** Where a value's temperature comes from: the notes, the committed trainer (the notes give none), or no logit-KL term. */
export type TFrom = 'notes' | 'code' | 'none';

/** One number of the paper: TextVQA accuracy of one experiment, with its provenance. */
export interface PaperValue {
  label: string;
  textvqa: number;
  source: keyof typeof PAPER_FILES;
  exp: string; // the experiment's id in the notes (its output folder's suffix)
  line?: number; // the line of its entry in the stored copy of the notes
  student: string;
  teacher: string;
  epochs: number | NotStated;
  /** The softmax temperature of the logit KL; null when the run has no logit-KL term. */
  T: number | NotStated | null;
  /** Whether the KL was multiplied by T²; null when the run has no logit-KL term. */
  t2: boolean | NotStated | null;
  tFrom: TFrom;
  /** For "KD only" runs: what was taken out of the loss. */
  removed?: string;
  note?: string;
}

/** The paper's side of a finding: its values, a sentence on the setting, and whether the claim has a number in the
 *  sources at all (inSources false: `claimSource` says where the claim comes from). */
export interface PaperSide {
  values: PaperValue[];
  note: string;
  inSources: boolean;
  claimSource?: string;
}

/** The trainer as committed: every version read (04d5a53, the first commit; b5cceef; 22385d8; b3795bb, the commit of the
 *  1.4B notes; two more of the 45 stored) computes kl_div(log_softmax(s / 0.7), softmax(t / 0.7)) * 0.7 * 0.7. */
const KL07 = { T: 0.7, t2: true, tFrom: 'code' } as const;
const NO_KL = { T: null, t2: null, tFrom: 'none' } as const;

const v27 = (label: string, textvqa: number, exp: string, line: number, rest: Partial<PaperValue> = {}): PaperValue => ({
  label, textvqa, source: 'exp', exp, line, student: S27, teacher: T13_CODE, epochs: NOT_STATED, ...KL07, ...rest,
});
const v14 = (label: string, textvqa: number, exp: string, line: number, rest: Partial<PaperValue> = {}): PaperValue => ({
  label, textvqa, source: 'exp14', exp, line, student: S14, teacher: T13_NOTES, epochs: NOT_STATED, ...KL07, ...rest,
});

/** exp12/13/14/18: "去掉student原本的loss；只保留蒸馏loss；蒸馏loss * 5" */
const KD_ONLY_REMOVED = 'all of the student’s own loss; only the distillation loss ×5 is kept';
const T_UNCOMMITTED = 'no trainer version read runs at this T';

const LOGITS = v27('CE + fKL (align_logits)', 49.5, 'align_logits', 4, { note: `KD weight ${NOT_STATED}` });
const FKL1_14 = v14('fKL ×1', 44.43, 'exp6', 9);

export const PAPER: Record<string, PaperSide> = {
  F1: {
    values: [
      { label: 'CE (no distillation)', textvqa: 47.5, source: 'mobilevlm', exp: 'MobileVLM-3B (published)', student: `${S27} (MobileVLM-3B)`, teacher: 'none (no distillation)', epochs: NOT_STATED, ...NO_KL },
      LOGITS,
    ],
    note: 'The CE baseline is MobileVLM’s published score; the notes hold no CE-only run of this student. The lab’s baseline (CE + seqCE on the teacher’s answers) is itself a distillation term (sequence-level KD).',
    inSources: true,
  },
  F2: {
    values: [FKL1_14, v14('fKL ×5', 45.1, 'exp1', 1)],
    note: 'Both on the 1.4B student, KL at T 0.7 times 0.7² as the trainer was committed; the lab’s fKL conditions run at T 1 without T².',
    inSources: true,
  },
  F3: {
    values: [
      v27('answer tokens only', 50.3, 'align_logits_exp3', 7, { epochs: 2 }),
      v27('all valid tokens', 46.7, 'align_logits_exp4', 24, { note: 'every non-padding position (image, prompt and answer)' }),
    ],
    note: 'exp3 trained 2 epochs and exp4 states none, so length is confounded with positions. The authors’ last committed recipe (scripts/v1_5/distill_finetune.sh, exp91) sets --align_logits_all True --norm_logits True: KD on all positions.',
    inSources: true,
  },
  F4: {
    values: [
      v27('T 0.1', 46.3, 'exp14', 69, { T: 0.1, t2: NOT_STATED, tFrom: 'notes', removed: KD_ONLY_REMOVED, note: T_UNCOMMITTED }),
      v27('T 0.25', 48.7, 'exp13', 74, { T: 0.25, t2: NOT_STATED, tFrom: 'notes', removed: KD_ONLY_REMOVED, note: `${T_UNCOMMITTED}; with the student’s loss kept (exp15) 48.8` }),
      v27('T 0.7', 49.9, 'exp12', 59, { T: 0.7, t2: true, tFrom: 'notes', removed: KD_ONLY_REMOVED, note: 'the committed trainer at T 0.7 multiplies by 0.7²' }),
      v27('T 1', 49.9, 'exp18', 64, { T: 1, t2: NOT_STATED, tFrom: 'notes', removed: KD_ONLY_REMOVED, note: T_UNCOMMITTED }),
    ],
    note: '“KD only” in the paper removed all of the student’s own loss; the lab’s KD-only conditions drop the ground-truth CE but keep seqCE at 1.',
    inSources: true,
  },
  F5: {
    values: [
      v27('hidden MSE ×5', 48.7, 'exp21', 102, { ...NO_KL, note: 'last layer; the student’s width projected up to the teacher’s' }),
      LOGITS,
      v27('logits ×5 + hidden ×5', 50.7, 'exp22', 107),
      v27('logits ×5', 49.8, 'exp8', 18, { epochs: 1 }),
    ],
    note: 'The lab decides “both best” against logits ×1 only, as quoted here (50.7 against 49.5); it is not compared with hidden ×5 alone (48.7) nor with logits ×5 alone (exp8: 49.8, 1 epoch).',
    inSources: true,
  },
  F6: {
    values: [
      v14('hidden MSE ×1', 43.98, 'exp7', 13, { ...NO_KL, teacher: T13_CODE, note: 'answer tokens only' }),
      v14('hidden cosine ×1', 43.76, 'exp8', 17, { ...NO_KL, teacher: T13_CODE, note: 'answer tokens only' }),
      v14('logits ×5 + hidden MSE ×5', 44.75, 'exp3', 29, { note: 'hidden on answer tokens only' }),
      v14('logits ×5 + hidden cosine ×5', 45.1, 'exp4', 33, { note: 'hidden on answer tokens only' }),
    ],
    note: 'Two pairs on the 1.4B student: at ×1 without logits, and at ×5 with logits ×5 on both sides; the lab measures hidden ×5 alone.',
    inSources: true,
  },
  F7: {
    values: [LOGITS, v27('logits + affinity', 48.9, 'exp6', 34, { note: 'affinity over the last 20 layers' })],
    note: 'Affinity weight not stated in the notes.',
    inSources: true,
  },
  F8: {
    values: [
      v27('hidden + attention', 46.3, 'exp17', 90, { ...NO_KL, student: S20_ALT, note: 'last layer’s attention map (OOM otherwise); batch 4 × 8 × 2, lr 1e-5; no run without attention to compare' }),
      v27('logits ×5 + hidden', 54.1, 'exp38', 136, { student: S20_FIRST, note: 'hidden on answer tokens only' }),
      v27('+ attention, image → answer', 54.0, 'exp39', 141, { student: S20_FIRST }),
      v27('+ attention, answer → answer', 54.0, 'exp40', 147, { student: S20_FIRST }),
      v27('+ attention, answer → image', 54.4, 'exp41', 153, { student: S20_FIRST }),
    ],
    note: 'The matched pair is exp38 without attention against exp39–41 with it (−0.1 to +0.3), on a 20-layer LLaVA student, not MobileLLaMA.',
    inSources: true,
  },
  F9: {
    values: [FKL1_14, v14('fKL + offline teacher data', 45.6, 'exp29', 99, { teacher: T13_CODE, note: 'the notes call the data “offline data” and state no KD weight' })],
    note: 'In the notes only the 1.4B exp29 (“offline data”) and exp30 (“merged data”, 49.6) distil on extra data; none of the runs quoted for F1–F8 used teacher-generated data.',
    inSources: true,
  },
  F10: {
    values: [
      v14('logit cross-entropy ×5', 44.7, 'exp2', 25, { T: NOT_STATED, t2: NOT_STATED, tFrom: 'notes', note: 'the notes: “align_logits（CE）”' }),
      v14('forward KL ×5', 45.1, 'exp1', 1),
    ],
    note: 'The only divergence pair in the notes: logit cross-entropy against forward KL. TVD is a lab extension, measured but not decisive.',
    inSources: false,
    claimSource: 'Not in the sources as a number: the claim is the paper’s, but the notes hold no TextVQA number for reverse KL, JSD or logit MSE, although the trainer has all three (--reverse_kd, --jsd, --mse_distill).',
  },
  F11: {
    values: [],
    note: 'The trainer samples the student’s own answers (temperature 1) on half of the steps with --align_on_policy.',
    inSources: false,
    claimSource: 'Not in the sources as a number: the notes hold no on-policy run with a TextVQA score.',
  },
  F12: { values: [], note: PAPER_FILES.lab, inSources: false, claimSource: 'A finding of this lab, not of the paper.' },
};

/** "T 0.7 with T² (the trainer’s code; the notes give no T)", "T 0.1 (from the notes; T² not stated)", … */
export function temperatureText(v: PaperValue): string {
  if (v.tFrom === 'none') return 'no logit-KL term';
  if (v.T === NOT_STATED) return `temperature ${NOT_STATED}`;
  if (v.tFrom === 'code') return `T ${v.T}${v.t2 === true ? ' with T²' : ' without T²'} (the trainer’s code; the notes give no T)`;
  if (v.t2 === NOT_STATED) return `T ${v.T} (from the notes; T² not stated)`;
  return `T ${v.T}${v.t2 ? ' with T²' : ' without T²'} (T from the notes, T² from the trainer’s code)`;
}

/** A TextVQA number as the notes write it: 54.0, not 54. */
export const textvqaText = (x: number): string => (Number.isInteger(x) ? x.toFixed(1) : String(x));

/** One value's source in plain words: experiment, file and line, student, teacher, epochs, temperature. */
export function provenanceText(v: PaperValue): string {
  if (v.source === 'mobilevlm') return `${v.exp}: ${PAPER_FILES.mobilevlm}. Student: ${v.student}; teacher: ${v.teacher}.`;
  const where = `${v.exp}, ${v.source === 'exp' ? '2.7B notes' : '1.4B notes'}${v.line ? ` line ${v.line}` : ''}`;
  const epochs = typeof v.epochs === 'number' ? `${v.epochs} epoch${v.epochs === 1 ? '' : 's'}` : `epochs ${NOT_STATED}`;
  const removed = v.removed ? `; removed: ${v.removed}` : '';
  const note = v.note ? `; ${v.note}` : '';
  return `${where}. Student: ${v.student}; teacher: ${v.teacher}; ${epochs}; ${temperatureText(v)}${removed}${note}.`;
}
