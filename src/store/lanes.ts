// The race's lanes as the UI keeps them: each lane's name, colour, config and its own live run (series, evals,
// alignment rows, latest sample). Pure TS helpers the store composes; the worker only knows lane ids and configs.
import type { TrainConfig } from '../core/config/config';
import { DEFAULT_CONFIG, extraPositionsOf } from '../core/config/config';
import type { SampleView } from '../worker/protocol';
import { type LanePlan, MAX_LANES } from '../core/race/lanes';
import type { AlignmentRow, LiveRunMeta } from './runs';
import { type EvalRow, StepSeries } from './series';

/** Okabe–Ito colours (distinguishable with common colour-vision deficiencies), one per lane slot. */
export const LANE_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7'] as const;

export interface StoreLane {
  id: number; // stable id shared with the worker (never reused while the page lives)
  name: string; // what the lane changes ("CE + KD", "T 0.1")
  color: string; // one of LANE_COLORS
  config: TrainConfig; // what the lane's next step uses (the worker's configApplied)
  step: number; // the lane's steps done
  series: StepSeries; // mutated in place; announced by the store's version
  evals: EvalRow[];
  alignRows: AlignmentRow[];
  live: LiveRunMeta | null; // the lane's run (created at its first logged step)
  lastValues: Float32Array | null; // [VALUE_WIDTH] the latest step's values
  lastWeights: Float32Array | null; // [TERM_WIDTH] the latest step's weights
  sample: SampleView | null; // the latest sample view of this lane's student
}

/** A fresh lane (step 0, empty series) with the first colour no other lane uses. */
export function makeLane(id: number, seed: LanePlan, others: readonly StoreLane[]): StoreLane {
  const used = new Set(others.map((l) => l.color));
  const color = LANE_COLORS.find((c) => !used.has(c)) ?? LANE_COLORS[id % LANE_COLORS.length];
  return {
    id,
    name: seed.name,
    color,
    config: seed.config,
    step: 0,
    series: new StepSeries(),
    evals: [],
    alignRows: [],
    live: null,
    lastValues: null,
    lastWeights: null,
    sample: null,
  };
}

/** The lane a race starts with when nothing else is asked for. */
export const DEFAULT_LANE: LanePlan = { name: 'Lane 1', config: DEFAULT_CONFIG };

/** Whether another lane can join (MAX_LANES per race). */
export const canAddLane = (lanes: readonly StoreLane[]) => lanes.length < MAX_LANES;

/** A name for a copy of `name` that no lane has yet ("CE copy", "CE copy 2", …). */
export function copyName(name: string, lanes: readonly StoreLane[]): string {
  const taken = new Set(lanes.map((l) => l.name));
  const base = `${name.replace(/ copy( \d+)?$/, '')} copy`;
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base} ${i}`)) return `${base} ${i}`;
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(2));

/** A one-line summary of what a config trains with: the weighted terms, the divergence and T, the data. */
export function configSummary(c: TrainConfig): string {
  const w = c.weights;
  const parts: string[] = [];
  if (w.ce) parts.push(w.ce === 1 ? 'CE' : `${fmt(w.ce)}·CE`);
  if (w.seq) parts.push(w.seq === 1 ? 'seqCE' : `${fmt(w.seq)}·seqCE`);
  if (w.kd)
    parts.push(`${w.kd === 1 ? '' : `${fmt(w.kd)}·`}${c.kd.divergence}(T ${fmt(c.kd.T)}${c.kd.t2 ? ', T²' : ''})`);
  if (w.hidden) parts.push(`${w.hidden === 1 ? '' : `${fmt(w.hidden)}·`}hidden ${c.hiddenMode}`);
  if (w.affinity) parts.push(`${w.affinity === 1 ? '' : `${fmt(w.affinity)}·`}affinity`);
  if (w.attention) parts.push(`${w.attention === 1 ? '' : `${fmt(w.attention)}·`}attention`);
  const extra: string[] = [];
  if (c.data.useUnlabeled) extra.push('+ unlabeled');
  if (c.onPolicy.lambda > 0) extra.push(`on-policy λ ${fmt(c.onPolicy.lambda)}`);
  if (c.kd.allPositions && w.kd)
    extra.push(
      extraPositionsOf(c.kd) === 'image+prompt' ? 'all positions' : `answer + ${c.kd.extraPositions} positions`,
    );
  extra.push(`lr ${c.optim.lr.toExponential(0)}`, `B ${c.optim.batchSize}`);
  return `${parts.join(' + ') || 'no loss'} · ${extra.join(' · ')}`;
}
