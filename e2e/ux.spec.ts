// The newcomer's details (issue 29 items 4 and 5): Space from a numeric knob, no sideways scroll on a phone, weight-0
// terms kept out of the legend, "—" before the first evaluation, the explainer, the glossary, "Race these conditions".
import { expect, test, type Page } from './fixtures';
import { LabPage } from './pages/LabPage';

const QUERY = { backend: 'wasm', evalEvery: 25, evalSamples: 40 };

async function openLab(page: Page, query: Record<string, string | number> = QUERY): Promise<LabPage> {
  const lab = new LabPage(page);
  await lab.open(query);
  return lab;
}

const status = (lab: LabPage) => lab.state().then((s) => s.status);

test('Space with a focused numeric knob toggles training and never blanks the knob; a blank knob restores its value', async ({
  page,
}) => {
  const lab = await openLab(page, { ...QUERY, evalEvery: 0 });
  const ce = lab.weight('ce');
  await ce.click();
  await expect(ce).toBeFocused();
  await page.keyboard.press('Space');
  await expect.poll(() => status(lab)).toBe('running');
  await expect(ce).toHaveValue('1');
  await lab.waitForStep(2);
  await page.keyboard.press('Space');
  await expect.poll(() => status(lab)).toBe('paused');
  await expect(ce).toHaveValue('1');
  await expect(ce).toBeFocused();
  expect((await lab.state()).config.weights.ce).toBe(1);
  // a menu and a slider take Space as the training toggle too
  await lab.divergence.focus();
  await page.keyboard.press('Space');
  await expect.poll(() => status(lab)).toBe('running');
  await page.keyboard.press('Space');
  await expect.poll(() => status(lab)).toBe('paused');
  // a numeric field left blank shows the value in force again
  await ce.fill('');
  await ce.blur();
  await expect(ce).toHaveValue('1');
});

