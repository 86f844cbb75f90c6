// `npm run bench:insight` (issue 29 item 6): for each of the lab's race presets, the seconds from a cold open of the
// built lab (wasm, 1440×900, the default evaluation cadence) to the step where its lanes first separate (the accuracy
// chart's separation mark, core/separation's rule) and the race steps/s → bench/results/insight.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

const RACES = (process.env.INSIGHT_RACES ?? 'ce-vs-kd,temperature,logits-hidden,labeled-vs-unlabeled').split(',');
const CAP_S = Number(process.env.INSIGHT_CAP_S ?? 150); // not separated within this many seconds of training: null
const WORKERS = process.env.INSIGHT_WORKERS ? Number(process.env.INSIGHT_WORKERS) : null; // ?workers=; null: the lab's choice
const FILE = 'bench/results/insight.json';

interface Row {
  separatedAtStep: number | null;
  secondsToSeparation: number | null; // from the cold open (page.goto) to the mark on screen
  raceStepsPerSec: number;
  lanes: number;
  secondsTrained: number;
  firstStepSeconds: number; // cold open → Train enabled and clicked
  workers: number; // the training workers the race ran on (issue 32: lanes across cores)
  date: string;
  conditions: string | null; // what else ran on the machine (BENCH_NOTE)
}

// the rows of races not run this time are kept (each carries its own date and conditions)
const races: Record<string, Row> = existsSync(FILE) ? JSON.parse(readFileSync(FILE, 'utf8')).races : {};

function write(): void {
  const out = {
    races,
    date: new Date().toISOString(),
    viewport: '1440x900',
    backend: 'wasm',
    capSeconds: CAP_S,
    evalCadence:
      'the default: every 25 steps to step 300 (a round skipped while one is pending), then every 50; 250 fixed val samples',
    conditions: process.env.BENCH_NOTE ?? null, // what else ran on the machine, for reading the numbers
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(FILE, `${JSON.stringify(out, null, 2)}\n`);
}

test.describe.configure({ mode: 'serial' });

for (const id of RACES) {
  test(`race ${id}: cold open → lanes separate`, async ({ browser }) => {
    test.setTimeout((CAP_S + 240) * 1000);
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await ctx.newPage();
    const step = () =>
      page.evaluate(() => (window as unknown as { __lab: { state: () => { step: number } } }).__lab.state().step);
    const t0 = Date.now();
    await page.goto(`/?backend=wasm&race=${id}&e2e${WORKERS ? `&workers=${WORKERS}` : ''}`);
    const toggle = page.getByTestId('train-toggle');
    await expect(toggle).toBeEnabled({ timeout: 180_000 });
    await toggle.click();
    const tTrain = Date.now();
    const s0 = await step();
    const lanes = await page.getByTestId('lane-row').count();
    const mark = page.getByTestId('separation-mark');
    let separatedAtStep: number | null = null;
    let secondsToSeparation: number | null = null;
    try {
      await expect(mark).toHaveCount(1, { timeout: CAP_S * 1000 });
      secondsToSeparation = Math.round((Date.now() - t0) / 100) / 10;
      separatedAtStep = Number(await mark.getAttribute('data-step'));
      await expect(page.getByTestId('lane-separated')).toHaveAttribute('data-step', String(separatedAtStep));
    } catch (e) {
      if ((await mark.count()) !== 0) throw e; // a mismatch between the chart and the table, not a timeout
    }
    const secs = (Date.now() - tTrain) / 1000;
    const s1 = await step();
    races[id] = {
      separatedAtStep,
      secondsToSeparation,
      raceStepsPerSec: Math.round(((s1 - s0) / secs) * 100) / 100,
      lanes,
      secondsTrained: Math.round(secs),
      firstStepSeconds: Math.round((tTrain - t0) / 100) / 10,
      workers: await page.evaluate(
        () =>
          (window as unknown as { __lab: { state: () => { workers: { count: number } | null } } }).__lab.state().workers
            ?.count ?? 1,
      ),
      date: new Date().toISOString(),
      conditions: process.env.BENCH_NOTE ?? null,
    };
    console.log(
      `${id}: ${lanes} lanes on ${races[id].workers} worker(s), separated at step ${separatedAtStep ?? '—'} after ${secondsToSeparation ?? `> ${CAP_S}`} s from the cold open; ${races[id].raceStepsPerSec} race steps/s`,
    );
    write();
    await ctx.close();
  });
}
