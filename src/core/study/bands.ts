// Study bands (issue 29 item 1, DESIGN §6c): the fair study's recorded val curves grouped by config, per step the seeds'
// mean and 95 % t-interval of val exact match on the lab's 250 fixed val samples, and which band a lane's config matches.
import type { TrainConfig } from '../config/config';
import { meanCi95 } from './stats';
import type { StudyRun } from './study';

/** One step of a band: [step, n, mean, lo, hi] (percent; lo and hi null with fewer than 2 runs at that step). */
export type BandRow = [number, number, number, number | null, number | null];

/** The runs of one config (any ids: tuning, paper-stage, finals) and their val curves' band. */
export interface StudyBand {
  config: TrainConfig; // as the first run trained it (its seed and totalSteps are not part of the match)
  steps: number; // the runs' training steps (their cosine schedule's length)
  ids: string[]; // run ids (conditions) behind the band
  seeds: number[]; // one per run, ascending
  runs: string[]; // `<id>-s<seed>`, in the order of `seeds`
  rows: BandRow[];
}

/** study/bands-<pack>.json. */
export interface BandsJson {
  pack: string;
  columns: ['step', 'n', 'mean', 'lo', 'hi'];
  note: string;
  bands: StudyBand[];
}

export const BANDS_NOTE =
  'val exact match (%) on the lab\'s 250 fixed val samples every 100 steps; mean of the seeds and its 95 % t-interval; a lane matches a band when its config equals the band\'s ignoring seed and optim.totalSteps';

/** Keys sorted at every level: two configs built in another order compare equal. */
function canonical(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(canonical);
  if (x && typeof x === 'object') return Object.fromEntries(Object.keys(x).sort().map((k) => [k, canonical((x as Record<string, unknown>)[k])]));
  return x;
}

/** What a band match compares: the whole config but its seed and the schedule's length (optim.totalSteps). */
export function configKey(c: TrainConfig): string {
  const { seed: _seed, optim, ...rest } = c;
  const { totalSteps: _total, ...o } = optim;
  return JSON.stringify(canonical({ ...rest, optim: o }));
}

const r2 = (x: number): number | null => (Number.isFinite(x) ? Math.round(x * 100) / 100 : null);

/** The band of a set of curves: per step any curve has, n, the mean and the 95 % t-interval of val250. */
export function bandOf(curves: readonly (readonly { step: number; val250: number }[])[]): BandRow[] {
  const at = new Map<number, number[]>();
  for (const c of curves) for (const p of c) if (Number.isFinite(p.val250)) at.set(p.step, [...(at.get(p.step) ?? []), p.val250]);
  return [...at.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([step, xs]) => {
      const ci = meanCi95(xs);
      return [step, xs.length, r2(ci.mean) as number, r2(ci.lo), r2(ci.hi)];
    });
}

/**
 * Every band of a pack's runs: the runs with a curve grouped by (config without seed and totalSteps, steps); a seed
 * two ids of one config both ran (the same trajectory) counts once. `configOf` gives a run's full config (undefined:
 * the run is left out).
 */
export function studyBands(pack: string, runs: readonly StudyRun[], configOf: (r: StudyRun) => TrainConfig | undefined): BandsJson {
  const groups = new Map<string, { config: TrainConfig; steps: number; runs: StudyRun[] }>();
  const sorted = [...runs].sort((a, b) => (a.condition < b.condition ? -1 : a.condition > b.condition ? 1 : a.seed - b.seed));
  for (const r of sorted) {
    if (r.pack !== pack || !r.curve?.length) continue;
    const config = configOf(r);
    if (!config) continue;
    const key = `${r.steps}|${configKey(config)}`;
    const g = groups.get(key) ?? { config, steps: r.steps, runs: [] };
    if (!g.runs.some((x) => x.seed === r.seed)) g.runs.push(r);
    groups.set(key, g);
  }
  const bands = [...groups.values()].map((g) => {
    const rs = [...g.runs].sort((a, b) => a.seed - b.seed);
    return {
      config: g.config,
      steps: g.steps,
      ids: [...new Set(rs.map((r) => r.condition))].sort(),
      seeds: rs.map((r) => r.seed),
      runs: rs.map((r) => `${r.condition}-s${r.seed}`),
      rows: bandOf(rs.map((r) => r.curve ?? [])),
    };
  });
  bands.sort((a, b) => (a.ids[0] < b.ids[0] ? -1 : a.ids[0] > b.ids[0] ? 1 : 0));
  return { pack, columns: ['step', 'n', 'mean', 'lo', 'hi'], note: BANDS_NOTE, bands };
}

/** The band a lane's config matches (equal ignoring seed and optim.totalSteps), the one with most runs; null if none. */
export function matchBand(config: TrainConfig, bands: readonly StudyBand[]): StudyBand | null {
  const key = configKey(config);
  let best: StudyBand | null = null;
  for (const b of bands) if (configKey(b.config) === key && (!best || b.seeds.length > best.seeds.length)) best = b;
  return best;
}

/** A band's row at or before `step` (the replay's cursor reads it); null before its first row. */
export function bandAt(band: Pick<StudyBand, 'rows'>, step: number): BandRow | null {
  let out: BandRow | null = null;
  for (const r of band.rows) if (r[0] <= step) out = r;
  return out;
}