test('a phone (390×844): no sideways scroll, even with the longest race and preset; Train stays in view beside the loss chart', async ({
  page,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const lab = await openLab(page, { ...QUERY, race: 'finding-F3' });
  const scrollWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
  expect(await scrollWidth()).toBeLessThanOrEqual(390);
  await lab.presetSelect.selectOption({ index: 1 }); // its two lines on what the paper found wrap too
  expect(await scrollWidth()).toBeLessThanOrEqual(390);
  await expect(lab.toggle).toBeInViewport();
  await page.evaluate(() => window.scrollTo(0, 0));
  // Train and the whole loss chart on the first screen, before any scrolling
  const first = await lab.lossChart.boundingBox();
  expect(first!.y + first!.height).toBeLessThanOrEqual(844);
  await lab.lossChart.scrollIntoViewIfNeeded();
  await expect(lab.lossChart).toBeInViewport();
  await expect(lab.toggle).toBeInViewport({ ratio: 1 });
  const [t, l] = [await lab.toggle.boundingBox(), await lab.lossChart.boundingBox()];
  expect(t!.y + t!.height).toBeLessThanOrEqual(l!.y + 1); // the sticky run bar does not cover the chart's top
  expect(await scrollWidth()).toBeLessThanOrEqual(390);
});

test('terms at weight 0 stay out of the loss legend until "show all terms"; the charts have axis titles', async ({
  page,
}) => {
  const lab = await openLab(page);
  const w = (await lab.state()).config.weights;
  expect([w.kd, w.hidden]).toEqual([0, 0]);
  const legend = lab.lossChart.locator('.recharts-legend-item-text');
  await expect(legend.filter({ hasText: /^train ce$/ })).toHaveCount(1);
  await expect(legend.filter({ hasText: /^train total$/ })).toHaveCount(1);
  for (const name of ['train kd', 'val kd', 'train hidden', 'train affinity', 'train attention'])
    await expect(legend.filter({ hasText: new RegExp(`^${name}$`) })).toHaveCount(0);
  await page.getByTestId('show-all-terms').check();
  await expect(legend.filter({ hasText: /^train kd$/ })).toHaveCount(1);
  await expect(legend.filter({ hasText: /^val kd$/ })).toHaveCount(1);
  await page.getByTestId('show-all-terms').uncheck();
  await expect(legend.filter({ hasText: /^train kd$/ })).toHaveCount(0);
  // a weight > 0 brings its term back without the toggle
  await lab.weight('kd').fill('1');
  await expect(legend.filter({ hasText: /^train kd$/ })).toHaveCount(1);
  // axis titles with units
  await expect(lab.lossChart.locator('.recharts-label', { hasText: 'training step' })).toHaveCount(1);
  await expect(lab.lossChart.locator('.recharts-label', { hasText: /loss/ })).toHaveCount(1);
  await expect(lab.accuracyChart.locator('.recharts-label', { hasText: 'val exact match (%)' })).toHaveCount(1);
});

test('"—" instead of 0.0 % until the first evaluation after training began', async ({ page }) => {
  const lab = await openLab(page);
  await expect(lab.valAccuracy).toHaveText('—');
  await expect(page.getByTestId('lane-val')).toHaveText('—');
  await lab.toggle.click();
  await lab.waitForStep(26);
  await lab.pause();
  await expect(lab.valAccuracy).toHaveText(/^\d+\.\d%$/, { timeout: 60_000 });
  await expect(page.getByTestId('lane-val')).toHaveText(/^\d+\.\d%$/);
});

test('the explainer folds away, stays folded after a reload and comes back from "?"; the top links lead to What matters and Start here', async ({
  page,
}) => {
  const lab = await openLab(page);
  const explainer = page.getByTestId('explainer');
  await expect(explainer).toBeVisible();
  await expect(explainer).toContainText('teacher');
  await expect(explainer).toContainText('cached outputs');
  await page.getByTestId('explainer-fold').click();
  await expect(explainer).toHaveCount(0);
  await page.reload();
  await expect.poll(() => lab.state().then((s) => s.pack), { timeout: 120_000 }).not.toBeNull();
  await expect(explainer).toHaveCount(0);
  await page.getByTestId('explainer-open').click();
  await expect(explainer).toBeVisible();
  await expect(page.getByTestId('explainer-open')).toHaveCount(0);

  await page.getByTestId('goto-findings').click();
  await expect(page.getByTestId('findings')).toBeInViewport();

  // "Start here" goes once a run exists, and comes back from the top
  await expect(page.getByTestId('first-visit-hint')).toBeVisible();
  await lab.stepOnce.click();
  await expect(page.getByTestId('first-visit-hint')).toHaveCount(0);
  await page.getByTestId('start-here').click();
  await expect(page.getByTestId('first-visit-hint')).toBeVisible();
  await expect(page.getByTestId('first-visit-hint')).toBeInViewport();
});

test("the glossary opens at a knob's entry from its label, by mouse and by keyboard", async ({ page }) => {
  await openLab(page);
  const glossary = page.getByTestId('glossary');
  await expect(glossary).toBeHidden();
  await page.getByTestId('glossary-link-kd').click();
  await expect(glossary).toBeVisible();
  await expect(glossary.locator('[data-term="kd"]')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(glossary).toBeHidden();
  await page.getByTestId('glossary-link-T').focus();
  await page.keyboard.press('Enter');
  await expect(glossary.locator('[data-term="T"]')).toBeFocused();
  await expect(glossary.locator('[data-term="T"]')).toBeInViewport();
  await page.getByTestId('glossary-close').click();
  await expect(glossary).toBeHidden();
  const terms = await glossary
    .getByTestId('glossary-entry')
    .evaluateAll((es) => es.map((e) => e.getAttribute('data-term')));
  for (const t of [
    'ce',
    'seq',
    'kd',
    'T',
    't2',
    'hidden',
    'affinity',
    'attention',
    'topk',
    'onpolicy',
    'datarich',
    'labeled',
    'teacher',
    'student',
    'cached',
  ])
    expect(terms).toContain(t);
  // every weight knob has its "?"
  for (const k of ['ce', 'seq', 'kd', 'hidden', 'affinity', 'attention'])
    await expect(page.getByTestId(`glossary-link-${k}`).first()).toBeVisible();
});

test('"Race these conditions" names the race, starts it and brings the lanes into view', async ({ page }) => {
  const lab = await openLab(page);
  await page.locator('[data-finding="F1"]').getByTestId('finding-race').click();
  await expect(page.getByTestId('race-select')).toHaveValue('finding-F1');
  await expect.poll(() => page.getByTestId('lane-row').count()).toBeGreaterThan(1); // the finding's conditions
  await expect.poll(() => status(lab)).toBe('running');
  await expect(page.getByTestId('lanes')).toBeInViewport();
  await expect
    .poll(() => lab.state().then((s) => Math.min(...s.lanes.map((l) => l.step))), { timeout: 120_000 })
    .toBeGreaterThanOrEqual(2);
  await lab.pause();
});

test('details: the token alignment fits 1,440 and 1,024 px windows; no favicon 404; the recipe says what to scale', async ({
  page,
}) => {
  const failed: string[] = [];
  page.on('response', (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`));
  await page.setViewportSize({ width: 1440, height: 900 });
  const lab = await openLab(page);
  await page.getByRole('slider', { name: /tokens shown/ }).fill('16'); // the widest heatmap
  const fits = () =>
    lab.heatmap.evaluate((cv) => {
      const box = cv.closest('.heatbox')!.getBoundingClientRect();
      const r = cv.getBoundingClientRect();
      return r.right <= box.right + 1 && r.width > 100;
    });
  await expect.poll(fits).toBe(true);
  await page.setViewportSize({ width: 1024, height: 768 });
  await expect.poll(fits).toBe(true);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
  await page.getByTestId('export-recipe').click();
  const text = page.getByTestId('recipe-text');
  await expect(text).toHaveValue(/What to scale/);
  await expect(text).toHaveValue(/8 processes × 32 per device = 256 per step/);
  await expect(page.getByTestId('recipe-scale')).toContainText('256');
  expect(await text.evaluate((t) => getComputedStyle(t).wordBreak)).toBe('normal');
  const icon = await page.evaluate(() => fetch('/favicon.ico').then((r) => r.status));
  expect(icon).toBe(200);
  expect(failed).toEqual([]);
});

test('the projector scale: on at 1,920 px, from the toggle elsewhere; chart labels ≥ 12 px', async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await openLab(page);
  const scale = () => page.evaluate(() => document.documentElement.dataset.scale);
  await expect.poll(scale).toBe('projector');
  const minLabelPx = () =>
    page.evaluate(() => {
      const zoom = Number(getComputedStyle(document.querySelector('.lab')!).zoom) || 1;
      const sel =
        '.recharts-cartesian-axis-tick-value, .recharts-legend-item-text, [data-testid=findings] .finding-chart span';
      const sizes = [...document.querySelectorAll(sel)]
        .filter((e) => e.textContent?.trim())
        .map((e) => parseFloat(getComputedStyle(e).fontSize) * zoom);
      return Math.min(...sizes);
    });
  expect(await minLabelPx()).toBeGreaterThanOrEqual(14);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1920);
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect.poll(scale).toBe('normal');
  expect(await minLabelPx()).toBeGreaterThanOrEqual(12);
  const toggle = page.getByTestId('projector-toggle');
  await toggle.click(); // auto → on
  await expect.poll(scale).toBe('projector');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
});
