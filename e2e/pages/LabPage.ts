// Page object of the lab: every control by its data-testid, plus the typed in-page API (window.__lab, ?e2e only).
import type { LabTestApi } from '../../src/ui/testApi';
import { type Browser, expect, test, watchPage, type Locator, type Page } from '../fixtures';

export type LabState = ReturnType<LabTestApi['state']>;

export class LabPage {
  /** A lab in a fresh browser context (its own storage), opened with `query` unless `wait` is false. */
  static async newLab(
    browser: Browser,
    query: Record<string, string | number>,
    wait = true,
  ): Promise<{ page: Page; lab: LabPage }> {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const lab = new LabPage(page); // watches the page: a pageerror fails the test (e2e/fixtures.ts)
    if (wait) await lab.open(query);
    return { page, lab };
  }

  readonly badge: Locator;
  readonly toggle: Locator;
  readonly stepOnce: Locator;
  readonly reset: Locator;
  readonly counter: Locator;
  readonly lossChart: Locator;
  readonly accuracyChart: Locator;
  readonly heatmap: Locator;
  readonly banner: Locator;
  readonly banners: Locator; // each banner inside `banner` (the list), newest first
  readonly bannerDismiss: Locator; // the dismiss button of each banner
  readonly valAccuracy: Locator;
  readonly presetSelect: Locator;
  readonly packSelect: Locator;
  readonly packInput: Locator;
  readonly divergence: Locator;
  readonly temperature: Locator;

  constructor(readonly page: Page) {
    watchPage(page); // any uncaught error in the lab's page fails the test (e2e/fixtures.ts)
    const t = (id: string) => page.getByTestId(id);
    this.badge = t('backend-badge');
    this.toggle = t('train-toggle');
    this.stepOnce = t('step-once');
    this.reset = t('reset');
    this.counter = t('step-counter');
    this.lossChart = t('loss-chart');
    this.accuracyChart = t('accuracy-chart');
    this.heatmap = t('alignment-heatmap');
    this.banner = t('error-banner');
    this.banners = t('banner');
    this.bannerDismiss = t('banner-dismiss');
    this.valAccuracy = t('val-accuracy');
    this.presetSelect = t('preset-select');
    this.packSelect = t('pack-select');
    this.packInput = t('pack-input');
    this.divergence = t('divergence-select');
    this.temperature = t('temperature');
  }

  weight(name: 'ce' | 'seq' | 'kd' | 'hidden' | 'affinity' | 'attention'): Locator {
    return this.page.getByTestId(`weight-${name}`);
  }

  /** Open the lab with URL options (backend, preset, small eval settings) and wait for the default pack. */
  async open(query: Record<string, string | number>, packTimeout = 120_000): Promise<void> {
    const qs = new URLSearchParams({
      e2e: '1',
      ...Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])),
    });
    await this.page.goto(`/?${qs}`);
    await expect.poll(() => this.state().then((s) => s.pack), { timeout: packTimeout }).not.toBeNull();
  }

  /** Dismiss the banners one by one with their own buttons (newest first); each click removes exactly one. */
  async dismissAllBanners(): Promise<void> {
    for (let n = (await this.state()).banners.length; n > 0; n--) {
      await this.bannerDismiss.first().click();
      await expect.poll(() => this.state().then((s) => s.banners.length)).toBe(n - 1);
    }
    await expect(this.banner).toHaveCount(0);
  }

  state(): Promise<LabState> {
    return this.page.evaluate(() => (window as unknown as { __lab: LabTestApi }).__lab.state());
  }

  async step(): Promise<number> {
    return Number(await this.counter.textContent());
  }

  /** Wait until the step counter reaches n. */
  async waitForStep(n: number, timeout = 120_000): Promise<void> {
    await expect.poll(() => this.step(), { timeout }).toBeGreaterThanOrEqual(n);
  }

  /** The step counter holds its value for `ms` (sampled every 100 ms, failing at the first change); returns it. */
  async expectStepHolds(ms: number): Promise<number> {
    const held = await this.step();
    for (const end = Date.now() + ms; Date.now() < end;) {
      await new Promise((r) => setTimeout(r, 100));
      expect(await this.step(), `the step counter stays at ${held}`).toBe(held);
    }
    return held;
  }

  async pause(): Promise<void> {
    await this.toggle.click();
    await expect.poll(() => this.state().then((s) => s.status)).toBe('paused');
  }

  /** Simulate the tab being hidden or shown (document.hidden + visibilitychange). */
  async setHidden(hidden: boolean): Promise<void> {
    await this.page.evaluate((h) => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);
  }

  /** Is the heatmap canvas drawn with more than one colour? */
  heatmapColours(): Promise<number> {
    return this.heatmap.evaluate((cv: HTMLCanvasElement) => {
      const ctx = cv.getContext('2d')!;
      const d = ctx.getImageData(0, 0, cv.width, cv.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < d.length; i += 16) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return seen.size;
    });
  }
}

/** One lab page for a serial describe block: a new page opened on `query` before its tests (`use` receives it) and
 *  closed after them. */
export function sharedLab(
  query: Record<string, string | number>,
  use: (page: Page, lab: LabPage) => void,
  packTimeout = 240_000,
): void {
  let page: Page | undefined;
  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
    const lab = new LabPage(page); // watches the page: a pageerror fails the test (e2e/fixtures.ts)
    use(page, lab);
    await lab.open(query, packTimeout);
  });
  test.afterAll(() => page?.close());
}
