// IndexedDB persistence (idb): every run (config + curves) and the lab's settings survive a reload. Failures (private
// mode, quota) never stop the lab: they are reported once through onError and the lab keeps working in memory.
// What is read back is untrusted (storedRecords.ts): bad records are skipped and listed, never rendered.
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import type { RunRecord } from './runs';
import {
  type LabSettings,
  type SkippedRecord,
  sortStoredRuns,
  storedSettings,
  validateSettings,
} from './storedRecords';

export { DEFAULT_SETTINGS, type LabSettings } from './storedRecords';

/** What the stores hold as far as the types go: anything (an older or newer build may have written it). */
interface LabDb extends DBSchema {
  runs: { key: string; value: RunRecord };
  settings: { key: string; value: unknown };
}

export const DB_NAME = 'llavadi-lab';
export const DB_VERSION = 1;
let dbp: Promise<IDBPDatabase<LabDb>> | null = null;

/** The database, opened once; rejects (never throws) when IndexedDB is missing, blocked or cannot open. */
function db(): Promise<IDBPDatabase<LabDb>> {
  if (dbp) return dbp;
  try {
    if (typeof indexedDB === 'undefined' || !indexedDB)
      return Promise.reject(new Error('IndexedDB is not available in this browser'));
    dbp = openDB<LabDb>(DB_NAME, DB_VERSION, {
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
  if (name === 'QuotaExceededError')
    return `the browser's storage for this site is full (QuotaExceededError); delete kept runs or free space`;
  if (name === 'VersionError')
    return `the lab's stored data was written by a newer build of the lab (VersionError); open that build, or clear this site's data to start afresh`;
  if (name === 'SecurityError' || name === 'InvalidStateError')
    return `IndexedDB is blocked here, e.g. in a private window or by site settings (${name}${message ? `: ${message}` : ''})`;
  return message ? (name && name !== 'Error' ? `${name}: ${message}` : message) : name || 'IndexedDB failed';
}

/** Everything read back: the runs and settings to use, the records skipped, and the settings fields that fell back. */
export interface Loaded {
  runs: RunRecord[];
  settings: LabSettings;
  skipped: SkippedRecord[];
  settingsFixed: string[];
  migrated: RunRecord[]; // valid runs of an older schema: written back with the current one
}

export async function loadAll(): Promise<Loaded> {
  const d = await db();
  const tx = d.transaction(['runs', 'settings'], 'readonly');
  const runStore = tx.objectStore('runs');
  const [keys, values, rawSettings] = await Promise.all([
    runStore.getAllKeys(),
    runStore.getAll() as Promise<unknown[]>,
    tx.objectStore('settings').get('lab'),
  ]);
  await tx.done;
  const { runs, skipped, migrated } = sortStoredRuns(keys.map((k, i) => [k, values[i]] as const));
  const { settings, fixed } = validateSettings(rawSettings);
  const migratedIds = new Set(migrated);
  return { runs, settings, skipped, settingsFixed: fixed, migrated: runs.filter((r) => migratedIds.has(r.id)) };
}

export async function putRun(r: RunRecord): Promise<void> {
  await (await db()).put('runs', r);
}

export async function deleteRun(id: string): Promise<void> {
  await (await db()).delete('runs', id);
}

/** Delete records by their keys (the skipped ones), in one transaction. */
export async function deleteRecords(records: readonly Pick<SkippedRecord, 'store' | 'key'>[]): Promise<void> {
  if (!records.length) return;
  const d = await db();
  const tx = d.transaction(['runs', 'settings'], 'readwrite');
  await Promise.all([...records.map((r) => tx.objectStore(r.store).delete(r.key as string)), tx.done]);
}

export async function putSettings(s: LabSettings): Promise<void> {
  await (await db()).put('settings', storedSettings(s), 'lab');
}
