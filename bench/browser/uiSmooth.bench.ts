// `npm run bench:ui`: the page stays smooth while a 4-lane race trains (built lab, wasm, 1440×900, every panel shown):
// main-thread long tasks (> 50 ms) over 60 s of racing, cold open → first race step, race steps/s → bench/results/ui.json
// (UI_RACE=ID another race preset, UI_OUT another file).
import { mkdirSync, writeFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';

const RACE_S = Number(process.env.UI_RACE_S ?? 60);
const RACE = process.env.UI_RACE ?? 'temperature'; // the race preset (4 lanes by default: the contract's figure)
const OUT = process.env.UI_OUT ?? 'bench/results/ui.json';

interface LabState {
  step: number;
  pack: string | null;
  lanes: { step: number }[];
  workers: { count: number; cap: number } | null;
}

/** One 4-lane race on the built lab: `workers` null = the lab's own choice (the pool's cap), else ?workers=N. */
async function measure(page: Page, workers: number | null) {
  const state = () => page.evaluate(() => (window as unknown as { __lab: { state: () => LabState } }).__lab.state());
  const t0 = Date.now();
  await page.goto(`/?backend=wasm&race=${RACE}&e2e${workers ? `&workers=${workers}` : ''}`);
  const toggle = page.getByTestId('train-toggle');
  await expect(toggle).toBeEnabled({ timeout: 120_000 });
  await toggle.click();
  await expect.poll(async () => (await state()).step, { timeout: 120_000, intervals: [20] }).toBeGreaterThanOrEqual(1);
  const coldOpenToFirstStepMs = Date.now() - t0;
  const lanes = (await state()).lanes.length;
  // every panel in view once, so each one renders while the race trains
  for (const id of ['lanes', 'loss-chart', 'accuracy-chart', 'alignment-heatmap'])
    await page.getByTestId(id).scrollIntoViewIfNeeded();
  await page.evaluate(() => window.scrollTo(0, 0));
  const s0 = (await state()).step;
  await page.evaluate(() => ((window as unknown as { __longOn: boolean }).__longOn = true));
  const start = Date.now();
  await page.waitForTimeout(RACE_S * 1000); // the measurement window
  const long = await page.evaluate(() => {
    const w = window as unknown as { __long: number[]; __longOn: boolean };
    w.__longOn = false;
    const got = w.__long;
    w.__long = [];
    return got;
  });
  const s = await state();
  const secs = (Date.now() - start) / 1000;
  await toggle.click();
  return {
    lanes,
    workers: s.workers?.count ?? 1,
    workersCap: s.workers?.cap ?? 1,
    longTasks: long.length,
    maxLongTaskMs: long.length ? Math.round(Math.max(...long)) : 0,
    coldOpenToFirstStepMs,
    raceStepsPerSec: Math.round(((s.step - s0) / secs) * 100) / 100,
    raceSeconds: Math.round(secs),
    longTaskMs: long.map((x) => Math.round(x)),
  };
}

test('the page stays smooth during a 4-lane race', async ({ page }) => {
  test.setTimeout(600_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.addInitScript(() => {
    const w = window as unknown as { __long: number[]; __longOn: boolean };
    w.__long = [];
    w.__longOn = false;
    new PerformanceObserver((list) => {
      if (w.__longOn) for (const e of list.getEntries()) w.__long.push(e.duration);
    }).observe({ type: 'longtask', buffered: false });
  });
  const chosen = await measure(page, null); // the workers the lab chose (DESIGN §6c: ui.json's `workers`)
  const single = chosen.workers > 1 && process.env.UI_SINGLE !== '0' ? await measure(page, 1) : null; // one worker beside it
  const out = {
    ...chosen,
    date: new Date().toISOString(),
    viewport: '1440x900',
    backend: 'wasm',
    race: `${RACE} (${chosen.lanes} lanes)`,
    singleWorker: single,
    conditions: process.env.BENCH_NOTE ?? null, // what else ran on the machine (BENCH_NOTE), for reading the numbers
  };
  for (const r of [chosen, ...(single ? [single] : [])])
    console.log(
      `\n${r.workers} worker(s): long tasks ${r.longTasks} (max ${r.maxLongTaskMs} ms) · cold open → first race step ${r.coldOpenToFirstStepMs} ms · ${r.raceStepsPerSec} race steps/s`,
    );
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(out, null, 2)}\n`);
});
