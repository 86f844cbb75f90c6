// Every knob of a run, live: each change is sent as a config patch the worker applies at its next step.
// Play / pause / single step / reset; Space toggles play (controller.ts, keys.ts). Each knob's label opens the glossary.
import { TERM_LABELS, TERM_NAMES, type TermName } from '../core/kd/terms';
import {
  DIVERGENCES,
  EXTRA_POSITIONS,
  extraPositionsOf,
  type ExtraPositions,
  studentInitOf,
  type TrainConfig,
} from '../core/config/config';
import { useLab } from '../store';
import { TERM_FORMULAS } from '../store/presets';
import { selectConfig } from '../store/selectors';
import { useController } from './useController';
import { GlossLink } from './Glossary';
import { StudentInitSelect } from './StudentInitSelect';
import { Check, Field, NumberField } from './Fields';

const WEIGHTS: [TermName, string, string][] = TERM_NAMES.map((n) => [n, TERM_LABELS[n], `weight-${n}`]);

export function RunButtons() {
  const lab = useController();
  const status = useLab((s) => s.status);
  const step = useLab((s) => s.step);
  const hidden = useLab((s) => s.hiddenPause);
  const ready = useLab((s) => s.pack != null);
  const running = status === 'running';
  return (
    <div className="run">
      <button
        data-testid="train-toggle"
        disabled={!ready}
        onClick={() => (running ? lab.pause() : lab.play())}
        title="Space"
      >
        {running ? '❚❚ Pause' : '▶ Train'}
      </button>
      <button data-testid="step-once" disabled={!ready || running} onClick={lab.step}>
        Step
      </button>
      <button data-testid="reset" disabled={!ready} onClick={lab.reset}>
        Reset
      </button>
      <span className="counter">
        step <b data-testid="step-counter">{step}</b>
      </span>
      <span className="status" data-testid="run-status">
        {hidden ? 'paused: the tab is hidden' : status}
      </span>
    </div>
  );
}

/** The logit divergence's knobs in the panel's order: numbers (key, label, bounds, formula) and switches. */
const KD_KNOBS: readonly (
  | {
      kind: 'number';
      key: 'T' | 'beta' | 'alpha';
      label: string;
      testId?: string;
      min?: number;
      step: number;
      title: string;
      gloss: string;
    }
  | { kind: 'check'; key: 't2' | 'normLogits'; label: string; title: string; gloss: string }
)[] = [
  {
    kind: 'number',
    key: 'T',
    label: 'T',
    testId: 'temperature',
    min: 0.05,
    step: 0.1,
    title: 'p = softmax(z / T); T > 0',
    gloss: 'T',
  },
  { kind: 'check', key: 't2', label: '× T²', title: 'multiply every divergence except mse by T²', gloss: 't2' },
  {
    kind: 'number',
    key: 'beta',
    label: 'β (jsd)',
    step: 0.1,
    title: 'm = β·p_t + (1−β)·p_s; β ∈ (0,1)',
    gloss: 'beta',
  },
  {
    kind: 'number',
    key: 'alpha',
    label: 'α (skew)',
    step: 0.05,
    title: 'sfkl: KL(p_t ‖ α·p_t + (1−α)·p_s); α ∈ [0,1)',
    gloss: 'alpha',
  },
  {
    kind: 'check',
    key: 'normLogits',
    label: 'normalise logits',
    title: '(z − mean) / (std + 1e-7) before T',
    gloss: 'norm',
  },
];

