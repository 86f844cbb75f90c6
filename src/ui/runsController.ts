// Runs that persist and travel: IndexedDB hydration and autosave, CSV / JSON / weights downloads, JSON import, the
// shareable URL (pack, seed and config diff kept in the address bar), and the light / dark theme.
import { urlStateOfRace, writeUrlState, type UrlState } from '../core/urlState';
import { useLab } from '../store';
import { deleteRun, loadAll, putRun, putSettings, storageReason, type LabSettings } from '../store/persist';
import { checkRunFileSize, parseRunJson, type RunRecord, runToCsv, runToJson } from '../store/runs';
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

const fileStem = (r: RunRecord) => `${r.name.replace(/\s+/g, '-').toLowerCase()}-${r.pack.replace(/\.safetensors(\.gz)?$/, '')}`;

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
      const title = error.file ? 'That run file was refused; the runs are unchanged' : `Could not import ${file.name}; the runs are unchanged`;
      store().pushBanner({ source: 'run', severity: 'error', title, error });
    }
  },
  remove: (id: string) => {
    store().removeRun(id);
  },
};

let storageReported = false;

/**
 * IndexedDB is missing, blocked or full: say once (a warning banner, source 'storage') that runs will not be kept;
 * training goes on and the runs stay in memory. Later failures add nothing (the banner may have been dismissed).
 */
export function reportStorageFailure(e: unknown): void {
  if (storageReported) return;
  storageReported = true;
  console.warn('LLaVADI Lab: IndexedDB failed; runs stay in memory and will not survive a reload', e);
  store().pushBanner({ source: 'storage', severity: 'warning', title: 'Runs will not be kept after a reload', error: { name: 'StorageError', message: storageReason(e) } });
}

/** Test helper: forget that a storage failure was reported. */
export function resetStorageReport(): void {
  storageReported = false;
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
    if (s.version !== s.savedVersion) {
      const v = s.version;
      for (const rec of s.liveRecords()) await putRun(rec); // every lane's run
      store().markSaved(v);
    }
    if (s.runs !== lastRuns) {
      const now = new Set(s.runs.map((r) => r.id));
      const before = new Map(lastRuns.map((r) => [r.id, r]));
      for (const r of s.runs) if (before.get(r.id) !== r) await putRun(r);
      const liveIds = new Set(store().lanes.map((l) => l.live?.id));
      for (const id of before.keys()) if (!now.has(id) && !liveIds.has(id)) await deleteRun(id);
      lastRuns = s.runs;
    }
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
    const { runs: kept, settings } = await loadAll();
    store().hydrate(kept, settings);
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
    const moved = s.lanes.length !== prev.lanes.length || s.lanes.some((l, i) => l.config !== prev.lanes[i].config || l.name !== prev.lanes[i].name);
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
