// Run import and storage failures (Node, no IndexedDB): a file over the size cap is refused before it is read, a
// malformed one names its field, a good one clears those banners; a storage failure is reported once, as a warning.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG } from '../core/config/config';
import { useLab } from '../store';
import * as persist from '../store/persist';
import { useStoredRecords } from '../store/storedRecords';
import { MAX_RUN_JSON_BYTES, runToJson, snapshotRun } from '../store/runs';
import { StepSeries } from '../store/series';
import { resetLabStore } from '../store/testing/reset';
import { reportStorageFailure, resetStorageReport, runs, saveRun } from './runsController';

// IndexedDB's writes, stubbed per test (Node has no IndexedDB); loadAll stays the real one.
vi.mock('../store/persist', async (orig) => {
  const real = await orig<typeof import('../store/persist')>();
  return {
    ...real,
    putRun: vi.fn(real.putRun),
    deleteRun: vi.fn(real.deleteRun),
    deleteRecords: vi.fn(real.deleteRecords),
    putSettings: vi.fn(real.putSettings),
  };
});
const { loadAll } = persist;
const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

const st = () => useLab.getState();
const file = (name: string, text: string, size = text.length) => ({ name, size, text: vi.fn(async () => text) });

function run(steps = 3) {
  const s = new StepSeries();
  s.append(
    0,
    steps,
    new Float32Array(8 * steps).fill(1),
    new Float32Array(6 * steps).fill(1),
    new Float32Array(steps).fill(1e-3),
  );
  const meta = {
    id: 'run-a',
    name: 'Run 1',
    createdAt: '2026-11-26T00:00:00.000Z',
    pack: 'shapes.safetensors.gz',
    backend: 'wasm',
    config: DEFAULT_CONFIG,
    families: ['a'],
    alignSamples: 0,
    A: 0,
  };
  return snapshotRun(meta, s, [], [], DEFAULT_CONFIG);
}
const runJson = () => runToJson(run());

describe('run import', () => {
  beforeEach(resetLabStore);

  it('a file over the cap is refused by its size, unread, with a banner naming the file', async () => {
    const f = file('huge.json', '{}', MAX_RUN_JSON_BYTES + 1);
    await runs.importJson(f);
    expect(f.text).not.toHaveBeenCalled();
    expect(st().runs).toEqual([]);
    expect(st().banner).toMatchObject({
      source: 'run',
      severity: 'error',
      title: 'That run file was refused; the runs are unchanged',
      error: { file: 'huge.json', field: '(file)' },
    });
    expect(st().banner!.error.message).toMatch(/at most 50 MiB of JSON, got 50\.000001 MiB/);
  });

  it('a malformed file names its field; a good one is added and clears the import banners', async () => {
    await runs.importJson(file('broken.json', '{"format":"nope"}'));
    expect(st().banner).toMatchObject({ source: 'run', error: { file: 'broken.json', field: 'format' } });
    await runs.importJson(file('good.json', runJson()));
    expect(st().runs.map((r) => r.name)).toEqual(['Run 1']);
    expect(st().banners).toEqual([]);
  });
});

