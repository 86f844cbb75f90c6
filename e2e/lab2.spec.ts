// The lab, part 2, end to end on wasm: runs persist across a reload and overlay in the loss chart, CSV / JSON /
// weights export and JSON import, a shared URL reproduces the first losses, the alignment views are drawn,
// accessibility (axe) in light and dark, no overlapping panels at 1280×720. (The README screenshot is its own
// command, `npm run screenshot`: e2e/screenshot/.)
import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import { expect, test, type Browser, type Page } from './fixtures';
import { LabPage } from './pages/LabPage';

const QUERY = { backend: 'wasm', evalEvery: 10, evalSamples: 24 };

const newLab = (browser: Browser, query: Record<string, string | number> = QUERY) => LabPage.newLab(browser, query);

/** Distinct colours drawn on every canvas inside a locator (sampled). */
function canvasColours(page: Page, testId: string): Promise<number[]> {
  return page
    .getByTestId(testId)
    .locator('canvas')
    .evaluateAll((cvs: HTMLCanvasElement[]) =>
      cvs.map((cv) => {
        const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
        const seen = new Set<number>();
        for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        return seen.size;
      }),
    );
}

/** A digest of the pixels of every canvas inside a locator (changes when any of them is redrawn differently). */
function canvasDigest(page: Page, testId: string): Promise<string> {
  return page
    .getByTestId(testId)
    .locator('canvas')
    .evaluateAll((cvs: HTMLCanvasElement[]) =>
      cvs
        .map((cv) => {
          const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
          let h = 0;
          for (let i = 0; i < d.length; i++) h = (Math.imul(h, 31) + d[i]) | 0;
          return (h >>> 0).toString(16);
        })
        .join(':'),
    );
}

test.describe('runs on wasm', () => {
  test.describe.configure({ mode: 'serial' });
  let page: Page;
  let lab: LabPage;
  let firstRun = '';
  let firstSteps = 0;

  test.beforeAll(async ({ browser }) => {
    ({ page, lab } = await newLab(browser));
  });
  test.afterAll(() => page.context().close());

  test('first visit shows a hint; a run survives a reload', async () => {
    await expect(page.getByTestId('first-visit-hint')).toBeVisible();
    await lab.toggle.click();
    await lab.waitForStep(12);
    await lab.pause();
    await expect(page.getByTestId('first-visit-hint')).toHaveCount(0);
    const s = await lab.state();
    firstRun = s.live!.name;
    firstSteps = s.step;
    await expect.poll(() => lab.state().then((x) => x.saved)).toBe(true);
    await page.reload();
    await expect.poll(() => lab.state().then((x) => x.pack), { timeout: 120_000 }).not.toBeNull();
    await expect.poll(() => lab.state().then((x) => x.runs.find((r) => r.name === firstRun)?.steps)).toBe(firstSteps);
    const row = page.getByTestId('runs-table').locator('tbody tr', { hasText: firstRun });
    await expect(row).toHaveCount(1);
    await expect(row.locator('td').nth(4)).toHaveText(String(firstSteps));
  });

  test('two runs overlay in the loss chart', async () => {
    await page.getByRole('checkbox', { name: `overlay ${firstRun} in the loss chart` }).check();
    await lab.toggle.click();
    await lab.waitForStep(12);
    await lab.pause();
    const legend = lab.lossChart.locator('.recharts-legend-item-text');
    await expect(legend.filter({ hasText: `${firstRun} total` })).toHaveCount(1);
    await expect(legend.filter({ hasText: 'train total' })).toHaveCount(1);
    const live = (await lab.state()).live!;
    expect(live.name).not.toBe(firstRun);
    await expect(page.getByTestId('runs-table').locator('tbody tr')).toHaveCount(2);
  });

  test('CSV export: one row per logged step, the contract header', async () => {
    const s = await lab.state();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const text = readFileSync((await dl.path())!, 'utf8')
      .trimEnd()
      .split('\n');
    expect(text[0]).toMatch(
      /^step,loss,ce,seq,kd,hidden,affinity,attention,lr,val_overall,(val_\w+,)+val_loss,val_ce,val_kd$/,
    );
    expect(text.length - 1).toBe(s.step);
    expect(text[1].split(',')[0]).toBe('1');
    expect(Number(text[s.step].split(',')[1])).toBeCloseTo(s.losses[s.losses.length - 1], 5);
    const evalRow = text.find((l) => l.startsWith('10,'));
    expect(evalRow?.split(',')[9], 'val metrics on the evaluated step 10').toMatch(/^\d/);
  });

  test('JSON export → import round-trips a run', async () => {
    const before = (await lab.state()).runs.length;
    const steps = (await lab.state()).step;
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const path = (await dl.path())!;
    const json = JSON.parse(readFileSync(path, 'utf8'));
    expect(json.format).toBe('llavadi-lab-run');
    await page
      .getByTestId('import-json')
      .setInputFiles({ name: 'exported-run.json', mimeType: 'application/json', buffer: readFileSync(path) });
    await expect.poll(() => lab.state().then((x) => x.runs.length)).toBe(before + 1);
    const imported = (await lab.state()).runs[before];
    expect(imported.steps).toBe(steps);
    expect(imported.name).toBe(json.name);
    await expect(page.getByTestId('runs-table').locator('tbody tr', { hasText: 'imported' })).toHaveCount(1);
    // A malformed file is refused with a banner naming the file and the field; the runs stay.
    await page
      .getByTestId('import-json')
      .setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"nope"}') });
    await expect(lab.banner).toContainText('broken.json: format');
    expect((await lab.state()).runs.length).toBe(before + 1);
  });

  test('weights export: a safetensors file of the student', async () => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-weights').click()]);
    const buf = readFileSync((await dl.path())!);
    const n = Number(buf.readBigUInt64LE(0));
    const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
    expect(header['student.lm.embed'].dtype).toBe('F32');
    expect(header.__metadata__.format).toBe('llavadi-lab-student');
    expect(dl.suggestedFilename()).toMatch(/^student-shapes-step\d+\.safetensors$/);
  });

  test('the affinity overlay and alignment-over-time canvases are drawn', async () => {
    const aff = await canvasColours(page, 'affinity-overlay');
    expect(aff.length).toBe(2);
    for (const c of aff) expect(c).toBeGreaterThan(8);
    const over = await canvasColours(page, 'alignment-over-time');
    expect(over[0]).toBeGreaterThan(8);
    // Hovering an answer token selects it and redraws the overlay for that token (keyboard focus does the same).
    const tokens = page.getByTestId('affinity-overlay').getByRole('button');
    expect(await tokens.count()).toBeGreaterThanOrEqual(2);
    await expect(tokens.first()).toHaveAttribute('aria-pressed', 'true');
    const drawn = await canvasDigest(page, 'affinity-overlay');
    await tokens.last().hover();
    await expect(tokens.last()).toHaveAttribute('aria-pressed', 'true');
    await expect(tokens.first()).toHaveAttribute('aria-pressed', 'false');
    await expect.poll(() => canvasDigest(page, 'affinity-overlay'), { timeout: 10_000 }).not.toBe(drawn);
  });

  test('deleting a run removes its row', async () => {
    const n = await page.getByTestId('runs-table').locator('tbody tr').count();
    await page
      .getByRole('button', { name: /^delete / })
      .first()
      .click();
    await expect(page.getByTestId('runs-table').locator('tbody tr')).toHaveCount(n - 1);
  });
});

