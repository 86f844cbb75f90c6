// Study bands, replay and the separation mark (issue 29 items 1–2, DESIGN §6c): a preset race's lanes get their study
// band (`study-band`, data-lane), a lane whose knob changes loses it and is named; the replay plays; two lanes that
// separate are marked on the accuracy chart (`separation-mark`, data-step) and in the lanes table (`lane-separated`).
import { expect, test, type Page } from './fixtures';
import { LabPage } from './pages/LabPage';

const QUERY = { backend: 'wasm', evalEvery: 10, evalSamples: 24 };

test.describe('study bands behind a preset race', () => {
  test.describe.configure({ mode: 'serial' });
  let page: Page;
  let lab: LabPage;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
    lab = new LabPage(page);
    await lab.open({ ...QUERY, race: 'ce-vs-kd' });
  });
  test.afterAll(() => page?.close());

  test('ce-vs-kd on shapes: one band per lane, data-lane 0 and 1, before any step', async () => {
    const bands = lab.accuracyChart.getByTestId('study-band');
    await expect(bands).toHaveCount(2);
    expect(await bands.evaluateAll((els) => els.map((e) => e.getAttribute('data-lane')).sort())).toEqual(['0', '1']);
    // each band is drawn (a mean line with a path) and backed by at least two seeds
    for (const lane of ['0', '1']) {
      const band = lab.accuracyChart.locator(`[data-testid="study-band"][data-lane="${lane}"]`);
      expect(Number(await band.getAttribute('data-runs'))).toBeGreaterThanOrEqual(2);
      await expect(band.locator('path').last()).toHaveAttribute('d', /^M[\d.]+,[\d.]+L/);
    }
    await expect(page.getByTestId('band-missing')).toHaveCount(0);
    await expect(page.getByTestId('band-note')).toContainText('2,000 steps');
  });

  test('the replay plays the recorded curves while the race trains, and stops', async () => {
    await lab.toggle.click();
    await expect.poll(() => lab.state().then((s) => s.status)).toBe('running');
    const replay = page.getByTestId('band-replay');
    await replay.click();
    await expect(replay).toHaveAttribute('data-state', 'playing');
    const cursor = lab.accuracyChart.getByTestId('replay-cursor');
    await expect(cursor).toHaveCount(1);
    const first = Number(await cursor.getAttribute('data-step'));
    await expect
      .poll(async () => Number(await cursor.getAttribute('data-step')), { timeout: 10_000 })
      .toBeGreaterThan(first);
    await replay.click();
    await expect(replay).toHaveAttribute('data-state', 'idle');
    await expect(cursor).toHaveCount(0);
    await lab.pause();
  });

  test('a lane with its own knob (KD weight 2.5) loses its band and the chart says so', async () => {
    await page.getByTestId('lane-row').nth(1).click();
    await lab.weight('kd').fill('2.5');
    await lab.weight('kd').blur();
    await expect.poll(() => lab.state().then((s) => s.lanes.map((l) => l.config.weights.kd))).toEqual([0, 2.5]);
    const bands = lab.accuracyChart.getByTestId('study-band');
    await expect(bands).toHaveCount(1);
    await expect(bands).toHaveAttribute('data-lane', '0');
    const missing = page.getByTestId('band-missing');
    await expect(missing).toHaveCount(1);
    await expect(missing).toHaveAttribute('data-lane', '1');
    await expect(missing).toContainText("no study run with this lane's config");
    await lab.weight('kd').fill('5');
    await lab.weight('kd').blur();
    await expect(bands).toHaveCount(2);
  });
});

test('two lanes that separate: the chart marks the step and the lanes table names it', async ({ browser }) => {
  test.setTimeout(400_000);
  // a student that barely moves (lr 1e-9) beside one that learns: they separate within the first evaluations
  const lanes = [
    { name: 'CE', cfg: {} },
    { name: 'frozen', cfg: { optim: { lr: 1e-9 } } },
  ];
  const page = await browser.newPage();
  const lab = new LabPage(page);
  await lab.open({ ...QUERY, lanes: JSON.stringify(lanes) });
  await expect(page.getByTestId('separation-mark')).toHaveCount(0);
  await lab.toggle.click();
  const mark = lab.accuracyChart.getByTestId('separation-mark');
  await expect(mark).toHaveCount(1, { timeout: 300_000 });
  const step = Number(await mark.getAttribute('data-step'));
  expect(step).toBeGreaterThan(0);
  expect(step % 10).toBe(0); // an evaluation's step (every 10 here)
  const said = page.getByTestId('lane-separated');
  await expect(said).toHaveAttribute('data-step', String(step));
  await expect(said).toContainText(`separated at step ${step}`);
  await expect(said).toContainText('CE');
  await lab.pause();
  await page.close();
});