describe('storage failures', () => {
  beforeEach(() => {
    resetLabStore();
    resetStorageReport();
  });

  it('without IndexedDB, loading rejects with a reason; the failure is reported once, as a storage warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const e = await loadAll().catch((x: unknown) => x);
    expect(String(e)).toMatch(/IndexedDB is not available/);
    reportStorageFailure(e);
    reportStorageFailure(new DOMException('quota', 'QuotaExceededError'));
    expect(st().banners).toHaveLength(1);
    expect(st().banner).toMatchObject({
      source: 'storage',
      severity: 'warning',
      title: 'Runs will not be kept after a reload',
      error: { message: 'IndexedDB is not available in this browser' },
    });
    st().dismissBanner(st().banner!.id);
    reportStorageFailure(e); // a later failed write does not bring it back
    expect(st().banners).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it('a full quota says so in words', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    reportStorageFailure(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
    expect(st().banner!.error.message).toMatch(/storage for this site is full \(QuotaExceededError\)/);
  });
});

describe('a save that fails for quota', () => {
  beforeEach(() => {
    resetLabStore();
    resetStorageReport();
    vi.mocked(persist.putRun).mockReset();
    vi.mocked(persist.deleteRun).mockReset();
    vi.spyOn(console, 'warn').mockImplementation(() => {});
  });

  it('deletes the stale copy so it cannot stand in for the run, and says how many steps it had', async () => {
    vi.mocked(persist.putRun).mockResolvedValueOnce(undefined); // 30 steps saved…
    vi.mocked(persist.deleteRun).mockResolvedValue(undefined);
    expect(await saveRun(run(30))).toBeNull();
    vi.mocked(persist.putRun).mockRejectedValue(quota()); // …then the storage fills up
    const f = await saveRun(run(126));
    expect(persist.deleteRun).toHaveBeenCalledWith('run-a');
    expect(f!.note).toBe(
      'Run 1 (126 steps) could not be saved; its older copy (30 steps) was deleted from storage so that it cannot stand in for the run after a reload',
    );
    reportStorageFailure(f!.error, new Map([['run-a', f!.note]]));
    expect(st().banners).toHaveLength(1);
    expect(st().banner!.error.message).toBe(
      `the browser's storage for this site is full (QuotaExceededError); delete kept runs or free space. ${f!.note}. Export a run (Export JSON) to keep it.`,
    );
  });

  it('when even the delete fails, the copy is marked partial (kept of total steps)', async () => {
    const items = new Map<string, string>();
    vi.stubGlobal('localStorage', {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, v),
    });
    vi.mocked(persist.putRun).mockResolvedValueOnce(undefined);
    expect(await saveRun(run(30))).toBeNull();
    vi.mocked(persist.putRun).mockRejectedValue(quota());
    vi.mocked(persist.deleteRun).mockRejectedValue(quota());
    const f = await saveRun(run(126));
    expect(f!.note).toBe(
      'Run 1 (126 steps) could not be saved, nor its older copy deleted: after a reload it shows as partial (30 of 126 steps kept)',
    );
    expect(JSON.parse(items.get('llavadi-lab:partial-runs')!)).toEqual({ 'run-a': { kept: 30, total: 126 } });
    vi.mocked(persist.putRun).mockResolvedValue(undefined); // space again: the mark goes
    expect(await saveRun(run(130))).toBeNull();
    expect(JSON.parse(items.get('llavadi-lab:partial-runs')!)).toEqual({});
    vi.unstubAllGlobals();
  });

  it('a run newly failing is added to the storage banner while it is shown, never brought back once dismissed', () => {
    reportStorageFailure(quota(), new Map([['a', 'Run 1 (5 steps) could not be saved']]));
    reportStorageFailure(quota(), new Map([['a', 'Run 1 (6 steps) could not be saved']])); // same run: no change
    expect(st().banner!.error.message).toMatch(/Run 1 \(5 steps\) could not be saved\. Export a run/);
    reportStorageFailure(quota(), new Map([['b', 'Run 2 (1 step) could not be saved']]));
    expect(st().banners).toHaveLength(1);
    expect(st().banner!.error.message).toMatch(
      /Run 1 \(5 steps\) could not be saved\. Run 2 \(1 step\) could not be saved\. /,
    );
    st().dismissBanner(st().banner!.id);
    reportStorageFailure(quota(), new Map([['c', 'Run 3 (1 step) could not be saved']]));
    expect(st().banners).toEqual([]);
  });
});

describe('the stored-records banner', () => {
  beforeEach(() => {
    resetLabStore();
    useStoredRecords.getState().clear();
  });

  it('"remove" deletes the skipped records and rewrites repaired settings, then the list is empty', async () => {
    vi.mocked(persist.deleteRecords).mockResolvedValue(undefined);
    vi.mocked(persist.putSettings).mockResolvedValue(undefined);
    const skipped = [
      {
        store: 'runs' as const,
        key: 'bad',
        label: 'stored run bad',
        reason: 'metrics: expected an object',
        newer: false,
      },
    ];
    useStoredRecords.getState().setLoaded(skipped, ['smoothing was "x", not a number in [0, 0.99]; using 0.6'], {});
    await runs.removeSkipped();
    expect(persist.deleteRecords).toHaveBeenCalledWith(skipped);
    expect(persist.putSettings).toHaveBeenCalledWith(st().settings);
    expect(useStoredRecords.getState()).toMatchObject({
      skipped: [],
      settingsFixed: [],
      removing: false,
      removeError: null,
    });
  });

  it('when the delete fails the banner stays and says why', async () => {
    vi.mocked(persist.deleteRecords).mockRejectedValue(new DOMException('blocked', 'SecurityError'));
    useStoredRecords
      .getState()
      .setLoaded([{ store: 'runs', key: 'bad', label: 'x', reason: 'y', newer: false }], [], {});
    await runs.removeSkipped();
    expect(useStoredRecords.getState().skipped).toHaveLength(1);
    expect(useStoredRecords.getState().removeError).toMatch(/^could not remove them: IndexedDB is blocked here/);
  });
});
