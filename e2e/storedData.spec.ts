// Stored data is untrusted (issue 31): stale records seeded in IndexedDB are skipped and listed in one banner (never
// rendered), "remove" deletes them, the lab trains on; a save that fails for quota leaves no stale copy standing in.
import { writeFileSync } from 'node:fs';
import { DEFAULT_CONFIG } from '../src/core/config/config';
import { snapshotRun, type RunRecord } from '../src/store/runs';
import { StepSeries } from '../src/store/series';
import { expect, test, type Page } from './fixtures';
import { LabPage } from './pages/LabPage';

const WASM = { backend: 'wasm', evalEvery: 1000, evalSamples: 8 } as const;

/** A valid kept run of `steps` steps, as this build writes it. */
function good(id: string, name: string, steps = 4): RunRecord {
  const s = new StepSeries();
  s.append(
    0,
    steps,
    new Float32Array(steps * 8).map((_, i) => 2 - i / 100),
    new Float32Array(steps * 6).fill(1),
    new Float32Array(steps).fill(1e-3),
  );
  const meta = {
    id,
    name,
    createdAt: `2026-11-26T00:00:0${steps % 10}.000Z`,
    pack: 'shapes.safetensors.gz',
    backend: 'wasm',
    config: DEFAULT_CONFIG,
    families: ['count'],
    alignSamples: 0,
    A: 0,
  };
  return snapshotRun(meta, s, [], [], DEFAULT_CONFIG);
}
// a stored record as plain JSON, edited in place: `any` so a test can reach any nested field
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;
const edited = (id: string, edit: (o: Loose) => void) => {
  const o = JSON.parse(JSON.stringify(good(id, `Stale ${id}`))) as Loose;
  edit(o);
  return o;
};

/** The stale records an older or newer build could leave, with the words the banner must show for each. */
const STALE: [Record<string, unknown>, string][] = [
  [
    edited('no-metrics', (o) => delete o.metrics),
    'Stale no-metrics (no-metrics): metrics: expected an object {step, lr, values} (the field is missing)',
  ],
  [
    edited('no-values', (o) => delete o.metrics.values),
    'Stale no-values (no-values): metrics.values: expected an object with total',
  ],
  [
    edited('text-values', (o) => (o.metrics.values.total = ['a', 'b', 'c', 'd'])),
    'Stale text-values (text-values): metrics.values.total[0]: expected a number or null, got "a"',
  ],
  [
    edited('config-null', (o) => (o.config = null)),
    'Stale config-null (config-null): config: expected an object: the training config of the run',
  ],
  [edited('wrong-types', (o) => (o.name = 5)), 'stored run wrong-types: name: expected a string, got 5'],
  [
    edited('newer', (o) => (o.schema = 99)),
    'Stale newer (newer): written by a newer build of the lab; schema: expected schema 1 or older, got 99',
  ],
];
const BAD_SETTINGS = { theme: 'system', hintDismissed: true, smoothing: 'x', logScale: false, overlay: ['kept-good'] };

/** Write records (and settings) into the lab's own database, as another build would have left them. */
function seed(page: Page, runs: unknown[], settings: unknown): Promise<void> {
  return page.evaluate(
    async ({ runs, settings }) => {
      const db = await new Promise<IDBDatabase>((ok, fail) => {
        const r = indexedDB.open('llavadi-lab');
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
      const tx = db.transaction(['runs', 'settings'], 'readwrite');
      for (const r of runs) tx.objectStore('runs').put(r);
      if (settings !== undefined) tx.objectStore('settings').put(settings, 'lab');
      await new Promise((ok, fail) => ((tx.oncomplete = ok), (tx.onerror = () => fail(tx.error))));
      db.close();
    },
    { runs, settings },
  );
}

/** What the lab's database holds now: run keys with their schema, and the settings record. */
function stored(page: Page): Promise<{ runs: [string, unknown][]; settings: Record<string, unknown> | undefined }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((ok, fail) => {
      const r = indexedDB.open('llavadi-lab');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const tx = db.transaction(['runs', 'settings'], 'readonly');
    const get = <T>(q: IDBRequest<T>) =>
      new Promise<T>((ok, fail) => ((q.onsuccess = () => ok(q.result)), (q.onerror = () => fail(q.error))));
    const all = await get(tx.objectStore('runs').getAll());
    const settings = await get(tx.objectStore('settings').get('lab'));
    db.close();
    return {
      runs: all.map((r: { id: string; schema?: unknown }) => [String(r.id), r.schema] as [string, unknown]),
      settings,
    };
  });
}

test('stale stored records: the lab renders, one banner lists them, "remove" deletes them, and it still trains', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const lab = new LabPage(page);
  await lab.open(WASM, 240_000);
  const older = JSON.parse(JSON.stringify(good('kept-old', 'Kept old', 3))) as Record<string, unknown>;
  delete older.schema; // an older build's record, valid otherwise: migrated
  await seed(page, [good('kept-good', 'Kept good', 5), older, ...STALE.map(([r]) => r)], BAD_SETTINGS);

  await page.reload();
  await expect.poll(() => lab.state().then((s) => s.pack), { timeout: 240_000 }).not.toBeNull();
  const banner = page.getByTestId('stored-skipped');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText(`${STALE.length} stored records were skipped`);
  await expect(banner.locator('li')).toHaveCount(STALE.length + 1);
  for (const [, words] of STALE) await expect(banner).toContainText(words);
  await expect(banner).toContainText('settings: smoothing was "x", not a number in [0, 0.99]; using 0.6');
  // The rest of the lab is there: no panel failed, the valid runs are listed, the loss chart reads its settings.
  await expect(page.getByTestId('panel-error')).toHaveCount(0);
  expect((await lab.state()).runs.map((r) => r.id).sort()).toEqual(['kept-good', 'kept-old']);
  await expect(page.getByTestId('runs-table')).toContainText('Kept good');
  await expect(page.getByTestId('runs-table')).not.toContainText('Stale');
  await expect(lab.lossChart).toContainText('smoothing 0.60');
  await expect.poll(async () => (await stored(page)).runs.find(([id]) => id === 'kept-old')?.[1]).toBe(1); // written back migrated

  await page.getByTestId('stored-skipped-remove').click();
  await expect(banner).toHaveCount(0);
  const after = await stored(page);
  expect(after.runs.map(([id]) => id).sort()).toEqual(['kept-good', 'kept-old']);
  expect(after.settings).toMatchObject({ smoothing: 0.6, schema: 1 });

  await lab.toggle.click();
  await lab.waitForStep(3, 180_000);
  await lab.pause();
  await expect(page.getByTestId('panel-error')).toHaveCount(0);
  await page.reload(); // nothing stale is left to list
  await expect.poll(() => lab.state().then((s) => s.pack), { timeout: 240_000 }).not.toBeNull();
  await expect(page.getByTestId('stored-skipped')).toHaveCount(0);
});

