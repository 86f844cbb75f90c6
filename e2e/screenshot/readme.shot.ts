// `npm run screenshot`: retakes the README screenshots — docs/lab.png (one lane, 25 steps, 1280×720, full page) and
// docs/race.png (a 3-lane race, 200 steps, 1440×900). Run only by playwright.config.ts's screenshot project.
import { expect, test } from '../fixtures';
import { LabPage } from '../pages/LabPage';

test('README screenshot: docs/lab.png', async ({ page }) => {
  test.setTimeout(240_000);
  const lab = new LabPage(page);
  await lab.open({ backend: 'wasm', evalEvery: 10, evalSamples: 24 });
  await lab.toggle.click();
  await lab.waitForStep(25);
  await lab.pause();
  expect((await lab.state()).theme).toBe('light');
  await expect.poll(() => lab.heatmapColours(), { timeout: 60_000 }).toBeGreaterThan(10);
  await page.screenshot({ path: 'docs/lab.png', fullPage: true });
});

test('README screenshot of a race: docs/race.png', async ({ page }) => {
  test.setTimeout(600_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  const lab = new LabPage(page);
  await lab.open({ backend: 'wasm', race: 'logits-hidden', evalEvery: 25 });
  await lab.toggle.click();
  await lab.waitForStep(200, 540_000);
  await lab.pause();
  // the step-200 evaluations finish after the pause (in the background): wait for them on the accuracy chart's axis
  const ticks = page.getByTestId('accuracy-chart').locator('.recharts-cartesian-axis-tick-value'); // steps on x, % (≤ 100) on y
  await expect
    .poll(async () => Math.max(...(await ticks.allTextContents()).map(Number)), { timeout: 120_000 })
    .toBeGreaterThanOrEqual(200);
  const ends = () =>
    // the x of each lane's last accuracy point: equal once every lane's step-200 evaluation is in
    page
      .getByTestId('accuracy-chart')
      .locator('.recharts-line path.recharts-curve')
      .evaluateAll((ps) => ps.map((p) => Number((p.getAttribute('d') ?? '').match(/(-?[\d.]+),-?[\d.]+\s*$/)?.[1])));
  await expect
    .poll(async () => ends().then((e) => e.length === 3 && e.every((x) => Math.abs(x - e[0]) < 0.5)), {
      timeout: 120_000,
    })
    .toBe(true);
  await page.screenshot({ path: 'docs/race.png', fullPage: false });
});
