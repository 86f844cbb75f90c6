// The race end to end: lanes added, stepped in lockstep, drawn one line each, identical for one config after a reset,
// removed while the others train; race presets; a race link reproducing each lane's first losses; a reload (wasm);
// compare (two lanes' heatmaps, affinity and answers on one sample); two lanes on WebGPU (SwiftShader) for a few steps.
import { expect, test, type Browser, type Page } from './fixtures';
import { LabPage } from './pages/LabPage';

const QUERY = { backend: 'wasm', evalEvery: 10, evalSamples: 24 };

const newLab = (browser: Browser, query: Record<string, string | number> = QUERY) => LabPage.newLab(browser, query);

const lanesOf = (lab: LabPage) => lab.state().then((s) => s.lanes);

/** Step the race n times with the Step button, waiting for each until every lane has reported it (lanes on two
 *  workers report separately). */
async function steps(lab: LabPage, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const at = await lab.step();
    await lab.stepOnce.click();
    await lab.waitForStep(at + 1);
    await expect.poll(() => lanesOf(lab).then((l) => Math.min(...l.map((x) => x.losses.length)))).toBe(at + 1);
  }
}

test.describe('the race on wasm', () => {
  test.describe.configure({ mode: 'serial' });
  let page: Page;
  let lab: LabPage;

  test.beforeAll(async ({ browser }) => {
    ({ page, lab } = await newLab(browser));
  });
  test.afterAll(() => page.context().close());

  test('a lane added copies the selected lane; both step in lockstep and draw one loss line each', async () => {
    const rows = page.getByTestId('lane-row');
    await expect(rows).toHaveCount(1);
    await page.getByTestId('lane-add').click();
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(0)).toHaveAttribute('aria-selected', 'true');
    await expect.poll(() => lanesOf(lab).then((l) => l.map((x) => x.step))).toEqual([0, 0]);
    await steps(lab, 3);
    await expect(rows.nth(0).getByTestId('lane-step')).toHaveText('3');
    await expect(rows.nth(1).getByTestId('lane-step')).toHaveText('3');
    const lanes = await lanesOf(lab);
    expect(lanes[1].config).toEqual(lanes[0].config);
    expect(lanes[1].losses).toEqual(lanes[0].losses); // one config, one seed, the same batches: bit for bit
    await expect(rows.nth(1).getByTestId('lane-loss')).not.toHaveText('–');
    // one line per lane, named after the lane in the legend: the race's default term is the ground-truth CE (issue 29)
    const legend = page.getByTestId('loss-chart').locator('.recharts-legend-item-text');
    await expect(legend.filter({ hasText: new RegExp(`^${lanes[0].name} ce$`) })).toHaveCount(1);
    await expect(legend.filter({ hasText: new RegExp(`^${lanes[1].name} ce$`) })).toHaveCount(1);
    await page.getByTestId('loss-term').selectOption('total');
    await expect(legend.filter({ hasText: new RegExp(`^${lanes[0].name} total$`) })).toHaveCount(1);
    await expect(legend.filter({ hasText: new RegExp(`^${lanes[1].name} val total$`) })).toHaveCount(1); // and its val total
    await page.getByTestId('loss-term').selectOption('ce');
  });

  test('the knobs edit the selected lane; after a reset two lanes with the same config give the same losses', async () => {
    const rows = page.getByTestId('lane-row');
    await rows.nth(1).click();
    await expect(rows.nth(1)).toHaveAttribute('aria-selected', 'true');
    await lab.weight('kd').fill('1');
    await lab.weight('kd').blur();
    await expect.poll(() => lanesOf(lab).then((l) => l.map((x) => x.config.weights.kd))).toEqual([0, 1]);
    await lab.weight('kd').fill('0');
    await lab.weight('kd').blur();
    await expect.poll(() => lanesOf(lab).then((l) => l.map((x) => x.config.weights.kd))).toEqual([0, 0]);
    await lab.reset.click();
    await expect.poll(() => lab.step()).toBe(0);
    await steps(lab, 5);
    const [a, b] = await lanesOf(lab);
    expect(a.losses).toHaveLength(5);
    expect(b.losses).toEqual(a.losses);
  });

  test('removing a lane leaves the other training; its run is kept', async () => {
    const rows = page.getByTestId('lane-row');
    const removed = (await lanesOf(lab))[1];
    await rows.nth(1).getByTestId('lane-remove').click();
    await expect(rows).toHaveCount(1);
    await expect.poll(() => lab.state().then((s) => s.runs.some((r) => r.id === removed.runId))).toBe(true);
    await lab.toggle.click();
    await lab.waitForStep(8);
    await lab.pause();
    await expect(rows.nth(0).getByTestId('lane-remove')).toBeDisabled(); // a race keeps one lane
  });

  test('a race preset sets its lanes, each named after what it changes; the URL carries them and a reload keeps them', async () => {
    await page.getByTestId('race-select').selectOption('temperature');
    const rows = page.getByTestId('lane-row');
    await expect(rows).toHaveCount(4);
    await expect(rows.getByTestId('lane-name')).toHaveText(['T 0.1', 'T 0.25', 'T 0.7', 'T 1']);
    const lanes = await lanesOf(lab);
    expect(lanes.map((l) => l.config.kd.T)).toEqual([0.1, 0.25, 0.7, 1]);
    expect(
      lanes.every((l) => l.config.weights.ce === 0 && l.config.weights.kd === 5 && l.config.data.useUnlabeled),
    ).toBe(true);
    await expect.poll(() => page.url()).toContain('lanes=');
    await page.reload();
    await expect.poll(() => lab.state().then((s) => s.pack), { timeout: 120_000 }).not.toBeNull();
    await expect(rows.getByTestId('lane-name')).toHaveText(['T 0.1', 'T 0.25', 'T 0.7', 'T 1']);
    expect((await lanesOf(lab)).map((l) => l.config)).toEqual(lanes.map((l) => l.config));
  });
});