/** Train until the live run is saved with at least `steps` steps; its id and the saved step count. */
async function trainSaved(lab: LabPage, steps: number): Promise<{ id: string; saved: number }> {
  await lab.toggle.click();
  await lab.waitForStep(steps, 180_000);
  await lab.pause();
  await expect.poll(() => lab.state().then((s) => s.saved), { timeout: 30_000 }).toBe(true);
  const s = await lab.state();
  return { id: s.live!.id, saved: s.losses.length };
}

test('storage full: the stale copy of a run does not stand in for it after a reload', async ({ page }) => {
  test.setTimeout(300_000);
  const lab = new LabPage(page);
  await lab.open(WASM, 240_000);
  const { id, saved } = await trainSaved(lab, 5);
  await page.evaluate(() => {
    IDBObjectStore.prototype.put = function () {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  });
  await lab.toggle.click();
  await lab.waitForStep(saved + 10, 180_000);
  const storage = lab.banners.filter({ hasText: 'Runs will not be kept after a reload' });
  await expect(storage).toContainText(
    new RegExp(`could not be saved; its older copy \\(${saved} steps\\) was deleted from storage`),
  );
  await lab.pause();
  expect((await stored(page)).runs.map(([k]) => k)).not.toContain(id);
  await page.reload();
  await expect.poll(() => lab.state().then((s) => s.pack), { timeout: 240_000 }).not.toBeNull();
  expect((await lab.state()).runs.map((r) => r.id)).not.toContain(id);
});

test('storage full and deletes refused too: the stale copy shows as partial, saying how many steps it kept', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const lab = new LabPage(page);
  await lab.open(WASM, 240_000);
  const { id, saved } = await trainSaved(lab, 5);
  await page.evaluate(() => {
    IDBObjectStore.prototype.put = IDBObjectStore.prototype.delete = function () {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  });
  await lab.toggle.click();
  await lab.waitForStep(saved + 10, 180_000);
  await lab.pause();
  const total = (await lab.state()).losses.length;
  const storage = lab.banners.filter({ hasText: 'Runs will not be kept after a reload' });
  await expect(storage).toContainText(
    new RegExp(`nor its older copy deleted: after a reload it shows as partial \\(${saved} of \\d+ steps kept\\)`),
  );
  await expect
    .poll(() => page.evaluate(() => localStorage.getItem('llavadi-lab:partial-runs')))
    .toContain(`"total":${total}`); // the last failed save
  await page.reload();
  await expect.poll(() => lab.state().then((s) => s.pack), { timeout: 240_000 }).not.toBeNull();
  expect((await lab.state()).runs.find((r) => r.id === id)?.steps).toBe(saved);
  await expect(page.getByTestId('run-partial')).toHaveText(`partial: ${saved} of ${total} steps`);
  await expect(lab.banners.filter({ hasText: 'A run was kept only in part' })).toContainText(
    `${saved} of its ${total} steps were kept`,
  );
});

test('import messages a person can act on: config null, a 51 MiB file', async ({ page }) => {
  test.setTimeout(300_000);
  const lab = new LabPage(page);
  await lab.open(WASM, 240_000);
  const input = page.getByTestId('import-json');
  const nullConfig = { ...JSON.parse(JSON.stringify(good('x', 'Run 1'))), config: null };
  await input.setInputFiles({
    name: 'null-config.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(nullConfig)),
  });
  await expect(lab.banner).toContainText(
    'null-config.json: config: expected an object: the training config of the run (seed, weights, kd, optim, …), got null. HINT: the run file lost its training config',
  );
  await expect(lab.banner).not.toContainText('Cannot read properties');
  const big = test.info().outputPath('big.json');
  writeFileSync(big, Buffer.alloc(51 * 1024 * 1024, 0x20));
  await input.setInputFiles(big);
  await expect(lab.banner).toContainText('big.json: (file): expected at most 50 MiB of JSON, got 51.0 MiB');
  expect((await lab.state()).runs).toEqual([]);
});
