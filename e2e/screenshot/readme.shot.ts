// `npm run screenshot`: retakes the README screenshots — docs/lab.png (one lane, 25 steps, 1280×720, full page) and
// docs/race.png (a 3-lane race, 200 steps, 1440×900). Run only by playwright.screenshot.config.ts, never by e2e.
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
  await page.screenshot({ path: 'docs/race.png', fullPage: false });
});
