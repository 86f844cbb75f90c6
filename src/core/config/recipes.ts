// A lab config as recipes for the real trainers: the command line of LLaVADI's projects/distill/distill_train.py and
// a TRL GKDConfig(...) for GKDTrainer. What has no equivalent becomes a comment line, never dropped. Pure TS.
import { extraPositionsOf, studentInitOf, type TrainConfig } from './config';

/** Where every flag and keyword below comes from (docs/recipes.md has the mapping table). */
export const RECIPE_SOURCES = {
  llavadi:
    'xushilin1/LLaVADI projects/distill/distill_train.py (TrainingArguments, ModelArguments); scripts/v1_5/distill_finetune.sh',
  trl: 'huggingface/trl trl/experimental/gkd/gkd_config.py (GKDConfig), trl/experimental/gkd/gkd_trainer.py (generalized_jsd_loss); trl/trainer/ before TRL 1.0',
} as const;

const num = (x: number) => String(x);
const bool = (b: boolean) => (b ? 'True' : 'False');

/**
 * The distill_train.py command line. Placeholders in <angle brackets> are the user's paths. The loss terms are the
 * script's boolean switches; the temperature and the loss weights are constants in the authors' DistillModel
 * (projects/distill/distill_llava_llama.py), so a value other than theirs is a comment telling where to edit.
 */
