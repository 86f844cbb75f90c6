// The e2e suite's one `test`: every spec imports it from here. It fails a test on any uncaught error in a page
// (`pageerror`): pages of the test's own context are watched as they open, and pages a spec makes itself (in a
// beforeAll, or from `browser.newContext()`) are watched by LabPage (or `watchPage`). An error is reported by the
// first test that ends after it, so one thrown while a beforeAll opened the lab fails that block's first test.
import { test as base, expect, type Page } from '@playwright/test';

const watched = new WeakSet<Page>();
let pending: string[] = [];

/** Collect this page's uncaught errors; the running (or next) test fails on them. */
export function watchPage(page: Page): Page {
  if (watched.has(page)) return page;
  watched.add(page);
  page.on('pageerror', (e) => {
    console.log(`[pageerror] ${e.message}`);
    pending.push(`${page.url()}: ${e.stack ?? e.message}`);
  });
  return page;
}

export const test = base.extend<{ failOnPageError: void }>({
  context: async ({ context }, use) => {
    for (const p of context.pages()) watchPage(p);
    context.on('page', watchPage);
    await use(context);
  },
  failOnPageError: [
    async ({}, use) => {
      await use();
      const errors = pending;
      pending = [];
      expect(errors, 'uncaught errors in the page (pageerror)').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
export type { Browser, Locator, Page } from '@playwright/test';
