// The built lab's browser security (issue 16 item 7): served with the headers of public/_headers (docs/deploy.md), every
// request it makes (page and worker) is same-origin and answered under that policy, and it trains on wasm without one CSP violation.
import { CSP, HEADERS } from '../vite.config';
import { expect, test } from './fixtures';
import { LabPage } from './pages/LabPage';

test('CSP in force, same-origin requests only, no violation while training on wasm', async ({ page, baseURL }) => {
  test.setTimeout(300_000);
  const origin = new URL(baseURL!).origin;
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const unguarded: string[] = []; // same-origin responses without the policy header (the worker's script included)
  page.on('response', (r) => {
    if (
      r.url().startsWith(`${origin}/`) &&
      r.headers()['content-security-policy'] !== HEADERS['Content-Security-Policy']
    )
      unguarded.push(r.url());
  });
  const cspConsole: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) cspConsole.push(m.text());
  });
  // Violations raised in the document (the worker's reach the console above, which Chromium forwards).
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const lab = new LabPage(page);
  await lab.open({ backend: 'wasm', evalEvery: 1000, evalSamples: 8, batch: 8 }, 240_000);

  const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(meta).toBe(CSP); // public/_headers' policy less frame-ancestors (a meta tag cannot carry it)
  expect(meta).toContain("script-src 'self' 'wasm-unsafe-eval'");
  for (const d of ["connect-src 'self'", "object-src 'none'", "base-uri 'none'"]) expect(meta).toContain(d);
  expect(meta).not.toMatch(/'unsafe-inline'|'unsafe-eval'/);
  const header = (await page.request.get('/')).headers()['content-security-policy'];
  expect(header).toBe(HEADERS['Content-Security-Policy']);
  expect(header).toContain("frame-ancestors 'none'");
  expect(await page.locator('script:not([src])').count(), 'no inline script in the built page').toBe(0);

  await lab.toggle.click();
  await lab.waitForStep(3, 240_000);
  await lab.pause();
  await expect(lab.badge).toContainText('wasm');
  expect((await lab.state()).losses.every((x: number) => Number.isFinite(x))).toBe(true);

  const foreign = requests.filter(
    (u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:') && !u.startsWith('blob:'),
  );
  expect(foreign, 'requests to another origin').toEqual([]);
  expect(requests.length).toBeGreaterThan(3); // the page, its scripts, the pack, the .wasm
  expect(
    requests.some((u) => /\/assets\/train\.worker-[^/]+\.js$/.test(u)),
    'the worker script was fetched',
  ).toBe(true);
  expect(unguarded, 'same-origin responses without the CSP header').toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
  expect(cspConsole).toEqual([]);
});
