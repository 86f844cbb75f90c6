// `npm run screenshot`: the e2e config (same chromium, flags and web server), but only e2e/screenshot/*.shot.ts,
// which writes the README screenshot docs/lab.png. The e2e suite's own testMatch (*.spec.ts) never picks it up.
import { defineConfig } from '@playwright/test';
import base from './playwright.config';

export default defineConfig({
  ...base,
  testDir: 'e2e/screenshot',
  testMatch: '*.shot.ts',
  retries: 0,
});
