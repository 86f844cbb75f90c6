// The lab end to end on WebGPU (SwiftShader here: few steps, generous timeouts) and on wasm: the default pack loads,
// the badge names the backend, training runs and pauses, knobs act live, presets apply, a bad pack is refused.
import { expect, test, type Page } from './fixtures';
import { LabPage, sharedLab } from './pages/LabPage';

const BACKENDS = [
  { name: 'wasm', steps: 30, query: { backend: 'wasm', evalEvery: 25, evalSamples: 40 } },
  { name: 'webgpu', steps: 6, query: { backend: 'webgpu', evalEvery: 1000, evalSamples: 8, batch: 8 } },
] as const;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

for (const b of BACKENDS) {
  test.describe(`lab on ${b.name}`, () => {
    test.describe.configure({ mode: 'serial' });
    let page: Page;
    let lab: LabPage;

    sharedLab(b.query, (p, l) => ((page = p), (lab = l)));

    test('the default pack loads and the badge names the backend', async () => {
      await expect(lab.badge).toContainText(b.name);
      expect((await lab.state()).pack).toBe('shapes.safetensors.gz');
      await expect(lab.banner).toHaveCount(0);
    });

    test('training: the step counter grows, the loss falls, pause freezes it, the heatmap is drawn', async () => {
      test.setTimeout(300_000);
      await lab.toggle.click();
      await lab.waitForStep(b.steps, 240_000);
      const sps = (await lab.state()).stepsPerSec;
      console.log(`[${b.name}] ${sps.toFixed(1)} steps/s at batch ${'batch' in b.query ? b.query.batch : 32}`);
      await lab.pause();
      await lab.expectStepHolds(1500);
      const losses = (await lab.state()).losses;
      expect(losses.length).toBeGreaterThanOrEqual(b.steps);
      const k = Math.min(3, Math.floor(losses.length / 3));
      expect(mean(losses.slice(-k))).toBeLessThan(mean(losses.slice(0, k)));
      await expect.poll(() => lab.heatmapColours(), { timeout: 60_000 }).toBeGreaterThan(10);
      await expect(lab.lossChart.locator('.recharts-line').filter({ visible: true }).first()).toBeVisible();
    });

    test('changing weight-kd mid-run changes the next reported KD contribution', async () => {
      test.setTimeout(240_000);
      await lab.weight('kd').fill('0');
      await lab.stepOnce.click();
      await expect.poll(async () => (await lab.state()).weights?.[2], { timeout: 120_000 }).toBe(0);
      expect((await lab.state()).kdContribution).toBe(0);
      await lab.weight('kd').fill('3');
      const before = await lab.step();
      await lab.stepOnce.click();
      await lab.waitForStep(before + 1);
      await expect.poll(async () => (await lab.state()).weights?.[2], { timeout: 120_000 }).toBe(3);
      const s = await lab.state();
      expect(s.kdContribution).toBeGreaterThan(0);
      expect(s.kdContribution).toBeCloseTo(3 * s.values![3], 5);
    });

    test('a malformed pack shows the banner and training still works', async () => {
      test.setTimeout(240_000);
      await lab.packInput.setInputFiles({
        name: 'broken.safetensors',
        mimeType: 'application/octet-stream',
        buffer: Buffer.from('\x10\x00\x00\x00\x00\x00\x00\x00{"oops": 1}    '),
      });
      await expect(lab.banner).toBeVisible({ timeout: 30_000 });
      await expect(lab.banner).toContainText('broken.safetensors');
      expect((await lab.state()).pack).toBe('shapes.safetensors.gz');
      const before = await lab.step();
      await lab.stepOnce.click();
      await lab.waitForStep(before + 1);
    });

    test('training pauses while the tab is hidden and resumes when shown', async () => {
      test.setTimeout(240_000);
      await lab.toggle.click();
      await expect.poll(() => lab.state().then((s) => s.status)).toBe('running');
      await lab.setHidden(true);
      await expect.poll(() => lab.state().then((s) => s.status), { timeout: 120_000 }).toBe('paused');
      await expect(page.getByTestId('run-status')).toContainText('hidden');
      const frozen = await lab.expectStepHolds(1000);
      await lab.setHidden(false);
      await lab.waitForStep(frozen + 1);
      await lab.pause();
    });
  });
}

test('?preset= applies the preset (wasm)', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open({ backend: 'wasm', preset: 'llavadi', evalSamples: 8 });
  await expect(lab.presetSelect).toHaveValue('llavadi');
  await expect(lab.weight('kd')).toHaveValue('5');
  await expect(lab.weight('hidden')).toHaveValue('5');
  const s = await lab.state();
  expect(s.config.weights).toMatchObject({ ce: 1, kd: 5, hidden: 5 });
  await lab.stepOnce.click();
  await lab.waitForStep(1);
  expect((await lab.state()).weights).toEqual([1, 0, 5, 5, 0, 0]);
  await expect(page.getByTestId('preset-found')).toContainText('50.7');
});