test("a race link reproduces each lane's first five losses", async ({ browser }) => {
  const lanes = [
    { name: 'CE', cfg: {} },
    { name: 'KD ×2 T 2', cfg: { weights: { kd: 2 }, kd: { T: 2 } } },
  ];
  const query = { ...QUERY, seed: 7, lanes: JSON.stringify(lanes) };
  const first = await newLab(browser, query);
  await steps(first.lab, 5);
  const a = await lanesOf(first.lab);
  expect(a.map((l) => l.name)).toEqual(['CE', 'KD ×2 T 2']);
  expect(a[0].losses).not.toEqual(a[1].losses);
  const link = first.page.url();
  await first.page.context().close();
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const lab = new LabPage(page);
  await page.goto(link);
  await expect.poll(() => lab.state().then((s) => s.pack), { timeout: 120_000 }).not.toBeNull();
  await steps(lab, 5);
  const b = await lanesOf(lab);
  expect(b.map((l) => l.losses)).toEqual(a.map((l) => l.losses));
  await ctx.close();
});

test('compare shows a second lane beside the selected one: two heatmaps, two affinity panels, two answers, each named', async ({
  browser,
}) => {
  const lanes = [
    { name: 'CE', cfg: {} },
    { name: 'KD ×2 T 2', cfg: { weights: { kd: 2 }, kd: { T: 2 } } },
  ];
  const { page, lab } = await newLab(browser, { ...QUERY, lanes: JSON.stringify(lanes) });
  await steps(lab, 2);
  const heat = page.getByTestId('alignment-heatmap');
  const heat2 = page.getByTestId('alignment-heatmap-compare');
  const names = page.getByTestId('heatmap-lane');
  await expect(heat).toBeVisible();
  await expect(heat2).toHaveCount(0);
  await expect(names).toHaveCount(1);
  await expect(names.first()).toContainText('CE');
  await page.getByRole('checkbox', { name: 'compare KD ×2 T 2 on the sample' }).check();
  await expect(heat2).toBeVisible();
  await expect(heat).toBeVisible();
  await expect(names).toHaveCount(2);
  await expect(names.nth(0)).toContainText('CE · T 1');
  await expect(names.nth(1)).toContainText('KD ×2 T 2 · T 2');
  const aff = page.getByTestId('affinity-overlay').getByTestId('affinity-lane');
  await expect(aff).toHaveCount(2);
  await expect(aff.nth(0)).toContainText('student · CE');
  await expect(aff.nth(1)).toContainText('student · KD ×2 T 2');
  await expect(page.getByTestId('compare-answer')).toBeVisible();
  await page.getByRole('checkbox', { name: 'compare KD ×2 T 2 on the sample' }).uncheck();
  await expect(heat2).toHaveCount(0);
  await expect(names).toHaveCount(1);
  await page.context().close();
});

test('two lanes race on WebGPU (SwiftShader) for a few steps', async ({ browser }) => {
  test.setTimeout(300_000);
  const lanes = [
    { name: 'CE', cfg: {} },
    { name: 'CE + KD', cfg: { weights: { kd: 1 } } },
  ];
  const { page, lab } = await newLab(browser, {
    backend: 'webgpu',
    evalEvery: 0,
    batch: 8,
    lanes: JSON.stringify(lanes),
  });
  expect((await lab.state()).backend).toBe('webgpu');
  await steps(lab, 2);
  const ls = await lanesOf(lab);
  expect(ls.map((l) => l.losses.length)).toEqual([2, 2]);
  expect(ls.flatMap((l) => l.losses).every(Number.isFinite)).toBe(true);
  expect(ls[1].losses[0]).toBeGreaterThan(ls[0].losses[0]); // same student, same batch at step 0: total = CE + KL ≥ CE
  await page.context().close();
});
