// A lane of a race before it runs — the one lane limit (DESIGN §6b: 1–4 students stepped in lockstep), a lane as a
// patch (presets, findings) and as a plan (name + full config) — shared by the link, the worker's rules and the store.
import type { DeepPartial, TrainConfig } from '../config/config';

/** At most this many lanes in a race. */
export const MAX_LANES = 4;

/** A lane as a race preset or a finding names it: what it changes, as a patch over the defaults (the seed is the
 *  race's). The link's `?lanes=` carries the same as {name, cfg} (core/config/urlState.ts UrlLane, its wire form). */
export interface LanePatch {
  name: string;
  patch: DeepPartial<TrainConfig>;
}

/** A lane about to race (a preset's patch applied, a link's lane, a copy of the selected lane): its name and full
 *  config. The store makes its LaneRun from it; the worker gets its LaneSpec (id + config). */
export interface LanePlan {
  name: string;
  config: TrainConfig;
}
