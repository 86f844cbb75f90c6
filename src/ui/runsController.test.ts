// Run import and storage failures (Node, no IndexedDB): a file over the size cap is refused before it is read, a
// malformed one names its field, a good one clears those banners; a storage failure is reported once, as a warning.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG } from '../core/config';
import { useLab } from '../store';
import { loadAll } from '../store/persist';
import { MAX_RUN_JSON_BYTES, runToJson, snapshotRun } from '../store/runs';
import { StepSeries } from '../store/series';
import { resetLabStore } from '../store/testing/reset';
import { reportStorageFailure, resetStorageReport, runs } from './runsController';

const st = () => useLab.getState();
const file = (name: string, text: string, size = text.length) => ({ name, size, text: vi.fn(async () => text) });

function runJson(): string {
  const s = new StepSeries();
  s.append(0, 3, new Float32Array(24).fill(1), new Float32Array(18).fill(1), new Float32Array(3).fill(1e-3));
  const meta = { id: 'run-a', name: 'Run 1', createdAt: '2026-11-26T00:00:00.000Z', pack: 'shapes.safetensors.gz', backend: 'wasm', config: DEFAULT_CONFIG, families: ['a'], alignSamples: 0, A: 0 };
  return runToJson(snapshotRun(meta, s, [], [], DEFAULT_CONFIG));
}

describe('run import', () => {
  beforeEach(resetLabStore);

  it('a file over the cap is refused by its size, unread, with a banner naming the file', async () => {
    const f = file('huge.json', '{}', MAX_RUN_JSON_BYTES + 1);
    await runs.importJson(f);
    expect(f.text).not.toHaveBeenCalled();
    expect(st().runs).toEqual([]);
    expect(st().banner).toMatchObject({ source: 'run', severity: 'error', title: 'That run file was refused; the runs are unchanged', error: { file: 'huge.json', field: '(file)' } });
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
    expect(st().banner).toMatchObject({ source: 'storage', severity: 'warning', title: 'Runs will not be kept after a reload', error: { message: 'IndexedDB is not available in this browser' } });
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
