// What IndexedDB hands back is untrusted input (an older or newer build, a hand edit): runs go through the import's
// validator (runs.ts validateRun), settings fall back to defaults field by field, and what was skipped is listed here.
import { create } from 'zustand';
import { type RunRecord, RunImportError, validateRun } from './runs';

export interface LabSettings {
  theme: 'system' | 'light' | 'dark';
  hintDismissed: boolean;
  smoothing: number; // loss chart EMA weight, 0…0.99
  logScale: boolean;
  overlay: string[]; // run ids drawn in the loss chart
}

export const DEFAULT_SETTINGS: LabSettings = {
  theme: 'system',
  hintDismissed: false,
  smoothing: 0.6,
  logScale: false,
  overlay: [],
};
/** The settings record's schema (written beside its fields). */
export const SETTINGS_SCHEMA = 1;

/** A stored record the lab did not use: which store and key (to delete it), a label a person knows, and why. */
export interface SkippedRecord {
  store: 'runs' | 'settings';
  key: IDBValidKey;
  label: string; // `Run 3 (run-…)`, `settings`
  reason: string; // the field and what was expected (the validator's message without the label)
  newer: boolean; // written by a newer build of the lab
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => {
  try {
    const s =
      v === undefined
        ? 'undefined'
        : typeof v === 'number' && !Number.isFinite(v)
          ? String(v)
          : (JSON.stringify(v) ?? String(v));
    return s.length > 40 ? `${s.slice(0, 40)}…` : s;
  } catch {
    return String(v);
  }
};

/** A label for a stored run: its name when it has a usable one, and its key. */
function runLabel(key: IDBValidKey, v: unknown): string {
  const name = isObj(v) && typeof v.name === 'string' && v.name.length <= 200 ? v.name : null;
  const k = show(key);
  const id = typeof key === 'string' ? key : k;
  return name ? `${name} (${id})` : `stored run ${id}`;
}

/** Stored runs sorted into the ones to show (oldest first), the skipped ones, and the ids migrated from an older schema. */
export function sortStoredRuns(entries: readonly (readonly [IDBValidKey, unknown])[]): {
  runs: RunRecord[];
  skipped: SkippedRecord[];
  migrated: string[];
} {
  const runs: RunRecord[] = [];
  const skipped: SkippedRecord[] = [];
  const migrated: string[] = [];
  for (const [key, v] of entries) {
    const label = runLabel(key, v);
    try {
      const r = validateRun(v, label);
      if (r.id !== key) throw new RunImportError(label, 'id', `the record's key ${show(key)}`, r.id);
      runs.push(r);
      if (isObj(v) && v.schema === undefined) migrated.push(r.id);
    } catch (e) {
      const err = e instanceof RunImportError ? e : null;
      const reason = err ? `${err.qualifiedField}: ${err.detail}` : e instanceof Error ? e.message : String(e);
      skipped.push({ store: 'runs', key, label, reason, newer: /newer build/.test(reason) });
    }
  }
  runs.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return { runs, skipped, migrated };
}

/** Settings read back: every field checked on its own; a bad or missing one takes its default, and each bad one is named. */
export function validateSettings(raw: unknown): { settings: LabSettings; fixed: string[] } {
  if (raw === undefined) return { settings: { ...DEFAULT_SETTINGS, overlay: [] }, fixed: [] };
  if (!isObj(raw))
    return {
      settings: { ...DEFAULT_SETTINGS, overlay: [] },
      fixed: [`the record was ${show(raw)}, not an object; every setting is back to its default`],
    };
  const fixed: string[] = [];
  const pick = <K extends keyof LabSettings>(k: K, ok: (v: unknown) => boolean, what: string): LabSettings[K] => {
    const v = raw[k];
    if (v === undefined) return DEFAULT_SETTINGS[k];
    if (ok(v)) return v as LabSettings[K];
    fixed.push(`${k} was ${show(v)}, not ${what}; using ${show(DEFAULT_SETTINGS[k])}`);
    return DEFAULT_SETTINGS[k];
  };
  const bool = (v: unknown) => typeof v === 'boolean';
  const settings: LabSettings = {
    theme: pick('theme', (v) => v === 'system' || v === 'light' || v === 'dark', 'one of system | light | dark'),
    hintDismissed: pick('hintDismissed', bool, 'true or false'),
    smoothing: pick('smoothing', (v) => typeof v === 'number' && v >= 0 && v <= 0.99, 'a number in [0, 0.99]'),
    logScale: pick('logScale', bool, 'true or false'),
    overlay: [
      ...pick(
        'overlay',
        (v) => Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length <= 1000),
        'a list of run ids',
      ),
    ],
  };
  if (Number.isSafeInteger(raw.schema) && (raw.schema as number) > SETTINGS_SCHEMA) {
    fixed.push(
      `they came from a newer build of the lab (schema ${raw.schema as number}; this build reads ${SETTINGS_SCHEMA}): only the settings this build knows were kept`,
    );
  }
  return { settings, fixed };
}

