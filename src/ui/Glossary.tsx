// The glossary: every loss term and knob of the lab in plain words (a modal dialog, opened at one entry), and the
// small "?" button beside each knob's label that opens it there (a button: keyboard and touch, not hover-only).
import { useEffect, useRef } from 'react';
import { openGlossary, useUi } from './uiPrefs';

export interface GlossEntry {
  id: string;
  name: string;
  text: string;
}

/** In reading order: the actors, then the loss terms, then the knobs of KD, then data and optimisation. */
export const GLOSSARY: GlossEntry[] = [
  {
    id: 'teacher',
    name: 'teacher',
    text: "The bigger mini-LLaVA (vision encoder → projector → language model) trained first on the pack's data. Its outputs are what the student imitates.",
  },
  {
    id: 'student',
    name: 'student',
    text: 'The small mini-LLaVA trained here, live: the same frozen vision encoder and vocabulary as the teacher, a narrower and shallower language model.',
  },
  {
    id: 'cached',
    name: 'cached outputs',
    text: 'The teacher\'s outputs computed once and shipped in the pack (its top token probabilities at each answer position, hidden states, affinity and attention maps, its own answers), so the student trains without running the teacher. "online" runs the teacher on each batch instead: needed for all positions and on-policy.',
  },
  {
    id: 'total',
    name: 'total loss',
    text: 'The weighted sum of the terms: w_CE·CE + w_seqCE·seqCE + w_KD·KD + w_hidden·hidden + w_affinity·affinity + w_attention·attention. Only this is minimised; a term at weight 0 is still measured (a diagnostic) but trains nothing.',
  },
  {
    id: 'ce',
    name: 'CE',
    text: 'Cross-entropy on the ground truth: the mean over answer tokens of −log p_s(y), in nats per token. Needs labels, so it uses the labeled images only.',
  },
  {
    id: 'seq',
    name: 'seqCE',
    text: "Sequence-level KD: cross-entropy of the student on the teacher's own greedy answers (in the pack). It is how the unlabeled images teach: the teacher answers them.",
  },
  {
    id: 'kd',
    name: 'KD (logits)',
    text: "Logit distillation: a divergence D(p_t, p_s) between the teacher's and the student's next-token distributions at each answer position, p = softmax(z / T). Forward KL (fkl) by default, as in LLaVADI.",
  },
  {
    id: 'divergence',
    name: 'divergence',
    text: 'How KD compares the two distributions: fkl = KL(p_t‖p_s) (mode-covering), rkl = KL(p_s‖p_t) (mode-seeking), jsd (a mixture, weight β), tvd (half the L1 distance), sfkl/srkl (skewed KL, weight α), mse (squared difference of raw logits, no T).',
  },
  {
    id: 'T',
    name: 'T (temperature)',
    text: 'Divides the logits before the softmax: T > 1 softens both distributions (the small probabilities count more), T < 1 sharpens them towards the top token.',
  },
  {
    id: 't2',
    name: 'T²',
    text: 'Multiplies the divergence by T² so its gradients keep their size as T changes (Hinton et al.); without it a high T shrinks the KD term and a low T inflates it.',
  },
  {
    id: 'beta',
    name: 'β (jsd)',
    text: 'The mixture weight of the Jensen–Shannon divergence: m = β·p_t + (1−β)·p_s; β ∈ (0, 1), 0.5 is the symmetric JSD.',
  },
  {
    id: 'alpha',
    name: 'α (skew)',
    text: 'The skew of sfkl / srkl: KL against a mixture that keeps a share α of the other distribution, which bounds the divergence; α ∈ [0, 1).',
  },
  {
    id: 'norm',
    name: 'normalise logits',
    text: 'Standardise each logit vector ((z − mean) / std) before T, as the LLaVADI code can: compares the shapes of the distributions, not their scales.',
  },
  {
    id: 'allpos',
    name: 'all positions',
    text: "Align the logits at every image and prompt position too, not only the answer (LLaVADI's align_logits_all; the paper found it worse). The cache holds answers only, so the teacher runs online.",
  },
  {
    id: 'topk',
    name: 'top-K',
    text: 'Keep only the teacher\'s K most probable tokens per position (what a cache of a real teacher stores): "renorm" renormalises both distributions over those K; "+ tail" adds one bucket for the rest (T 1 only).',
  },
  {
    id: 'hidden',
    name: 'hidden',
    text: "Hidden-state distillation: the student's last hidden states, mapped by a small learned φ (Linear → GELU → Linear) to the teacher's width, pulled towards the teacher's (mse, or 1 − cosine).",
  },
  {
    id: 'affinity',
    name: 'affinity',
    text: 'Relation distillation: how much each answer token "looks like" each image patch (cosine of their hidden states, a P × A matrix); the student\'s matrix is pulled towards the teacher\'s.',
  },
  {
    id: 'attention',
    name: 'attention',
    text: "Attention distillation: the last layer's attention from answer positions to image patches (heads averaged); the student's is pulled towards the teacher's.",
  },
  {
    id: 'onpolicy',
    name: 'on-policy λ',
    text: "The chance that a batch's answers are sampled from the student itself and scored by the online teacher (GKD): the student learns on its own mistakes. Ground-truth CE is skipped on such batches.",
  },
  {
    id: 'samplingT',
    name: 'sampling T',
    text: 'The temperature at which the student samples its answers on an on-policy batch.',
  },
  {
    id: 'labeled',
    name: 'labeled only',
    text: 'Train on the labeled images alone (500 in the shapes pack): every term sees only them.',
  },
  {
    id: 'datarich',
    name: 'data-rich',
    text: "The labeled images plus the unlabeled ones answered by the teacher (3,000 more in the shapes pack): seqCE and the KD terms use them; CE cannot (no labels). The paper's main finding is that this data matters most.",
  },
  {
    id: 'lr',
    name: 'learning rate',
    text: "The Adam step size. The lab's 1e-3 suits its tiny student; a real LLaVA fine-tune uses about 2e-5 (see the recipe).",
  },
  {
    id: 'batch',
    name: 'batch size',
    text: 'Samples per step in this one browser process. A real run multiplies the per-device batch by the number of processes (the recipe says how).',
  },
  {
    id: 'stage1',
    name: 'stage-1 steps',
    text: "Projector-only steps on captions before the main stage (LLaVA's pretraining stage), with the language model frozen.",
  },
  {
    id: 'init',
    name: 'student init',
    text: "Start the student's language model from random weights, or from the pack's pretrained one (as LLaVADI starts from MobileLLaMA).",
  },
  {
    id: 'val',
    name: 'val exact match',
    text: 'The share (%) of fixed validation questions the student answers exactly right, measured every few dozen steps: "—" until the first evaluation.',
  },
];