export function ControlsPanel() {
  const lab = useController();
  const c = useLab(selectConfig);
  const pack = useLab((s) => s.pack);
  const sps = useLab((s) => s.stepsPerSecBySource);
  const set = lab.setConfig;
  const kd = c.kd;
  const online = pack?.hasTeacherWeights ?? false;
  const fmt = (x: number | null) => (x == null ? 'not measured yet' : `${x.toFixed(1)} steps/s`);
  return (
    <div className="controls">
      <fieldset>
        <legend>Loss weights</legend>
        {WEIGHTS.map(([k, label, id]) => (
          <NumberField
            key={k}
            label={label}
            testId={id}
            value={c.weights[k]}
            min={0}
            step={0.5}
            title={TERM_FORMULAS[k]}
            gloss={k}
            onCommit={(x) => set({ weights: { [k]: x } })}
          />
        ))}
      </fieldset>
      <fieldset>
        <legend>Logit divergence</legend>
        <Field label="divergence" gloss="divergence" title={TERM_FORMULAS.kd}>
          {(id) => (
            <select
              id={id}
              data-testid="divergence-select"
              value={kd.divergence}
              onChange={(e) => set({ kd: { divergence: e.target.value as TrainConfig['kd']['divergence'] } })}
            >
              {DIVERGENCES.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
          )}
        </Field>
        {KD_KNOBS.map((k) =>
          k.kind === 'number' ? (
            <NumberField
              key={k.key}
              label={k.label}
              testId={k.testId}
              value={kd[k.key]}
              min={k.min}
              step={k.step}
              title={k.title}
              gloss={k.gloss}
              onCommit={(x) => set({ kd: { [k.key]: x } })}
            />
          ) : (
            <Check
              key={k.key}
              label={k.label}
              checked={kd[k.key]}
              onChange={(on) => set({ kd: { [k.key]: on } })}
              title={k.title}
              gloss={k.gloss}
            />
          ),
        )}
        <Check
          label="all positions (online teacher)"
          checked={kd.allPositions}
          onChange={(on) => set({ kd: on ? { allPositions: true, source: 'online' } : { allPositions: false } })}
          title="align image and prompt positions too; the cache holds answers only, so the teacher runs online"
          gloss="allpos"
        />
        {kd.allPositions && (
          <Field label="positions" gloss="allpos">
            {(id) => (
              <select
                id={id}
                data-testid="extra-positions"
                value={extraPositionsOf(kd)}
                title="which non-answer positions the KD term adds to the answer (a probe of where the gain comes from)"
                onChange={(e) => set({ kd: { extraPositions: e.target.value as ExtraPositions } })}
              >
                {EXTRA_POSITIONS.map((p) => (
                  <option key={p} value={p}>
                    answer + {p}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field label="teacher" gloss="cached">
          {(id) => (
            <select
              id={id}
              data-testid="teacher-source"
              value={kd.source}
              onChange={(e) =>
                set({
                  kd: {
                    source: e.target.value as 'cached' | 'online',
                    ...(e.target.value === 'cached' ? { allPositions: false } : {}),
                  },
                })
              }
            >
              <option value="cached">cached ({fmt(sps.cached)})</option>
              <option value="online" disabled={!online}>
                online ({fmt(sps.online)})
              </option>
            </select>
          )}
        </Field>
        <Field
          label="top-K"
          gloss="topk"
          title="Truncate the teacher to its top K tokens (renormalised, or with a tail bucket at T = 1)"
        >
          {(id) => (
            <select
              id={id}
              value={kd.topKMode}
              onChange={(e) => set({ kd: { topKMode: e.target.value as TrainConfig['kd']['topKMode'] } })}
            >
              <option value="dense" disabled={pack?.targets.kind === 'topk'}>
                full vocabulary
              </option>
              <option value="renorm">top-K renorm</option>
              <option value="tail">top-K + tail</option>
            </select>
          )}
        </Field>
        <Field label={`K = ${kd.topK}`} gloss="topk">
          {(id) => (
            <input
              id={id}
              type="range"
              min={1}
              max={pack ? pack.targets.k : 64}
              value={kd.topK}
              disabled={kd.topKMode === 'dense'}
              onChange={(e) => set({ kd: { topK: Number(e.target.value) } })}
            />
          )}
        </Field>
      </fieldset>
      <fieldset>
        <legend>Hidden, on-policy, data</legend>
        <Field label="hidden" gloss="hidden" title={TERM_FORMULAS.hidden}>
          {(id) => (
            <select
              id={id}
              value={c.hiddenMode}
              onChange={(e) => set({ hiddenMode: e.target.value as 'mse' | 'cosine' })}
            >
              <option value="mse">mse</option>
              <option value="cosine">cosine</option>
            </select>
          )}
        </Field>
        <Field
          label={`on-policy λ = ${c.onPolicy.lambda.toFixed(2)}`}
          gloss="onpolicy"
          title="chance a batch's answers are sampled from the student and scored by the online teacher (GKD)"
        >
          {(id) => (
            <input
              id={id}
              type="range"
              min={0}
              max={1}
              step={0.05}
              value={c.onPolicy.lambda}
              disabled={!online}
              onChange={(e) => set({ onPolicy: { lambda: Number(e.target.value) } })}
            />
          )}
        </Field>
        <NumberField
          label="sampling T"
          gloss="samplingT"
          value={c.onPolicy.genTemperature}
          step={0.1}
          onCommit={(x) => set({ onPolicy: { genTemperature: x } })}
        />
        <NumberField
          label="learning rate"
          gloss="lr"
          testId="learning-rate"
          value={c.optim.lr}
          step={0.001}
          onCommit={(x) => set({ optim: { lr: x } })}
        />
        <NumberField
          label="batch size"
          gloss="batch"
          testId="batch-size"
          value={c.optim.batchSize}
          step={1}
          min={1}
          max={512}
          onCommit={(x) => set({ optim: { batchSize: x } })}
        />
        <Field label="data" gloss="datarich">
          {(id) => (
            <select
              id={id}
              value={c.data.useUnlabeled ? 'u' : 'l'}
              onChange={(e) => set({ data: { useUnlabeled: e.target.value === 'u' } })}
            >
              <option value="l">labeled only</option>
              <option value="u">+ unlabeled (teacher answers)</option>
            </select>
          )}
        </Field>
        <NumberField
          label="stage-1 steps"
          value={c.stage1Steps}
          step={10}
          min={0}
          title="projector-only steps on captions before stage 2"
          gloss="stage1"
          onCommit={(x) => set({ stage1Steps: x })}
        />
        <StudentInitSelect
          value={studentInitOf(c)}
          hasInit={pack?.hasStudentInit ?? false}
          onChange={(studentInit) => set({ studentInit })}
          gloss={<GlossLink term="init" />}
        />
      </fieldset>
    </div>
  );
}