export function llavadiCommand(c: TrainConfig): string {
  const flags: [string, string][] = [];
  const notes: string[] = [];
  const w = c.weights;
  const kdOn = w.kd > 0;
  flags.push(['--teacher_model_path', '<teacher checkpoint, e.g. LLaVA-v1.5-13B>']);
  const pretrained = studentInitOf(c) === 'pretrained';
  flags.push([
    '--model_name_or_path',
    pretrained ? '<pretrained student LM, e.g. MobileLLaMA-2.7B>' : '<student checkpoint, e.g. MobileLLaMA-2.7B>',
  ]);
  flags.push(['--version', 'v1']);
  flags.push([
    '--data_path',
    c.data.useUnlabeled ? '<instruction data + teacher-answered images (json)>' : '<instruction data (json)>',
  ]);
  flags.push(['--image_folder', '<image folder>']);
  flags.push(['--vision_tower', '<CLIP ViT-L/14-336>']);
  flags.push(['--mm_projector_type', 'mlp2x_gelu']);
  flags.push(['--align_logits', bool(kdOn && !c.kd.allPositions)]);
  if (kdOn && c.kd.allPositions) flags.push(['--align_logits_all', 'True']);
  if (kdOn && partOnly(c))
    notes.push(
      `answer + ${c.kd.extraPositions} positions only: --align_logits_all aligns every position; no flag selects a part (edit the mask in DistillModel.forward)`,
    );
  if (kdOn && c.kd.normLogits) flags.push(['--norm_logits', 'True']);
  if (kdOn) {
    const d = c.kd.divergence;
    if (d === 'rkl') flags.push(['--reverse_kd', 'True']);
    else if (d === 'jsd') {
      flags.push(['--jsd', 'True']);
      if (c.kd.beta !== 0.5)
        notes.push(
          `JSD β ${c.kd.beta}: --jsd has no β; edit the mixture in DistillModel (projects/distill/distill_llava_llama.py)`,
        );
    } else if (d === 'mse') flags.push(['--mse_distill', 'True']);
    else if (d !== 'fkl')
      notes.push(
        `divergence ${d}: no flag in distill_train.py (fkl, --reverse_kd, --jsd, --mse_distill only); as written this trains forward KL`,
      );
    if (d !== 'mse')
      notes.push(
        `temperature T ${c.kd.T}${c.kd.t2 ? ' with the T² factor' : ''}: not a flag; a constant in DistillModel.forward (projects/distill/distill_llava_llama.py)`,
      );
    if (c.kd.topKMode !== 'dense')
      notes.push(
        `top-K teacher (${c.kd.topKMode}, K ${c.kd.topK}): no equivalent (the script runs the full teacher online; --align_sparse_logits/--select_k exist but their semantics are not this mode's)`,
      );
  }
  if (w.hidden > 0) {
    flags.push(['--align_hidden_embeds', 'True']);
    if (c.hiddenMode === 'cosine')
      notes.push('hidden cosine: not a flag (exp1_4B.md exp8 edited the code); --align_hidden_embeds is MSE');
  }
  if (w.affinity > 0) flags.push(['--align_affinity', 'True']);
  if (w.attention > 0) flags.push(['--align_attn_map', 'True'], ['--attn_ans2img', 'True']);
  if (c.onPolicy.lambda > 0) {
    flags.push(['--align_on_policy', 'True']);
    notes.push(
      `on-policy λ ${c.onPolicy.lambda}, sampling T ${c.onPolicy.genTemperature}: --align_on_policy is a switch; the fraction and the sampling temperature are not flags`,
    );
  }
  const weights: string[] = [];
  if (w.ce !== 1)
    weights.push(
      w.ce === 0
        ? 'CE 0 (KD only: remove the student loss in DistillModel.forward, as exp.md exp12–14 did)'
        : `CE ×${w.ce}`,
    );
  for (const [k, on] of [
    ['kd', kdOn],
    ['hidden', w.hidden > 0],
    ['affinity', w.affinity > 0],
    ['attention', w.attention > 0],
  ] as const) {
    const v = w[k];
    if (on && v !== 1) weights.push(`${k} ×${v}`);
  }
  if (weights.length)
    notes.push(
      `loss weights ${weights.join(', ')}: not flags; multiply the terms in DistillModel.forward (exp.md: "蒸馏loss * 5")`,
    );
  if (w.seq > 0 || c.data.useUnlabeled)
    notes.push(
      `teacher answers on unlabeled images (seqCE ×${w.seq}): no flag; generate them with the repo's gen_data.py and add them to --data_path`,
    );
  const info =
    c.kd.source === 'cached'
      ? [
          '# note: the lab read the teacher from the pack cache; distill_train.py runs the teacher online (the same targets)',
        ]
      : [];
  if (pretrained) info.push(`# note: ${PRETRAINED_NOTE}: --model_name_or_path, as LLaVADI does`);
  if (c.stage1Steps > 0)
    notes.push(
      `stage 1 (${c.stage1Steps} projector-only steps): LLaVA's pretrain stage (scripts/v1_5/pretrain.sh), run before this`,
    );
  const o = c.optim;
  flags.push(
    ['--bf16', 'True'],
    ['--output_dir', '<output dir>'],
    ['--max_steps', num(o.totalSteps)],
    ['--per_device_train_batch_size', num(o.batchSize)],
    ['--learning_rate', num(o.lr)],
    ['--weight_decay', '0.'],
    ['--warmup_steps', num(o.warmupSteps)],
    ['--lr_scheduler_type', 'cosine'],
    ['--adam_beta1', num(o.beta1)],
    ['--adam_beta2', num(o.beta2)],
    ['--adam_epsilon', num(o.epsilon)],
    ['--max_grad_norm', num(o.clipNorm)],
    ['--seed', num(c.seed)],
  );
  if (o.minLrFrac > 0) notes.push(`cosine floor ${o.minLrFrac}·lr: transformers' "cosine" decays to 0`);
  if (o.clipNorm === 0) notes.push('clipNorm 0 (no clipping): pass a large --max_grad_norm');
  const lines = [
    `# LLaVADI (${RECIPE_SOURCES.llavadi})`,
    ...notes.map((n) => `# no equivalent: ${n}`),
    ...info,
    'torchrun --nproc_per_node 8 projects/distill/distill_train.py \\',
    ...flags.map(([k, v], i) => `    ${k} ${/[\s<>(),]/.test(v) ? `"${v}"` : v}${i < flags.length - 1 ? ' \\' : ''}`),
  ];
  return lines.join('\n');
}

/** What studentInit 'pretrained' is, and its equivalent for a real student. */
const PRETRAINED_NOTE =
  "student init 'pretrained': the lab's student started from the pack's student_init.* (its language model pretrained on text first); for a real student, initialise from a pretrained LM (e.g. MobileLLaMA-2.7B)";

/** allPositions on a part of the non-answer positions only (image or prompt): no trainer has a flag for it. */
const partOnly = (c: TrainConfig) => c.kd.allPositions && extraPositionsOf(c.kd) !== 'image+prompt';

/**
 * A TRL GKDConfig for GKDTrainer. GKD's loss is the generalised JSD alone (beta 0 = forward KL(p_t‖p_s), 1 = reverse,
 * between = the lab's jsd with the same β), at T 1 (compute_loss passes no temperature); `temperature` is the
 * on-policy sampling temperature, `lmbda` the student-data fraction, `seq_kd` trains on teacher generations.
 */
