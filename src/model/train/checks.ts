// Whether a pack (its cached targets, its teacher weights) can serve a config: each refusal names the knob, what it
// would need from the pack and what to do (DESIGN §4b). Checked when a trainer starts and on every setConfig.
import { ConfigError, type TrainConfig } from '../../core/config/config';
import type { ModelConfig } from '../configs';
import type { Params } from '../params';
import type { TrainData } from './data';

/** Throws a ConfigError when `c` needs what `init` lacks; hasPhi: the trainer has φ (the hidden term's projection). */
export function checkPackSupports(
  c: TrainConfig,
  init: { data: TrainData; teacher?: { config: ModelConfig; params: Params } },
  hasPhi: boolean,
): void {
  const t = init.data.targets;
  const online = c.kd.source === 'online' || c.kd.allPositions || c.onPolicy.lambda > 0;
  // Each refusal names the knob, what it would need from the pack, and what to do (DESIGN §4b).
  const err = (field: string, got: unknown, expected: string, hint: string) => {
    throw new ConfigError(field, expected, got, hint);
  };
  const ONLINE_HINT =
    "turn the online teacher, all positions and on-policy off, or load a pack that ships the teacher's weights";
  if (online && !init.teacher) {
    const lam = c.onPolicy.lambda > 0;
    err(
      lam ? 'onPolicy.lambda' : 'kd.source',
      lam ? c.onPolicy.lambda : c.kd.source,
      `${lam ? '0' : "'cached'"}: running the teacher online needs the pack's teacher weights (tensors teacher.*)`,
      ONLINE_HINT,
    );
  }
  if (!online) {
    const need = (term: 'kd' | 'hidden' | 'affinity' | 'attention', ok: boolean, tensor: string) => {
      if (!ok)
        err(
          `weights.${term}`,
          c.weights[term],
          `0: this pack has no ${tensor}`,
          `set the ${term} weight to 0, use the online teacher, or rebuild the pack with \`npm run pack:build\``,
        );
    };
    if (c.weights.kd > 0) need('kd', !!(t?.logits || t?.topk), 'teacher targets (teacher_logits or teacher_topk_*)');
    if (c.weights.kd > 0 && !t?.logits && c.kd.topKMode === 'dense') {
      err(
        'kd.topKMode',
        c.kd.topKMode,
        "'renorm' or 'tail': 'dense' needs dense teacher_logits and this pack holds top-K targets",
        'choose renorm or tail',
      );
    }
    if (c.weights.hidden > 0) need('hidden', !!t?.hidden, 'teacher_hidden');
    if (c.weights.affinity > 0) need('affinity', !!t?.affinity, 'teacher_affinity');
    if (c.weights.attention > 0) need('attention', !!t?.attention, 'teacher_attention');
  }
  if (c.weights.hidden > 0 && !hasPhi) {
    err(
      'weights.hidden',
      c.weights.hidden,
      "0: the hidden term needs the teacher's hidden width (teacher_hidden or teacher.config)",
      'set the hidden weight to 0',
    );
  }
  if (c.weights.seq > 0 && !init.data.teacherAnswerIds) {
    err(
      'weights.seq',
      c.weights.seq,
      "0: seqCE needs the teacher's answers (teacher_answer_ids)",
      'set the seqCE weight to 0',
    );
  }
}
