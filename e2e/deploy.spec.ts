// The lab as a static host serves it (docs/deploy.md): `vite preview` sends exactly the headers of public/_headers on
// the page and its assets, the doc's nginx snippet says the same, and a page of another origin cannot frame the lab.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CSP, HEADERS } from '../vite.config';
import { expect, test } from './fixtures';

/** The `add_header Name "value" always;` lines of the ```nginx block of docs/deploy.md. */
function nginxHeaders(): Record<string, string> {
  const doc = readFileSync(new URL('../docs/deploy.md', import.meta.url), 'utf8');
  const block = /```nginx\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
  const out: Record<string, string> = {};
  for (const m of block.matchAll(/^\s*add_header\s+([A-Za-z0-9-]+)\s+"([^"]*)"\s+always;/gm)) out[m[1]] = m[2];
  return out;
}

test('vite preview sends exactly the headers of public/_headers, on the page and its assets; the meta CSP is their copy', async ({
  request,
}) => {
  expect(HEADERS['Content-Security-Policy']).toContain("frame-ancestors 'none'");
  const page = await request.get('/');
  expect(page.status()).toBe(200);
  const html = await page.text();
  // Every built file under /assets/ (E2E_OUTDIR: the build playwright.config.ts serves): scripts, workers, css, wasm.
  const assets = readdirSync(new URL(`../${process.env.E2E_OUTDIR ?? 'dist'}/assets/`, import.meta.url)).map(
    (f) => `/assets/${f}`,
  );
  expect(assets.filter((a) => /\.worker-[^/]+\.js$/.test(a)).length, 'the workers').toBeGreaterThanOrEqual(2);
  for (const url of ['/', ...assets]) {
    const r = url === '/' ? page : await request.get(url);
    expect(r.status(), url).toBe(200);
    const got = r.headers();
    for (const [name, value] of Object.entries(HEADERS)) expect(got[name.toLowerCase()], `${url} ${name}`).toBe(value);
    if (url.endsWith('.wasm')) expect(got['content-type'], url).toBe('application/wasm');
  }
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1]?.replaceAll('&#39;', "'");
  expect(meta).toBe(CSP);
  expect(meta).not.toContain('frame-ancestors'); // a browser ignores it in a meta tag
});

test("docs/deploy.md's nginx snippet sends the same headers as public/_headers", () => {
  expect(nginxHeaders()).toEqual(HEADERS);
});

test.describe('framing', () => {
  let server: Server;
  let other = '';
  test.beforeAll(async ({ baseURL }) => {
    // Another origin (another port): a page that frames the lab, and a frameable page of its own as the control.
    server = createServer((req, res) => {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      if (req.url === '/ok') res.end('<!doctype html><p id="ok">framed</p>');
      else res.end(`<!doctype html><iframe id="lab" src="${baseURL}/"></iframe><iframe id="ctl" src="/ok"></iframe>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    other = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  test.afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  test('a page of another origin cannot frame the lab (frame-ancestors), and the lab never runs there', async ({
    page,
    baseURL,
  }) => {
    const console: string[] = [];
    page.on('console', (m) => console.push(m.text()));
    const labRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(`${baseURL}/`)) labRequests.push(r.url());
    });
    const labDoc = page.waitForResponse((r) => r.url() === `${baseURL}/`);
    await page.goto(`${other}/`);
    expect((await labDoc).headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await expect(page.frameLocator('#ctl').locator('#ok')).toHaveText('framed'); // frames do load on this page
    await expect
      .poll(() => console.filter((t) => /frame-ancestors/.test(t) && t.includes("'none'")).length, { timeout: 15_000 })
      .toBeGreaterThan(0);
    const lab = page.frames().find((f) => f !== page.mainFrame() && !f.url().startsWith(other));
    expect(lab, 'the lab frame').toBeDefined();
    expect(lab!.url()).not.toBe(`${baseURL}/`); // Chromium puts its error page there
    expect(await page.frameLocator('#lab').locator('#root').count()).toBe(0);
    expect(labRequests, 'nothing but the refused document was fetched from the lab').toEqual([`${baseURL}/`]);
  });
});
