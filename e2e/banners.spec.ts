// Banners a person can act on (issue 16, items 5 and 6): a pack that loads clears an earlier pack error, every banner
// dismisses, a link's bad ?preset= ?pack= ?backend= ?seed= are named with what they accept, and without IndexedDB (or
// with a full quota) the lab trains on and says once that runs will not be kept.
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from './fixtures';
import { LabPage, sharedLab } from './pages/LabPage';

const WASM = { backend: 'wasm', evalEvery: 1000, evalSamples: 8 } as const;
const DIGITS = fileURLToPath(new URL('../public/packs/digits.safetensors.gz', import.meta.url));
const BROKEN_PACK = {
  name: 'broken.safetensors',
  mimeType: 'application/octet-stream',
  buffer: Buffer.from('\x10\x00\x00\x00\x00\x00\x00\x00{"oops": 1}    '),
};
const sources = (lab: LabPage) => lab.state().then((s) => s.banners.map((b) => b.source));

test.describe('banners on a working lab (wasm)', () => {
  test.describe.configure({ mode: 'serial' });
  let page: Page;
  let lab: LabPage;

  sharedLab(WASM, (p, l) => ((page = p), (lab = l)));

  test('a rejected pack, then a valid one: the old banner goes, the other stays, and training works', async () => {
    test.setTimeout(300_000);
    await expect(lab.banner).toHaveCount(0);
    await lab.packInput.setInputFiles(BROKEN_PACK);
    await expect(lab.banners.filter({ hasText: 'broken.safetensors' })).toHaveCount(1, { timeout: 60_000 });
    await expect(lab.banners.first()).toHaveAttribute('role', 'alert');
    await expect(lab.banners.first().locator('code')).toHaveCount(1); // the field, named once
    // A run file refused too: a banner of its own, which a pack load leaves alone.
    await page
      .getByTestId('import-json')
      .setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"nope"}') });
    await expect(lab.banner).toContainText('broken.json: format');
    expect(await sources(lab)).toEqual(['pack', 'run']);

    await lab.packInput.setInputFiles(DIGITS);
    await expect.poll(() => lab.state().then((s) => s.pack), { timeout: 180_000 }).toBe('digits.safetensors.gz');
    await expect(lab.banners.filter({ hasText: 'broken.safetensors' })).toHaveCount(0);
    expect(await sources(lab)).toEqual(['run']);
    const before = await lab.step();
    await lab.stepOnce.click();
    await lab.waitForStep(before + 1);
  });

  test('a full quota: training goes on, one warning says runs will not be kept; every banner dismisses', async () => {
    test.setTimeout(240_000);
    await page.evaluate(() => {
      IDBObjectStore.prototype.put = function () {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
    });
    await lab.toggle.click();
    const storage = lab.banners.filter({ hasText: 'Runs will not be kept after a reload' });
    await expect(storage).toHaveCount(1, { timeout: 60_000 });
    await expect(storage).toContainText('QuotaExceededError');
    await expect(storage).toHaveAttribute('role', 'status');
    await expect(storage).toHaveClass(/\bwarning\b/);
    const at = await lab.step();
    await lab.waitForStep(at + 5); // it trains on, and autosave fails every second…
    expect((await sources(lab)).filter((s) => s === 'storage')).toHaveLength(1); // …without a second banner
    await lab.pause();
    expect(await sources(lab)).toEqual(['run', 'storage']);
    await lab.dismissAllBanners();
    await lab.page.waitForTimeout(2500); // more failed autosaves: the dismissed warning does not come back
    await expect(lab.banner).toHaveCount(0);
  });
});

test("a link's unknown ?preset= ?pack= ?backend= and a non-integer ?seed= are named; the lab starts on defaults", async ({
  page,
}) => {
  test.setTimeout(300_000);
  const lab = new LabPage(page);
  await lab.open(
    { preset: 'bogus', pack: 'cifar', backend: 'metal', seed: '2.5', evalEvery: 1000, evalSamples: 8 },
    240_000,
  );
  const item = lab.banners.filter({ hasText: 'parameters of the link were ignored' });
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('llavadi');
  for (const text of [
    '?preset=bogus was ignored: it accepts one of ce-only | fkl | rkl',
    '?pack=cifar was ignored: it accepts one of shapes | digits | hues | hues-t2; using shapes',
    '?backend=metal was ignored: it accepts one of auto | webgpu | webgl | wasm | cpu; using auto',
    '?seed=2.5 was ignored: it accepts an integer in [0, 4294967295], in decimal digits; using 1',
  ]) {
    await expect(item).toContainText(text);
  }
  const s = await lab.state();
  expect(s.banners.map((b) => [b.source, b.severity])).toEqual([['url', 'warning']]);
  expect(s.pack).toBe('shapes.safetensors.gz');
  expect(s.presetId).toBeNull();
  expect(s.config.seed).toBe(1);
  await lab.dismissAllBanners();
});

test('IndexedDB blocked: the lab trains and says once that runs will not be kept', async ({ page }) => {
  test.setTimeout(300_000);
  await page.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', {
      configurable: true,
      get() {
        throw new DOMException('The user denied permission to access the database.', 'SecurityError');
      },
    });
  });
  const lab = new LabPage(page);
  await lab.open(WASM, 240_000);
  const storage = lab.banners.filter({ hasText: 'Runs will not be kept after a reload' });
  await expect(storage).toHaveCount(1);
  await expect(storage).toContainText('IndexedDB is blocked here');
  await lab.toggle.click();
  await lab.waitForStep(5, 180_000);
  await lab.pause();
  expect((await lab.state()).losses.length).toBeGreaterThanOrEqual(5);
  expect(await sources(lab)).toEqual(['storage']);
  await lab.dismissAllBanners();
});
