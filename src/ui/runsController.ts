// Runs that persist and travel: IndexedDB hydration and autosave, CSV / JSON / weights downloads, JSON import, the
// shareable URL (pack, seed and config diff kept in the address bar), and the light / dark theme.
import { urlStateOfRace, writeUrlState, type UrlState } from '../core/config/urlState';
import { useLab } from '../store';
import {
  deleteRecords,
  deleteRun,
  loadAll,
  putRun,
  putSettings,
  storageReason,
  type LabSettings,
} from '../store/persist';
import { checkRunFileSize, parseRunJson, type RunRecord, runToCsv, runToJson } from '../store/runs';
import { readPartialMarks, useStoredRecords, writePartialMark, type PartialMark } from '../store/storedRecords';
import { serializeError } from '../worker/protocol';

const store = () => useLab.getState();
const AUTOSAVE_MS = 1000;

/** Trigger a browser download of `data` as `name`. */
export function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The run the export buttons act on: the selected kept run, else the live run, else the latest kept run. */
export function targetRun(): RunRecord | null {
  const s = store();
  if (s.selectedRunId) return s.runs.find((r) => r.id === s.selectedRunId) ?? null;
  return s.liveRecord() ?? s.runs[s.runs.length - 1] ?? null;
}

const fileStem = (r: RunRecord) =>
  `${r.name.replace(/\s+/g, '-').toLowerCase()}-${r.pack.replace(/\.safetensors(\.gz)?$/, '')}`;

export const runs = {
  exportCsv: () => {
    const r = targetRun();
    if (r) download(`${fileStem(r)}.csv`, runToCsv(r), 'text/csv');
  },
  exportJson: () => {
    const r = targetRun();
    if (r) download(`${fileStem(r)}.json`, runToJson(r), 'application/json');
  },
  /** Bring back an exported run: refused by size before it is read, then field by field (RunImportError). */
  importJson: async (file: Pick<File, 'name' | 'size' | 'text'>) => {
    try {
      checkRunFileSize(file.size, file.name);
      const r = parseRunJson(await file.text(), file.name, `run-${Date.now().toString(36)}-imported`);
      store().addRun(r);
      store().clearBanners('run');
      const s = store();
      if (!s.settings.overlay.includes(r.id)) s.toggleOverlay(r.id);
    } catch (e) {
      const error = serializeError(e);
      // The error names the file when it is a RunImportError; else the title does.
      const title = error.file
        ? 'That run file was refused; the runs are unchanged'
        : `Could not import ${file.name}; the runs are unchanged`;
      store().pushBanner({ source: 'run', severity: 'error', title, error });
    }
  },
  remove: (id: string) => {
    store().removeRun(id);
    writePartialMark(localStore(), id, null);
  },
  /** The stored-records banner's "remove": delete the skipped records from IndexedDB, rewrite repaired settings. */
  removeSkipped: async () => {
    const st = useStoredRecords.getState();
    st.setRemoving(true);
    try {
      await deleteRecords(st.skipped);
      if (st.settingsFixed.length) await putSettings(store().settings);
      useStoredRecords.getState().clear();
    } catch (e) {
      useStoredRecords.getState().setRemoving(false, `could not remove them: ${storageReason(e)}`);
    }
  },
  /** Hide the stored-records banner for now (the records stay; the next load lists them again). */
  keepSkipped: () => useStoredRecords.getState().clear(),
};

