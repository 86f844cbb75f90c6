// The UI's own small settings, apart from the lab store: the explainer folded, the projector scale, all loss terms
// shown, the "Start here" box called back, the glossary entry open. The lasting ones are kept in localStorage.
import { create } from 'zustand';

export type ProjectorMode = 'auto' | 'on' | 'off'; // auto: the projector scale at ≥ 1,600 px wide

export interface UiPrefs {
  explainerFolded: boolean; // kept
  projector: ProjectorMode; // kept
  showAllTerms: boolean; // kept: weight-0 terms drawn in the loss chart as diagnostics
  hintShown: boolean; // this visit: the "Start here" box called back after a run exists
  glossaryTerm: string | null; // the glossary is open at this entry ('' = at the top); null = closed
  set: (patch: Partial<Omit<UiPrefs, 'set'>>) => void;
}

const KEY = 'llavadi-lab-ui';
const KEPT = ['explainerFolded', 'projector', 'showAllTerms'] as const;

function load(): Partial<UiPrefs> {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Record<string, unknown>;
    const out: Partial<UiPrefs> = {};
    if (typeof raw.explainerFolded === 'boolean') out.explainerFolded = raw.explainerFolded;
    if (raw.projector === 'auto' || raw.projector === 'on' || raw.projector === 'off') out.projector = raw.projector;
    if (typeof raw.showAllTerms === 'boolean') out.showAllTerms = raw.showAllTerms;
    return out;
  } catch {
    return {}; // no storage (a sandboxed frame) or a bad value: the defaults
  }
}

export const useUi = create<UiPrefs>((set, get) => ({
  explainerFolded: false,
  projector: 'auto',
  showAllTerms: false,
  hintShown: false,
  glossaryTerm: null,
  ...load(),
  set: (patch) => {
    set(patch);
    if (!KEPT.some((k) => k in patch)) return;
    const s = get();
    try {
      localStorage.setItem(KEY, JSON.stringify(Object.fromEntries(KEPT.map((k) => [k, s[k]]))));
    } catch {
      /* storage full or refused: the setting lasts this visit */
    }
  },
}));

/** Open the glossary at `term` (its id in GLOSSARY), or at the top. */
export const openGlossary = (term = '') => useUi.getState().set({ glossaryTerm: term });
