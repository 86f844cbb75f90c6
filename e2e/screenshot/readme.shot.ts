// `npm run screenshot`: retakes the README screenshot (docs/lab.png), the lab on wasm after 25 steps in the light
// theme at 1280×720, full page. Run only by playwright.screenshot.config.ts: the e2e suite never writes tracked files.
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