/** localStorage, or null where it is missing or blocked. */
function localStore(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

let storageReported = false;
let storageBannerId: number | null = null;
const STORAGE_TITLE = 'Runs will not be kept after a reload';
/** Per run id, what the banner said about it (a run that could not be saved, and what became of its older copy). */
const runNotes = new Map<string, string>();

/**
 * IndexedDB is missing, blocked or full: say once (a warning banner, source 'storage') that runs will not be kept;
 * training goes on and the runs stay in memory. Later failures add nothing (the banner may have been dismissed),
 * except that a run newly failing to save is added to the banner while it is still shown (`notes`: run id → words).
 */
export function reportStorageFailure(e: unknown, notes: ReadonlyMap<string, string> = new Map()): void {
  const fresh = [...notes].filter(([id]) => !runNotes.has(id));
  for (const [id, n] of fresh) runNotes.set(id, n);
  const shown = storageBannerId !== null && store().banners.some((b) => b.id === storageBannerId);
  if (storageReported && !(fresh.length && shown)) return;
  if (!storageReported)
    console.warn('LLaVADI Lab: IndexedDB failed; runs stay in memory and will not survive a reload', e);
  storageReported = true;
  const about = [...runNotes.values()];
  const message = about.length
    ? `${storageReason(e)}. ${about.join('. ')}. Export a run (Export JSON) to keep it.`
    : storageReason(e);
  storageBannerId = store().pushBanner({
    source: 'storage',
    severity: 'warning',
    title: STORAGE_TITLE,
    error: { name: 'StorageError', message },
  });
}

/** Test helper: forget that a storage failure was reported. */
export function resetStorageReport(): void {
  storageReported = false;
  storageBannerId = null;
  runNotes.clear();
  savedSteps.clear();
}

/** Steps of each run's copy in IndexedDB (as loaded, or as last saved here): what a failed save leaves behind. */
const savedSteps = new Map<string, number>();

/**
 * Save one run. When the put fails (a full quota), its older copy must not stand in for it after a reload: the copy is
 * deleted; when even that fails, it is marked partial (localStorage) so the next load says how many steps it kept.
 * Returns null when saved, else the failure and what to tell the person about this run.
 */
export async function saveRun(rec: RunRecord): Promise<{ error: unknown; note: string } | null> {
  const n = rec.metrics.step.length;
  try {
    await putRun(rec);
    savedSteps.set(rec.id, n);
    writePartialMark(localStore(), rec.id, null);
    return null;
  } catch (error) {
    const before = savedSteps.get(rec.id);
    const what = `${rec.name} (${n} step${n === 1 ? '' : 's'}) could not be saved`;
    try {
      await deleteRun(rec.id);
      savedSteps.delete(rec.id);
      return {
        error,
        note:
          before === undefined
            ? what
            : `${what}; its older copy (${before} step${before === 1 ? '' : 's'}) was deleted from storage so that it cannot stand in for the run after a reload`,
      };
    } catch {
      if (before === undefined) return { error, note: what };
      const mark: PartialMark = { kept: before, total: n };
      writePartialMark(localStore(), rec.id, mark);
      return {
        error,
        note: `${what}, nor its older copy deleted: after a reload it shows as partial (${before} of ${n} steps kept)`,
      };
    }
  }
}

let lastSettings: LabSettings | null = null;
let lastRuns: RunRecord[] = [];
let saving = false;

/** One autosave pass: the live run when its curves moved, kept runs added or removed, settings when changed. */
async function saveNow(): Promise<void> {
  if (saving) return;
  saving = true;
  try {
    const s = store();
    const failed = new Map<string, string>();
    let firstError: unknown = null;
    const save = async (rec: RunRecord) => {
      const f = await saveRun(rec);
      if (f && !failed.has(rec.id)) {
        failed.set(rec.id, f.note);
        if (firstError === null) firstError = f.error;
      }
    };
    if (s.version !== s.savedVersion) {
      const v = s.version;
      for (const rec of s.liveRecords()) await save(rec); // every lane's run
      if (!failed.size) store().markSaved(v);
    }
    if (s.runs !== lastRuns) {
      const now = new Set(s.runs.map((r) => r.id));
      const before = new Map(lastRuns.map((r) => [r.id, r]));
      const n = failed.size;
      for (const r of s.runs) if (before.get(r.id) !== r) await save(r);
      const liveIds = new Set(store().lanes.map((l) => l.live?.id));
      for (const id of before.keys()) if (!now.has(id) && !liveIds.has(id)) await deleteRun(id);
      if (failed.size === n) lastRuns = s.runs; // else: try those again next time
    }
    if (failed.size) reportStorageFailure(firstError, failed);
    if (s.settings !== lastSettings) {
      await putSettings(s.settings);
      lastSettings = s.settings;
    }
  } catch (e) {
    reportStorageFailure(e);
  } finally {
    saving = false;
  }
}

/** Load kept runs and settings, then autosave every second and when the page is hidden. */
export async function startPersistence(): Promise<void> {
  try {
    const { runs: kept, settings, skipped, settingsFixed, migrated } = await loadAll();
    for (const r of kept) savedSteps.set(r.id, r.metrics.step.length);
    const partial = partialRuns(kept);
    useStoredRecords.getState().setLoaded(skipped, settingsFixed, partial);
    if (skipped.length) console.warn('LLaVADI Lab: stored records skipped (not valid)', skipped);
    store().hydrate(kept, settings);
    for (const r of migrated)
      await putRun(r).catch((e: unknown) =>
        console.warn(`LLaVADI Lab: could not write ${r.id} back with the current schema`, e),
      );
  } catch (e) {
    reportStorageFailure(e);
  }
  lastSettings = store().settings;
  lastRuns = store().runs;
  setInterval(() => void saveNow(), AUTOSAVE_MS);
  const flush = () => void saveNow();
  window.addEventListener('pagehide', flush);
  document.addEventListener('visibilitychange', () => document.hidden && flush());
  // A deleted live run is dropped from IndexedDB too (removeRun only touches kept runs).
}

/** The kept runs that are partial copies (a mark whose kept steps match the stored copy); stale marks are dropped. */
function partialRuns(kept: readonly RunRecord[]): Record<string, PartialMark> {
  const ls = localStore();
  const marks = readPartialMarks(ls);
  const out: Record<string, PartialMark> = {};
  for (const [id, m] of Object.entries(marks)) {
    const r = kept.find((x) => x.id === id);
    if (r && r.metrics.step.length === m.kept && m.total > m.kept) out[id] = m;
    else writePartialMark(ls, id, null);
  }
  const runsOf = Object.keys(out).map((id) => {
    const r = kept.find((x) => x.id === id)!;
    return `${r.name}: ${out[id].kept} of its ${out[id].total} steps were kept`;
  });
  if (runsOf.length) {
    store().pushBanner({
      source: 'storage',
      severity: 'warning',
      title: runsOf.length === 1 ? 'A run was kept only in part' : 'Some runs were kept only in part',
      error: {
        name: 'PartialRun',
        message: `${runsOf.join('; ')} (storage was full when it was last saved). Export it to keep what is there, or delete it.`,
      },
    });
  }
  return out;
}

/** The address bar carries the pack, the seed and every lane's changed knobs: opening it reproduces the race. */
export function shareableUrl(state: UrlState): string {
  const q = writeUrlState(state);
  return `${location.pathname}${q ? `?${q}` : ''}${location.hash}`;
}

/**
 * Keep the address bar in step with the config in force (replaceState: no history entry per knob), starting from
 * the link the lab was opened with (its backend, eval settings and e2e stay; a brought pack keeps the last shipped id).
 */
export function startUrlSync(packIdOf: (name: string) => string | null, opened: UrlState): void {
  let last = '';
  let current = opened;
  const sync = () => {
    const s = store();
    if (!s.pack) return;
    current = urlStateOfRace(current, s.lanes, packIdOf(s.pack.name));
    const url = shareableUrl(current);
    if (url !== last) {
      last = url;
      history.replaceState(null, '', url);
    }
  };
  useLab.subscribe((s, prev) => {
    const moved =
      s.lanes.length !== prev.lanes.length ||
      s.lanes.some((l, i) => l.config !== prev.lanes[i].config || l.name !== prev.lanes[i].name);
    if (moved || s.pack !== prev.pack) sync();
  });
}

/** Light / dark: the saved choice, else the system preference; applied as <html data-theme>. */
export function startTheme(): void {
  const mq = window.matchMedia?.('(prefers-color-scheme: dark)');
  const apply = () => {
    const t = store().settings.theme;
    const dark = t === 'dark' || (t === 'system' && !!mq?.matches);
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
    document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
    if (store().dark !== dark) store().setDark(dark);
  };
  apply();
  mq?.addEventListener?.('change', apply);
  useLab.subscribe((s, prev) => {
    if (s.settings.theme !== prev.settings.theme) apply();
  });
}

/** Toggle between light and dark (leaving "system" for an explicit choice). */
export function toggleTheme(): void {
  const dark = document.documentElement.dataset.theme === 'dark';
  store().setSettings({ theme: dark ? 'light' : 'dark' });
}
