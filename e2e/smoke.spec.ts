// Smoke test of the served SPA: the page loads in Debian's chromium and renders its root, with no uncaught error
// (the fixture of e2e/fixtures.ts fails the test on any pageerror).
import { expect, test } from './fixtures';

test('the page loads and renders', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'LLaVADI Lab' })).toBeVisible();
});
