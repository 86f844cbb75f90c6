// `npm run screenshot`: the issue-29 screenshots in docs/screenshots/ — light and dark (1440×900), a phone (390×844)
// and a projector (1920×1080), each after a short run so that the charts and the token alignment are drawn; a lesson step.
import { expect, test } from '../fixtures';
import { LabPage } from '../pages/LabPage';

const SHOTS = [
  { name: 'light', width: 1440, height: 900, dark: false, full: true },
  { name: 'dark', width: 1440, height: 900, dark: true, full: true },
  { name: 'phone', width: 390, height: 844, dark: false, full: false },
  { name: 'projector', width: 1920, height: 1080, dark: false, full: false },
];

for (const s of SHOTS) {
  test(`screenshot: docs/screenshots/${s.name}.png`, async ({ page }) => {
    test.setTimeout(240_000);
    await page.setViewportSize({ width: s.width, height: s.height });
    const lab = new LabPage(page);
    await lab.open({ backend: 'wasm', evalEvery: 10, evalSamples: 40 });
    if (s.dark) {
      await page.getByTestId('theme-toggle').click();
      await expect.poll(() => lab.state().then((x) => x.theme)).toBe('dark');
    }
    await lab.toggle.click();
    await lab.waitForStep(40);
    await lab.pause();
    await expect.poll(() => lab.heatmapColours(), { timeout: 60_000 }).toBeGreaterThan(10);
    await expect(lab.valAccuracy).toHaveText(/%$/, { timeout: 60_000 });
    if (s.name === 'phone') await lab.lossChart.scrollIntoViewIfNeeded(); // Train (sticky) and the loss chart in one screen
    await page.screenshot({ path: `docs/screenshots/${s.name}.png`, fullPage: s.full });
  });
}

test('screenshot: docs/screenshots/lesson.png (a lesson step with its race and the study bands)', async ({ page }) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  const lab = new LabPage(page);
  await lab.open({ backend: 'wasm', evalSamples: 40, lesson: 'what-matters' });
  await expect(page.getByTestId('lesson-step')).toContainText('1 /');
  await lab.waitForStep(60);
  await expect(page.getByTestId('study-band')).toHaveCount(2);
  await page.screenshot({ path: 'docs/screenshots/lesson.png' });
});