/** The settings as written: the fields and the schema. */
export const storedSettings = (s: LabSettings): LabSettings & { schema: number } => ({ ...s, schema: SETTINGS_SCHEMA });

/** The banner's lines: one per skipped record (its label and why), then the settings that fell back to defaults. */
export function skippedLines(skipped: readonly SkippedRecord[], settingsFixed: readonly string[]): string[] {
  return [
    ...skipped.map((s) => `${s.label}: ${s.newer ? 'written by a newer build of the lab; ' : ''}${s.reason}`),
    ...settingsFixed.map((f) => `settings: ${f}`),
  ];
}

// ---- partial copies: a run whose latest save failed and whose older copy could not be deleted either ----

/** Where a partial copy is noted when IndexedDB will not take even a delete (localStorage: a separate quota). */
export const PARTIAL_KEY = 'llavadi-lab:partial-runs';

export interface PartialMark {
  kept: number; // steps in the copy that stayed in IndexedDB
  total: number; // steps the run had when its save failed
}

type KV = Pick<Storage, 'getItem' | 'setItem'>;

/** The partial marks (run id → steps kept / total); {} when none or unreadable. */
export function readPartialMarks(ls: KV | null): Record<string, PartialMark> {
  try {
    const o: unknown = JSON.parse(ls?.getItem(PARTIAL_KEY) ?? '{}');
    if (!isObj(o)) return {};
    const out: Record<string, PartialMark> = {};
    for (const [id, m] of Object.entries(o))
      if (isObj(m) && Number.isSafeInteger(m.kept) && Number.isSafeInteger(m.total))
        out[id] = { kept: m.kept as number, total: m.total as number };
    return out;
  } catch {
    return {};
  }
}

/** Note (or, with null, forget) that run `id`'s stored copy is partial; never throws. */
export function writePartialMark(ls: KV | null, id: string, mark: PartialMark | null): void {
  try {
    const all = readPartialMarks(ls);
    if (mark) all[id] = mark;
    else delete all[id];
    ls?.setItem(PARTIAL_KEY, JSON.stringify(all));
  } catch {
    // localStorage full or blocked too: the banner already told the person
  }
}

/** What the lab shows about stored data it did not use: skipped records and settings that fell back to defaults. */
export interface StoredRecordsState {
  skipped: SkippedRecord[];
  settingsFixed: string[];
  partial: Record<string, PartialMark>; // runs shown from a partial copy
  removing: boolean;
  removeError: string | null;
  setLoaded: (skipped: SkippedRecord[], settingsFixed: string[], partial: Record<string, PartialMark>) => void;
  clear: () => void;
  setRemoving: (removing: boolean, error?: string | null) => void;
}

export const useStoredRecords = create<StoredRecordsState>()((set) => ({
  skipped: [],
  settingsFixed: [],
  partial: {},
  removing: false,
  removeError: null,
  setLoaded: (skipped, settingsFixed, partial) => set({ skipped, settingsFixed, partial, removeError: null }),
  clear: () => set({ skipped: [], settingsFixed: [], removing: false, removeError: null }),
  setRemoving: (removing, error = null) => set({ removing, removeError: error }),
}));
