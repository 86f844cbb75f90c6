// A race's lanes with or without a pack: the Race both kinds obey (the lab session holds one), the planned race (no
// pack yet: configs only, what a pack load builds) and the lane rules both check (1–MAX_LANES lanes, distinct ids).
import { type DeepPartial, mergeConfig, type TrainConfig, validateConfig } from '../core/config/config';
import { FieldError } from '../core/base/errors';
import { type LaneSpec, MAX_LANES } from './protocol';

/** A lane as the `lanes` message lists it. */
export interface LaneRow {
  id: number;
  step: number;
  config: TrainConfig;
}

/** The lanes of a race; every change is checked first, so a refused one (a FieldError) leaves the race as it was. */
export interface Race {
  /** The lanes as specs: what a pack load builds and a reset rebuilds. */
  specs(): LaneSpec[];
  laneList(): LaneRow[];
  /** Validate `patch` on lane `id`'s config (and its cost, with a pack); applied at the lane's next step. */
  setConfig(id: number, patch: DeepPartial<TrainConfig>): TrainConfig;
  /** Every lane replaced by a fresh one at step 0 (or at its spec's checkpoint). */
  setLanes(specs: LaneSpec[]): void;
  addLane(spec: LaneSpec): void;
  /** Drop a lane (not the last one: a race has at least one student). */
  removeLane(id: number): void;
  dispose(): void;
}

/** The race before a pack is loaded: lane specs only (a checkpoint rides along to the load that restores it). */
export class PlannedRace implements Race {
  private lanes: LaneSpec[];

  constructor(specs: LaneSpec[]) {
    this.lanes = validSpecs(specs);
  }

  specs(): LaneSpec[] {
    return this.lanes.map((l) => ({ ...l }));
  }

  laneList(): LaneRow[] {
    return this.lanes.map((l) => ({ id: l.id, step: 0, config: l.config }));
  }

  setConfig(id: number, patch: DeepPartial<TrainConfig>): TrainConfig {
    const spec = this.lanes.find((x) => x.id === id);
    if (!spec) throw noLane(this.lanes, id);
    spec.config = validateConfig(mergeConfig(spec.config, patch));
    return spec.config;
  }

  setLanes(specs: LaneSpec[]): void {
    this.lanes = validSpecs(specs);
  }

  addLane(spec: LaneSpec): void {
    this.lanes = validSpecs([...this.lanes, spec]);
  }

  removeLane(id: number): void {
    checkRemovable(this.lanes, id);
    this.lanes = this.lanes.filter((x) => x.id !== id);
  }

  dispose(): void {}
}

/** Lanes checked (count, ids) with their configs validated (a FieldError names the lane's field). */
export function validSpecs(lanes: LaneSpec[]): LaneSpec[] {
  if (!Array.isArray(lanes) || lanes.length === 0) throw new Error('protocol: a race needs at least one lane');
  checkLanes(lanes);
  return lanes.map((l) => ({
    id: l.id,
    config: validateConfig(l.checkpoint?.config ?? l.config),
    ...(l.checkpoint ? { checkpoint: l.checkpoint } : {}),
  }));
}

/** 1–MAX_LANES lanes with distinct integer ids. */
export function checkLanes(lanes: readonly { id: number }[]): void {
  if (lanes.length < 1 || lanes.length > MAX_LANES)
    throw new FieldError({ scope: 'race', field: 'lanes', expected: `1 to ${MAX_LANES} lanes`, got: lanes.length });
  const ids = lanes.map((l) => l.id);
  if (new Set(ids).size !== ids.length || !ids.every((i) => Number.isInteger(i) && i >= 0)) {
    throw new FieldError({ scope: 'race', field: 'lanes.id', expected: 'distinct integers ≥ 0', got: ids.join(',') });
  }
}

/** The refusal of a lane id the race does not have (FieldError on `race.lane`). */
export function noLane(lanes: readonly { id: number }[], id: number): FieldError {
  return new FieldError({
    scope: 'race',
    field: 'lane',
    expected: `one of the race's lanes (${lanes.map((x) => x.id).join(', ')})`,
    got: id,
  });
}

/** Refuse removing a lane that is not there, or the last one. */
export function checkRemovable(lanes: readonly { id: number }[], id: number): void {
  if (!lanes.some((l) => l.id === id)) throw noLane(lanes, id);
  if (lanes.length === 1)
    throw new FieldError({ scope: 'race', field: 'lane', expected: 'a race keeps at least one lane', got: id });
}
