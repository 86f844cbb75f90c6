// Lanes across workers end to end (issue 32 item 1): a race on two workers gives the losses of one worker bit for bit,
// the badge says how many workers run, and a crash of one worker resumes only its lanes while the other trains on.
import { expect, test } from './fixtures';
import { LabPage } from './pages/LabPage';

const newLab = LabPage.newLab;

const small = { optim: { batchSize: 8 } }; // quick steps: the first checkpoint (step 100) in seconds
const race = JSON.stringify([
  { name: 'CE', cfg: { ...small, weights: { kd: 0 } } },
  { name: 'KD', cfg: { ...small, weights: { kd: 1 } } },
]);

test.describe('lanes across workers', () => {
  test('a race on two workers gives the losses of one worker, bit for bit; the badge says how many', async ({
    browser,
  }) => {
    test.setTimeout(300_000);
    const runs: number[][][] = [];
    for (const workers of [1, 2]) {
      const { page, lab } = await newLab(browser, { backend: 'wasm', evalEvery: 0, lanes: race, workers });
      await expect(page.getByTestId('lane-row')).toHaveCount(2);
      await expect(page.getByTestId('workers')).toHaveAttribute('data-count', String(workers));
      await expect(page.getByTestId('workers')).toContainText(workers === 1 ? '1 worker' : '2 workers');
      for (let i = 1; i <= 3; i++) {
        await lab.stepOnce.click();
        await lab.waitForStep(i);
      }
      await lab.toggle.click();
      await lab.waitForStep(20);
      await lab.pause();
      const s = await lab.state();
      const n = Math.min(...s.lanes.map((l) => l.losses.length));
      expect(n).toBeGreaterThanOrEqual(20);
      expect(Math.max(...s.lanes.map((l) => l.step)) - Math.min(...s.lanes.map((l) => l.step))).toBeLessThanOrEqual(2); // lockstep
      runs.push(s.lanes.map((l) => l.losses.slice(0, 20)));
      await page.context().close();
    }
    const [one, two] = runs;
    expect(two).toEqual(one);
    expect(one[0]).not.toEqual(one[1]); // CE and KD lanes differ: the comparison can fail
  });

  test('a crash of one worker resumes only its lanes from their checkpoint; the other lane trains on', async ({
    browser,
  }) => {
    test.setTimeout(300_000);
    const { page, lab } = await newLab(browser, {
      backend: 'wasm',
      evalEvery: 50,
      evalSamples: 24,
      lanes: race,
      workers: 2,
    });
    await expect(page.getByTestId('workers')).toHaveAttribute('data-count', '2');
    await lab.toggle.click();
    await lab.waitForStep(130); // past the first checkpoint (every 100 steps)
    const before = await lab.state();
    const [ce, kd] = before.lanes;
    await page.evaluate(
      (id) =>
        (window as unknown as { __lab: { fault: (k: string, lane: number) => void } }).__lab.fault('worker-crash', id),
      kd.id,
    );
    await expect
      .poll(() => lab.state().then((s) => s.banner ?? ''), { timeout: 60_000 })
      .toMatch(/started a new worker for KD, resumed from its checkpoint at step (\d+); the other lanes trained on/);
    const after = await lab.state();
    const resumedAt = Number(/checkpoint at step (\d+)/.exec(after.banner!)![1]);
    expect(resumedAt).toBeGreaterThanOrEqual(100);
    expect(resumedAt).toBeLessThanOrEqual(before.lanes[1].step);
    // the CE lane was never rewound: its curve keeps every step it had
    expect(after.lanes[0].losses.slice(0, ce.losses.length)).toEqual(ce.losses);
    expect(after.lanes[0].losses.length).toBeGreaterThanOrEqual(ce.losses.length);
    // the KD lane continues from its checkpoint, replaying the steps it lost with the same losses
    await expect
      .poll(() => lab.state().then((s) => s.lanes[1].losses.length), { timeout: 120_000 })
      .toBeGreaterThanOrEqual(kd.losses.length);
    const later = await lab.state();
    expect(later.lanes[1].losses.slice(0, kd.losses.length)).toEqual(kd.losses);
    expect(later.status).toBe('running');
    await expect(page.getByTestId('workers')).toHaveAttribute('data-count', '2');
    expect(later.lanes.map((l) => l.runId)).toEqual(before.lanes.map((l) => l.runId));
    await page.context().close();
  });
});
