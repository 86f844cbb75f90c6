// `npm run bench:lab`: the e2e config (same chromium, flags and web server), but only e2e/bench/*.bench.ts, which
// measure the lab in the browser and write bench/results/lab.json. The e2e suite's testMatch (*.spec.ts) skips them.
import { defineConfig } from '@playwright/test';
import base from './playwright.config';

export default defineConfig({
  ...base,
  testDir: 'e2e/bench',
  testMatch: '*.bench.ts',
  retries: 0,
  timeout: 600_000,
});
