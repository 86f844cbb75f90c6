// The one Playwright config: Debian's /usr/bin/chromium (npx playwright install cannot download here), the flags of
// DESIGN §6, and the built lab served by `vite preview` as the web server, shared by three projects:
//   e2e         e2e/*.spec.ts, the suite (`npm run test:e2e` = `playwright test --project=e2e`)
//   bench       bench/browser/*.bench.ts, the lab measured in the browser (`npm run bench:lab`, `npm run bench:ui`)
//   screenshot  e2e/screenshot/*.shot.ts, the README screenshots (`npm run screenshot`)
// A plain `playwright test` runs all three; name the project.
import { defineConfig } from '@playwright/test';

export const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** DESIGN §6's flags; e2e/autoBackend.spec.ts launches without the first one (a browser without WebGPU). */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** E2E_PORT / E2E_OUTDIR: a second suite on the same machine (another developer's) gets its own server and build. */
const PORT = Number(process.env.E2E_PORT ?? 4173);
const OUT_DIR = process.env.E2E_OUTDIR ?? 'dist';

export default defineConfig({
  timeout: 180_000,
  expect: { timeout: 60_000 },
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'on-first-retry',
    viewport: { width: 1280, height: 720 },
    launchOptions: {
      executablePath,
      args: CHROMIUM_ARGS,
    },
  },
  projects: [
    { name: 'e2e', testDir: 'e2e', testMatch: '*.spec.ts' },
    { name: 'bench', testDir: 'bench/browser', testMatch: '*.bench.ts', retries: 0, timeout: 600_000 },
    { name: 'screenshot', testDir: 'e2e/screenshot', testMatch: '*.shot.ts', retries: 0 },
  ],
  webServer: {
    command: `npx vite build --outDir ${OUT_DIR} && npx vite preview --outDir ${OUT_DIR} --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
  },
});