test('a URL with the config and seed reproduces the first five losses', async ({ browser }) => {
  test.setTimeout(240_000);
  const a = await newLab(browser, { ...QUERY, seed: 5, evalEvery: 1000 });
  await a.lab.weight('kd').fill('1');
  await a.lab.temperature.fill('2');
  await expect.poll(() => a.lab.state().then((s) => s.config.kd.T)).toBe(2);
  for (let i = 0; i < 5; i++) {
    await a.lab.stepOnce.click();
    await a.lab.waitForStep(i + 1);
  }
  const first = (await a.lab.state()).losses;
  const url = new URL(a.page.url());
  expect(url.searchParams.get('seed')).toBe('5');
  expect(JSON.parse(url.searchParams.get('cfg')!)).toEqual({ weights: { kd: 1 }, kd: { T: 2 } });
  const b = await newLab(browser, Object.fromEntries(url.searchParams));
  expect((await b.lab.state()).config.kd.T).toBe(2);
  for (let i = 0; i < 5; i++) {
    await b.lab.stepOnce.click();
    await b.lab.waitForStep(i + 1);
  }
  const second = (await b.lab.state()).losses;
  expect(second.length).toBe(5);
  second.forEach((x, i) => expect(x).toBeCloseTo(first[i], 6));
  await a.page.context().close();
  await b.page.context().close();
});

test('look: axe finds no serious issue in light and dark; no overlap at 1280×720', async ({ browser }) => {
  test.setTimeout(240_000);
  const { page, lab } = await newLab(browser);
  await lab.toggle.click();
  await lab.waitForStep(25);
  await lab.pause();
  const serious = async () =>
    (await new AxeBuilder({ page }).analyze()).violations.filter(
      (v) => v.impact === 'serious' || v.impact === 'critical',
    );
  const light = await serious();
  expect(
    light.map(
      (v) =>
        `${v.id}: ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(' | ')}`,
    ),
  ).toEqual([]);
  expect((await lab.state()).theme).toBe('light');

  // No panel overlaps another, and nothing spills past the 1280 px viewport.
  const boxes = await page.locator('[data-testid="controls-panel"], section.card').evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return {
        id: e.querySelector('h2')?.textContent ?? e.getAttribute('data-testid'),
        x: r.x,
        y: r.y,
        w: r.width,
        h: r.height,
      };
    }),
  );
  expect(boxes.length).toBeGreaterThanOrEqual(8);
  for (let i = 0; i < boxes.length; i++) {
    const p = boxes[i];
    expect(p.x + p.w, `${p.id} fits in 1280 px`).toBeLessThanOrEqual(1280);
    for (let j = i + 1; j < boxes.length; j++) {
      const q = boxes[j];
      const overlap = p.x < q.x + q.w - 0.5 && q.x < p.x + p.w - 0.5 && p.y < q.y + q.h - 0.5 && q.y < p.y + p.h - 0.5;
      expect(overlap, `${p.id} overlaps ${q.id}`).toBe(false);
    }
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);

  await page.getByTestId('theme-toggle').click();
  await expect.poll(() => lab.state().then((s) => s.theme)).toBe('dark');
  const dark = await serious();
  expect(
    dark.map(
      (v) =>
        `${v.id}: ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(' | ')}`,
    ),
  ).toEqual([]);
  await page.context().close();
});
