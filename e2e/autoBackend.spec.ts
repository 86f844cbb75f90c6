// 'auto' in a browser without WebGPU (Chromium without --enable-unsafe-webgpu): webgl initialises first but renders
// in software (SwiftShader, ~10× slower than wasm here), so auto must pass it over, train on wasm and say why.
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, executablePath } from '../playwright.config';
import { expect, test, watchPage } from './fixtures';

test('without WebGPU, auto skips the software webgl renderer and trains on wasm', async ({ baseURL }) => {
  const browser = await chromium.launch({
    executablePath,
    args: CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu'),
  });
  try {
    const page = watchPage(await browser.newPage({ baseURL }));
    await page.goto('/?e2e');
    const state = () =>
      page.evaluate(() =>
        (
          window as unknown as { __lab: { state: () => { backend: string | null; pack: string | null } } }
        ).__lab.state(),
      );
    await expect.poll(async () => (await state()).pack, { timeout: 120_000 }).not.toBeNull();
    expect((await state()).backend).toBe('wasm');
    const badge = page.getByTestId('backend-badge');
    await expect(badge).toContainText('wasm');
    await expect(badge).toHaveAttribute('title', /skipped webgl: software renderer/i);
    await expect(badge).toHaveAttribute('title', /kernels: lab SIMD/); // the lab's wasm kernels load in the worker
    await page.getByTestId('train-toggle').click();
    await expect
      .poll(
        async () =>
          Number(
            await page
              .getByTestId('step-counter')
              .textContent()
              .then((t) => /\d+/.exec(t ?? '')?.[0] ?? 0),
          ),
        { timeout: 60_000 },
      )
      .toBeGreaterThan(3);
  } finally {
    await browser.close();
  }
});

test('with WebGPU on a software adapter, auto starts on wasm at once, measures webgpu beside it and keeps wasm', async ({
  page,
}) => {
  await page.goto('/?e2e');
  const state = () =>
    page.evaluate(() =>
      (window as unknown as { __lab: { state: () => { backend: string | null; pack: string | null } } }).__lab.state(),
    );
  await expect.poll(async () => (await state()).pack, { timeout: 120_000 }).not.toBeNull();
  expect((await state()).backend).toBe('wasm'); // no measurement before the first step
  await page.getByTestId('train-toggle').click();
  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('title', /measured ms\/step: wasm \d+, webgpu (\d+|over budget)/, {
    timeout: 90_000,
  });
  await expect(badge).toHaveAttribute('title', /kept wasm/);
  await expect
    .poll(
      async () =>
        Number(
          await page
            .getByTestId('step-counter')
            .textContent()
            .then((t) => /\d+/.exec(t ?? '')?.[0] ?? 0),
        ),
      { timeout: 60_000 },
    )
    .toBeGreaterThan(3);
  expect((await state()).backend).toBe('wasm');
});
