// IndexedDB persistence (idb): every run (config + curves) and the lab's settings survive a reload. Failures (private
// mode, quota) never stop the lab: they are reported once through onError and the lab keeps working in memory.
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import type { RunRecord } from './runs';

export interface LabSettings {
  theme: 'system' | 'light' | 'dark';
  hintDismissed: boolean;
  smoothing: number; // loss chart EMA weight, 0…0.99
  logScale: boolean;
  overlay: string[]; // run ids drawn in the loss chart
}

export const DEFAULT_SETTINGS: LabSettings = { theme: 'system', hintDismissed: false, smoothing: 0.6, logScale: false, overlay: [] };

interface LabDb extends DBSchema {
  runs: { key: string; value: RunRecord };
  settings: { key: string; value: LabSettings };
}

const DB_NAME = 'llavadi-lab';
let dbp: Promise<IDBPDatabase<LabDb>> | null = null;

/** The database, opened once; rejects (never throws) when IndexedDB is missing, blocked or cannot open. */
function db(): Promise<IDBPDatabase<LabDb>> {
  if (dbp) return dbp;
  try {
    if (typeof indexedDB === 'undefined' || !indexedDB) return Promise.reject(new Error('IndexedDB is not available in this browser'));
    dbp = openDB<LabDb>(DB_NAME, 1, {
      upgrade(d) {
        d.createObjectStore('runs', { keyPath: 'id' });
        d.createObjectStore('settings');
      },
    });
  } catch (e) {
    dbp = Promise.reject(e); // indexedDB.open itself threw (a blocked or broken IndexedDB)
  }
  dbp.catch(() => undefined); // reported by the caller; not an unhandled rejection here
  return dbp;
}

/** Why storage failed, in words a person can act on (the error's name kept for the curious). */
export function storageReason(e: unknown): string {
  const isErr = e instanceof Error || (typeof DOMException !== 'undefined' && e instanceof DOMException);
  const name = isErr ? (e as Error).name : '';
  const message = isErr ? (e as Error).message : String(e);
  if (name === 'QuotaExceededError') return `the browser's storage for this site is full (QuotaExceededError); delete kept runs or free space`;
  if (name === 'SecurityError' || name === 'InvalidStateError') return `IndexedDB is blocked here, e.g. in a private window or by site settings (${name}${message ? `: ${message}` : ''})`;
  return message ? (name && name !== 'Error' ? `${name}: ${message}` : message) : name || 'IndexedDB failed';
}

export async function loadAll(): Promise<{ runs: RunRecord[]; settings: LabSettings }> {
  const d = await db();
  const runs = (await d.getAll('runs')).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const s = await d.get('settings', 'lab');
  return { runs, settings: { ...DEFAULT_SETTINGS, ...(s ?? {}) } };
}

export async function putRun(r: RunRecord): Promise<void> {
  await (await db()).put('runs', r);
}

export async function deleteRun(id: string): Promise<void> {
  await (await db()).delete('runs', id);
}

export async function putSettings(s: LabSettings): Promise<void> {
  await (await db()).put('settings', s, 'lab');
}
