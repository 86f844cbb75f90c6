// Hostile inputs end to end (issue 31): a pack with P = 1,024 image tokens is refused by name and the shipped packs still
// load; a step that runs out of memory pauses the race once (no restart loop); clicks during start-up are kept; a knob shows the value in force.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { expect, test, type Page } from './fixtures';
import { LabPage } from './pages/LabPage';

const newLab = LabPage.newLab;

const fault = (page: Page, kind: string) =>
  page.evaluate((k) => (window as unknown as { __lab: { fault: (k: string) => void } }).__lab.fault(k), kind);

test.describe('hostile inputs', () => {
  test('a P = 1,024 pack is refused by name with a hint; the lab keeps training and the shipped packs still load', async ({
    browser,
  }) => {
    const { page, lab } = await newLab(browser, { backend: 'wasm', evalEvery: 0 });
    const t0 = Date.now();
    await lab.packInput.setInputFiles({
      name: 'p1024.safetensors.gz',
      mimeType: 'application/gzip',
      buffer: readFileSync('e2e/hostile/p1024.safetensors.gz'),
    });
    await expect
      .poll(() => lab.state().then((s) => s.banners.map((b) => `${b.title}: ${b.message}`).join('\n')), {
        timeout: 30_000,
      })
      .toMatch(
        /p1024\.safetensors\.gz: sequence length: P \+ Lp \+ A at most 256 tokens \(got 1024 \+ 5 \+ 4 = 1033\)/,
      );
    console.log(`p1024 refused in ${Date.now() - t0} ms`);
    const s = await lab.state();
    expect(s.banners.some((b) => /pool the image features to P ≤ 64/.test(b.message))).toBe(true);
    expect(s.pack).toBe('shapes.safetensors.gz'); // the lab keeps its pack
    await lab.toggle.click();
    await lab.waitForStep(3);
    await lab.toggle.click();
    await lab.packSelect.selectOption('digits');
    await expect.poll(() => lab.state().then((x) => x.pack), { timeout: 120_000 }).toBe('digits.safetensors.gz');
    await page.context().close();
  });

  test('a 4 MB gzip whose 100 MB header lists 1.69 M tensors is refused from its header length; training goes on', async ({
    browser,
  }) => {
    const { page, lab } = await newLab(browser, { backend: 'wasm', evalEvery: 0 });
    const parts: string[] = [];
    for (let i = 0; i < 1_690_000; i++) parts.push(`"t${i}":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}`);
    const json = Buffer.from(`{${parts.join(',')}}`);
    const raw = Buffer.alloc(8 + json.length);
    raw.writeUInt32LE(json.length, 0);
    json.copy(raw, 8);
    const gz = gzipSync(raw, { level: 9 });
    await lab.toggle.click();
    await lab.waitForStep(2);
    const t0 = Date.now();
    await lab.packInput.setInputFiles({ name: 'bomb-header.safetensors.gz', mimeType: 'application/gzip', buffer: gz });
    await expect
      .poll(() => lab.state().then((s) => s.banners.map((b) => b.message).join('\n')), { timeout: 30_000 })
      .toMatch(/bomb-header\.safetensors\.gz: header length: at most 16777216 bytes \(got \d+\)/);
    console.log(
      `header bomb (${gz.length} bytes gzipped, header ${json.length} bytes) refused in ${Date.now() - t0} ms`,
    );
    const s = await lab.state();
    await lab.waitForStep(s.step + 3); // still training on its pack
    expect((await lab.state()).pack).toBe('shapes.safetensors.gz');
    await page.context().close();
  });

  test('a step that runs out of memory pauses the race with a named banner, once; Train goes on', async ({
    browser,
  }) => {
    const { page, lab } = await newLab(browser, { backend: 'wasm', evalEvery: 0, batch: 8 });
    await lab.toggle.click();
    await lab.waitForStep(5);
    await fault(page, 'oom');
    await expect
      .poll(() => lab.state().then((s) => s.banners.map((b) => b.title).join('\n')), { timeout: 60_000 })
      .toMatch(/Training stopped: a step ran out of memory or trapped/);
    await expect.poll(() => lab.state().then((s) => s.recovering), { timeout: 120_000 }).toBe(false);
    const s = await lab.state();
    expect(s.status).not.toBe('running'); // paused on the new worker, not resumed into the same failure
    expect(s.banners.map((b) => b.title).join('\n')).not.toMatch(/keeps failing/);
    expect(s.banners.find((b) => /ran out of memory/.test(b.title))?.message).toMatch(/lower the batch size/);
    await lab.expectStepHolds(600);
    await lab.toggle.click();
    await lab.waitForStep(s.step + 3);
    await page.context().close();
  });

  test('after the lab gives up restarting a failing worker, choosing a shipped pack works without a reload', async ({
    browser,
  }) => {
    const { page, lab } = await newLab(browser, { backend: 'wasm', evalEvery: 0 });
    for (let i = 0; i < 4; i++) {
      await expect.poll(() => lab.state().then((s) => s.recovering), { timeout: 60_000 }).toBe(false);
      if ((await lab.state()).banners.some((b) => /keeps failing/.test(b.title))) break;
      await fault(page, 'worker-crash');
      await expect
        .poll(() => lab.state().then((s) => s.recovering || s.banners.some((b) => /keeps failing/.test(b.title))), {
          timeout: 30_000,
        })
        .toBe(true);
    }
    await expect
      .poll(() => lab.state().then((s) => s.banners.some((b) => /keeps failing/.test(b.title))), { timeout: 60_000 })
      .toBe(true);
    await lab.packSelect.selectOption('digits');
    await expect.poll(() => lab.state().then((s) => s.pack), { timeout: 120_000 }).toBe('digits.safetensors.gz');
    await lab.toggle.click();
    await lab.waitForStep(3);
    await page.context().close();
  });

  test('lane-add clicked as soon as it is enabled, while the pack loads, gives two lanes that stay', async ({
    browser,
  }) => {
    const { page, lab } = await newLab(browser, {}, false);
    await page.goto('/?e2e=1&backend=wasm&evalEvery=0');
    const add = page.getByTestId('lane-add');
    await expect(add).toBeEnabled({ timeout: 60_000 });
    const packAtClick = await lab.state().then((s) => s.pack);
    await add.click();
    await expect.poll(() => lab.state().then((s) => s.pack), { timeout: 120_000 }).not.toBeNull();
    await expect(page.getByTestId('lane-row')).toHaveCount(2);
    await page.waitForTimeout(1500);
    await expect(page.getByTestId('lane-row')).toHaveCount(2);
    console.log(`lane-add clicked while the pack was ${packAtClick === null ? 'still loading' : 'loaded'}`);
    await lab.toggle.click();
    await expect.poll(() => lab.state().then((s) => s.lanes.every((l) => l.step >= 2)), { timeout: 60_000 }).toBe(true);
    await page.context().close();
  });

  test('a refused value typed into a knob is marked, and the knob shows the value in force when left', async ({
    browser,
  }) => {
    const { page, lab } = await newLab(browser, { backend: 'wasm', evalEvery: 0 });
    const inForce = (await lab.state()).config.kd.T;
    await lab.temperature.fill('-1');
    await expect
      .poll(() => lab.state().then((s) => s.banners.map((b) => b.title).join('\n')), { timeout: 20_000 })
      .toMatch(/refused/);
    await expect.poll(() => lab.state().then((s) => s.config.kd.T)).toBe(inForce);
    await lab.temperature.blur();
    await expect(lab.temperature).toHaveValue(String(inForce));
    await lab.temperature.fill('');
    await lab.temperature.blur();
    await expect(lab.temperature).toHaveValue(String(inForce)); // a field left blank restores its value
    await page.context().close();
  });
});
