// Smoke test of the served SPA: the page loads in Debian's chromium and renders its root.
// The lab's own specs (training on webgpu and wasm) join this folder with the lab issue.
import { expect, test } from '@playwright/test';

test('the page loads and renders', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'LLaVADI Lab' })).toBeVisible();
  expect(errors).toEqual([]);
});