export function trlGkdConfig(c: TrainConfig): string {
  const notes: string[] = [];
  const w = c.weights;
  const d = c.kd.divergence;
  let beta = 0;
  if (d === 'rkl') beta = 1;
  else if (d === 'jsd') beta = c.kd.beta;
  else if (d !== 'fkl')
    notes.push(
      `divergence ${d}: GKDTrainer has only the generalised JSD (beta 0 forward KL … 1 reverse KL); beta=0.0 trains forward KL`,
    );
  if (w.kd === 0)
    notes.push('KD weight 0: GKDTrainer always trains the divergence; there is no CE-only GKD run (use SFTTrainer)');
  else if (w.kd !== 1) notes.push(`KD ×${w.kd}: the GKD loss has no weight`);
  if (w.ce > 0) notes.push(`ground-truth CE ×${w.ce}: GKDTrainer's loss is the divergence alone`);
  if (c.kd.T !== 1)
    notes.push(
      `KD temperature T ${c.kd.T}: compute_loss calls generalized_jsd_loss at T 1 (GKDConfig.temperature is the sampling temperature)`,
    );
  if (c.kd.t2) notes.push('T² factor: no equivalent');
  if (c.kd.normLogits) notes.push('normalised logits: no equivalent');
  if (c.kd.allPositions)
    notes.push(
      `all positions${partOnly(c) ? ` (answer + ${c.kd.extraPositions})` : ''}: GKD aligns the completion tokens only`,
    );
  if (c.kd.topKMode !== 'dense')
    notes.push(`top-K teacher (${c.kd.topKMode}, K ${c.kd.topK}): no equivalent (full vocabulary)`);
  for (const k of ['hidden', 'affinity', 'attention'] as const)
    if (w[k] > 0) notes.push(`${k} ×${w[k]}: GKD aligns logits only`);
  if (w.seq > 0 && w.seq !== 1) notes.push(`seqCE ×${w.seq}: seq_kd has no weight`);
  if (c.data.useUnlabeled)
    notes.push(
      'unlabeled images: GKD needs prompts only; add them to the train dataset (seq_kd=True answers them with the teacher)',
    );
  if (c.stage1Steps > 0) notes.push(`stage 1 (${c.stage1Steps} projector-only steps): no equivalent`);
  if (c.optim.minLrFrac > 0) notes.push(`cosine floor ${c.optim.minLrFrac}·lr: transformers' "cosine" decays to 0`);
  const o = c.optim;
  const kw: [string, string][] = [
    ['output_dir', '"<output dir>"'],
    ['beta', beta.toFixed(Number.isInteger(beta) ? 1 : 2)],
    ['lmbda', c.onPolicy.lambda.toFixed(Number.isInteger(c.onPolicy.lambda) ? 1 : 2)],
    ['temperature', num(c.onPolicy.genTemperature)],
    ['seq_kd', bool(w.seq > 0)],
    ['learning_rate', num(o.lr)],
    ['per_device_train_batch_size', num(o.batchSize)],
    ['max_steps', num(o.totalSteps)],
    ['warmup_steps', num(o.warmupSteps)],
    ['lr_scheduler_type', '"cosine"'],
    ['adam_beta1', num(o.beta1)],
    ['adam_beta2', num(o.beta2)],
    ['adam_epsilon', num(o.epsilon)],
    ['max_grad_norm', num(o.clipNorm)],
    ['seed', num(c.seed)],
  ];
  return [
    `# TRL (${RECIPE_SOURCES.trl})`,
    ...notes.map((n) => `# no equivalent: ${n}`),
    ...(studentInitOf(c) === 'pretrained' ? [`# note: ${PRETRAINED_NOTE}: GKDTrainer(model=...)`] : []),
    'try:  # TRL >= 1.0 keeps GKD under trl.experimental',
    '    from trl.experimental.gkd import GKDConfig, GKDTrainer',
    'except ImportError:  # TRL 0.x',
    '    from trl import GKDConfig, GKDTrainer',
    'args = GKDConfig(',
    ...kw.map(([k, v]) => `    ${k}=${v},`),
    ')',
    `trainer = GKDTrainer(model="${studentInitOf(c) === 'pretrained' ? '<pretrained student LM, e.g. MobileLLaMA-2.7B>' : '<student>'}", teacher_model="<teacher>", args=args, train_dataset=<dataset>)`,
  ].join('\n');
}

/** Both recipes, as the export shows them. */
export function recipeText(c: TrainConfig): string {
  return `${llavadiCommand(c)}\n\n${trlGkdConfig(c)}\n`;
}
