// The study bands (study/bands-<pack>.json, `npm run study:bands`) as Vite JSON imports, by pack name, and which band
// each lane of the race matches (the accuracy chart draws them behind the lanes, issue 29 item 1).
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { type BandsJson, matchBand, type StudyBand } from '../core/study/bands';
import { useLab } from '../store';
import { packIdOf } from './shippedPacks';

/** Every study/bands-<pack>.json the generator wrote (a pack whose runs gain curves needs no new line here). */
const FILES = import.meta.glob<BandsJson>('../../study/bands-*.json', { eager: true, import: 'default' });
export const BANDS: Record<string, BandsJson> = Object.fromEntries(Object.values(FILES).map((j) => [j.pack, j]));

/** A pack's bands (none for a pack the study has no curves of, or a pack the person brought). */
export const bandsFor = (pack: string | null | undefined): StudyBand[] => (pack && BANDS[pack]?.bands) || [];

export interface LaneBand {
  lane: number; // the lane's index in the race (data-lane)
  name: string;
  color: string;
  band: StudyBand | null; // null: no study run with this lane's config
}

/** Each lane of the race and the band its config matches on the loaded pack (empty before a pack is loaded). */
export function useLaneBands(): LaneBand[] {
  const packName = useLab((s) => s.pack?.name ?? null);
  const configs = useLab(useShallow((s) => s.lanes.map((l) => l.config)));
  const names = useLab(useShallow((s) => s.lanes.map((l) => l.name)));
  const colors = useLab(useShallow((s) => s.lanes.map((l) => l.color)));
  return useMemo(() => {
    if (!packName) return [];
    const bands = bandsFor(packIdOf(packName));
    return configs.map((c, i) => ({ lane: i, name: names[i], color: colors[i], band: matchBand(c, bands) }));
  }, [packName, configs, names, colors]);
}