export const glossName = (id: string) => GLOSSARY.find((g) => g.id === id)?.name ?? id;

/** The "?" beside a knob's label: opens the glossary at `term`. */
export function GlossLink({ term }: { term: string }) {
  return (
    <button
      type="button"
      className="qm"
      data-testid={`glossary-link-${term}`}
      aria-label={`what is ${glossName(term)}? (glossary)`}
      title={`${glossName(term)}: what it means`}
      onClick={() => openGlossary(term)}
    >
      ?
    </button>
  );
}

const close = () => useUi.getState().set({ glossaryTerm: null });

/** The glossary dialog (modal while open; Esc or Close shuts it and focus goes back where it was). */
export function Glossary() {
  const term = useUi((s) => s.glossaryTerm);
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (term === null) {
      if (d.open) d.close();
      return;
    }
    if (!d.open) d.showModal();
    const entry = term ? d.querySelector<HTMLElement>(`[data-term="${CSS.escape(term)}"]`) : null;
    if (entry) {
      entry.scrollIntoView({ block: 'start' });
      entry.focus();
    }
  }, [term]);
  return (
    <dialog
      ref={ref}
      className="glossary"
      data-testid="glossary"
      aria-labelledby="glossary-title"
      onCancel={(e) => {
        e.preventDefault(); // Esc: the state closes it (the effect above), so no late close event can undo a reopening
        close();
      }}
      onClose={() => !ref.current?.open && useUi.getState().glossaryTerm !== null && close()} // closed some other way
    >
      <header>
        <h2 id="glossary-title">Glossary</h2>
        <button type="button" data-testid="glossary-close" onClick={close}>
          Close
        </button>
      </header>
      <dl>
        {GLOSSARY.map((g) => (
          <div key={g.id} className={g.id === term ? 'gloss on' : 'gloss'}>
            <dt data-testid="glossary-entry" data-term={g.id} id={`gloss-${g.id}`} tabIndex={-1}>
              {g.name}
            </dt>
            <dd>{g.text}</dd>
          </div>
        ))}
      </dl>
    </dialog>
  );
}
