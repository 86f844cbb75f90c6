// What a link starts the lab with: banners naming the parameters it ignored and the settings it refused, then its
// race as the store's first lanes (its `lanes`, else its `race` preset, else one lane of its preset and `cfg`).
import { DEFAULT_CONFIG, mergeConfig, type TrainConfig } from '../core/config/config';
import { type parseUrlState, urlMessagesBanner, type UrlState } from '../core/config/urlState';
import { useLab } from '../store';
import type { LanePlan } from '../core/race/lanes';
import { configOfUrl } from '../store/presets';
import { raceById, raceLanes } from '../store/races';
import { serializeError } from '../worker/protocol';

/** Put a parsed link into the store: its banners, its lanes, and the selected lane's config (with its preset). */
export function applyLink(url: ReturnType<typeof parseUrlState>): void {
  const store = () => useLab.getState();
  const { config, presetId, error } = configOfUrl(url.state);
  const ignored = urlMessagesBanner(url.messages);
  if (ignored) store().pushBanner({ source: 'url', severity: 'warning', title: ignored.title, error: ignored.error });
  if (error)
    store().pushBanner({
      source: 'url',
      severity: 'warning',
      title: "The link's settings were refused; the lab starts from the defaults",
      error: serializeError(error),
    });
  const race = lanesOfUrl(url.state, config);
  const made = store().setLocalLanes(race.seeds, race.raceId);
  store().setLocalConfig(made[0].config, race.seeds.length === 1 ? presetId : null);
}

/** The race a link starts with: its `lanes`, else its `race` preset, else one lane of its preset and `cfg`. */
function lanesOfUrl(u: UrlState, config: TrainConfig): { seeds: LanePlan[]; raceId: string | null } {
  if (u.lanes) {
    const base = { ...DEFAULT_CONFIG, seed: u.seed };
    return { seeds: u.lanes.map((l) => ({ name: l.name, config: mergeConfig(base, l.cfg) })), raceId: null };
  }
  const r = raceById(u.race);
  if (r) return { seeds: raceLanes(r.lanes, config), raceId: r.id };
  return { seeds: [{ name: 'Lane 1', config }], raceId: null };
}
