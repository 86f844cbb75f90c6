// Golden files of the recipe export (src/core/config/recipes.ts) for every preset: a change in either recipe fails here until
// the golden is rewritten on purpose (UPDATE_GOLDEN=1 npx vitest run src/store/recipes.test.ts). Also: every emitted
// LLaVADI flag and GKDConfig keyword is one that the cited sources define (docs/recipes.md).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig } from '../core/config/config';
import { llavadiCommand, recipeText, trlGkdConfig } from '../core/config/recipes';
import { PRESETS, presetConfig } from './presets';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'testing', 'recipes');

/** Fields of distill_train.py's ModelArguments/TrainingArguments (and the transformers TrainingArguments it extends)
 *  that the recipe may emit, as read in xushilin1/LLaVADI projects/distill/distill_train.py. */
const LLAVADI_FLAGS = new Set([
  'teacher_model_path',
  'model_name_or_path',
  'version',
  'data_path',
  'image_folder',
  'vision_tower',
  'mm_projector_type',
  'align_logits',
  'align_logits_all',
  'norm_logits',
  'reverse_kd',
  'jsd',
  'mse_distill',
  'align_hidden_embeds',
  'align_affinity',
  'align_attn_map',
  'attn_ans2img',
  'align_on_policy',
  // transformers.TrainingArguments (the script's TrainingArguments subclasses it; distill_finetune.sh passes these)
  'bf16',
  'output_dir',
  'max_steps',
  'per_device_train_batch_size',
  'learning_rate',
  'weight_decay',
  'warmup_steps',
  'lr_scheduler_type',
  'adam_beta1',
  'adam_beta2',
  'adam_epsilon',
  'max_grad_norm',
  'seed',
]);
/** GKDConfig's own fields (trl/experimental/gkd/gkd_config.py; trl/trainer/ before TRL 1.0) and the TrainingArguments it inherits that the recipe emits. */
const GKD_KEYWORDS = new Set([
  'beta',
  'lmbda',
  'temperature',
  'seq_kd',
  'output_dir',
  'learning_rate',
  'per_device_train_batch_size',
  'max_steps',
  'warmup_steps',
  'lr_scheduler_type',
  'adam_beta1',
  'adam_beta2',
  'adam_epsilon',
  'max_grad_norm',
  'seed',
]);

describe('recipe export', () => {
  it.each(PRESETS.map((p) => p.id))('preset %s matches its golden file', (id) => {
    const text = recipeText(presetConfig(id, DEFAULT_CONFIG)!);
    const file = join(DIR, `${id}.txt`);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
      if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`missing golden ${file}: run with UPDATE_GOLDEN=1`);
      writeFileSync(file, text);
    }
    expect(text).toBe(readFileSync(file, 'utf8'));
  });

  it('every flag and keyword emitted for any preset exists in the cited sources', () => {
    for (const p of PRESETS) {
      const c = presetConfig(p.id, DEFAULT_CONFIG)!;
      for (const m of llavadiCommand(c).matchAll(/^\s+--(\w+)/gm))
        expect(LLAVADI_FLAGS.has(m[1]), `${p.id}: --${m[1]}`).toBe(true);
      for (const m of trlGkdConfig(c).matchAll(/^\s+(\w+)=/gm))
        expect(GKD_KEYWORDS.has(m[1]), `${p.id}: ${m[1]}=`).toBe(true);
    }
  });

  it('the knobs map to the flags (divergence, positions, terms, on-policy) and the rest becomes comments', () => {
    const cfg = (patch: Parameters<typeof mergeConfig>[1]) => mergeConfig(DEFAULT_CONFIG, patch);
    expect(llavadiCommand(cfg({ weights: { kd: 1 }, kd: { divergence: 'rkl' } }))).toMatch(/--reverse_kd True/);
    expect(trlGkdConfig(cfg({ weights: { kd: 1 }, kd: { divergence: 'rkl' } }))).toMatch(/beta=1\.0/);
    expect(trlGkdConfig(cfg({ weights: { kd: 1 }, kd: { divergence: 'jsd', beta: 0.3 } }))).toMatch(/beta=0\.30/);
    const all = llavadiCommand(cfg({ weights: { kd: 1 }, kd: { allPositions: true, source: 'online' } }));
    expect(all).toMatch(/--align_logits False/);
    expect(all).toMatch(/--align_logits_all True/);
    expect(all).not.toMatch(/no flag selects a part/);
    const img = cfg({ weights: { kd: 1 }, kd: { allPositions: true, source: 'online', extraPositions: 'image' } });
    expect(llavadiCommand(img)).toMatch(/--align_logits_all True/);
    expect(llavadiCommand(img)).toMatch(
      /^# no equivalent: answer \+ image positions only: --align_logits_all aligns every position/m,
    );
    expect(trlGkdConfig(img)).toMatch(
      /^# no equivalent: all positions \(answer \+ image\): GKD aligns the completion tokens only/m,
    );
    const tvd = cfg({
      weights: { kd: 5, hidden: 5 },
      kd: { divergence: 'tvd', T: 4, t2: true },
      onPolicy: { lambda: 0.5 },
    });
    expect(llavadiCommand(tvd)).toMatch(/^# no equivalent: divergence tvd/m);
    expect(llavadiCommand(tvd)).toMatch(/^# no equivalent: loss weights kd ×5, hidden ×5/m);
    expect(llavadiCommand(tvd)).toMatch(/--align_on_policy True/);
    expect(trlGkdConfig(tvd)).toMatch(/^# no equivalent: hidden ×5: GKD aligns logits only/m);
    expect(trlGkdConfig(tvd)).toMatch(/^# no equivalent: T² factor/m);
    expect(trlGkdConfig(tvd)).toMatch(/lmbda=0\.50/);
    expect(llavadiCommand(cfg({ kd: { topKMode: 'tail', topK: 8 }, weights: { kd: 1 } }))).toMatch(
      /^# no equivalent: top-K teacher \(tail, K 8\)/m,
    );
  });
});
