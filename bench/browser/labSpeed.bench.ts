// The lab's own training speed in headless Chromium: its steps/s figure (the metrics deltas' rate) on each backend
// asked for, sampled each second after a warm-up, median printed and written to bench/results/lab.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

const BACKENDS = (process.env.LAB_BACKENDS ?? 'wasm').split(',');
const WARMUP_S = Number(process.env.LAB_WARMUP_S ?? 15);
const SAMPLE_S = Number(process.env.LAB_SAMPLE_S ?? 30);

interface LabState {
  step: number;
  pack: string | null;
  backend: string | null;
  stepsPerSec: number;
}

test('lab steps/s', async ({ page }) => {
  const rows: {
    backend: string;
    active: string | null;
    stepsPerSecMedian: number;
    samples: number[];
    steps: number;
  }[] = [];
  for (const backend of BACKENDS) {
    await page.goto(`/?backend=${backend}&e2e`);
    const state = () => page.evaluate(() => (window as unknown as { __lab: { state: () => LabState } }).__lab.state());
    await expect.poll(async () => (await state()).pack, { timeout: 120_000 }).not.toBeNull();
    await page.getByTestId('train-toggle').click();
    await page.waitForTimeout(WARMUP_S * 1000); // a measurement window, not a wait for a state
    const samples: number[] = [];
    for (let i = 0; i < SAMPLE_S; i++) {
      await page.waitForTimeout(1000);
      samples.push((await state()).stepsPerSec);
    }
    const s = await state();
    await page.getByTestId('train-toggle').click();
    const sorted = samples.slice().sort((a, b) => a - b);
    rows.push({
      backend,
      active: s.backend,
      stepsPerSecMedian: Math.round(sorted[sorted.length >> 1] * 100) / 100,
      samples,
      steps: s.step,
    });
  }
  console.log(`\n${'asked'.padEnd(8)}${'active'.padEnd(8)}${'steps/s'.padStart(9)}${'steps'.padStart(8)}`);
  for (const r of rows)
    console.log(
      `${r.backend.padEnd(8)}${String(r.active).padEnd(8)}${String(r.stepsPerSecMedian).padStart(9)}${String(r.steps).padStart(8)}`,
    );
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/lab.json',
    `${JSON.stringify({ date: new Date().toISOString(), warmupS: WARMUP_S, sampleS: SAMPLE_S, rows }, null, 2)}\n`,
  );
});
