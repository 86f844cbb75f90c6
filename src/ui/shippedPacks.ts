// The packs the lab ships (public/packs) and what the link's `?pack=`, `?preset=` and `?race=` accept: constants the
// controller, the pack picker and the lessons read.
import type { UrlCatalog } from '../core/config/urlState';
import { PRESETS } from '../store/presets';
import { RACES } from '../store/races';

export const SHIPPED_PACKS = [
  { id: 'shapes', label: 'Shapes (default)', url: `${import.meta.env.BASE_URL}packs/shapes.safetensors.gz` },
  { id: 'digits', label: 'Digits (MNIST)', url: `${import.meta.env.BASE_URL}packs/digits.safetensors.gz` },
  { id: 'hues', label: 'Hues (ambiguous labels)', url: `${import.meta.env.BASE_URL}packs/hues.safetensors.gz` },
  { id: 'hues-t2', label: 'Hues, second teacher', url: `${import.meta.env.BASE_URL}packs/hues-t2.safetensors.gz` },
];

/** What the link's `?pack=`, `?preset=` and `?race=` accept. */
export const URL_CATALOG: UrlCatalog = {
  packs: SHIPPED_PACKS.map((p) => p.id),
  presets: PRESETS.map((p) => p.id),
  races: RACES.map((r) => r.id),
};

/** The shipped pack id of a loaded pack's file name (null for a pack the person brought). */
export const packIdOf = (name: string) => SHIPPED_PACKS.find((p) => `${p.id}.safetensors.gz` === name)?.id ?? null;
