// Faults end to end (DESIGN §6b, issue 16): a NaN step pauses the race with a banner naming step and term and the
// curves stay finite; a crashed worker and a lost WebGPU device resume from the latest checkpoint; runs are kept.
import { expect, test, type Page } from './fixtures';
import { LabPage } from './pages/LabPage';

type Fault = 'nan' | 'worker-crash' | 'device-lost';

const newLab = LabPage.newLab;

const fault = (page: Page, kind: Fault) =>
  page.evaluate((k) => (window as unknown as { __lab: { fault: (k: Fault) => void } }).__lab.fault(k), kind);

test.describe('faults', () => {
  test('a NaN step pauses the race; the banner names the step and the term; the curves stay finite', async ({
    browser,
  }) => {
    const { page, lab } = await newLab(browser, { backend: 'wasm', evalEvery: 0 });
    await lab.toggle.click();
    await lab.waitForStep(5);
    await fault(page, 'nan');
    await expect.poll(() => lab.state().then((s) => s.status), { timeout: 30_000 }).toBe('paused');
    const s = await lab.state();
    expect(s.banner).toMatch(/non-finite/);
    const m = /step (\d+): term.* KD.*went non-finite; the update was skipped \(lr [\d.e-]+, T [\d.]+, weights /.exec(
      s.banner ?? '',
    );
    expect(m, s.banner ?? '').not.toBeNull();
    expect(s.banner).toMatch(/Values: .*kd = NaN/);
    expect(s.losses.every((x) => Number.isFinite(x))).toBe(true); // the bad values went to the banner, not the curves
    expect(s.losses.length).toBe(s.step - 1); // every step but the bad one is in the curve
    await lab.expectStepHolds(600); // it stays paused
    await lab.toggle.click(); // and trains on when the person presses play
    await lab.waitForStep(s.step + 3);
    expect((await lab.state()).losses.every((x) => Number.isFinite(x))).toBe(true);
    await page.context().close();
  });

  test('a crashed worker is replaced; every lane resumes from its checkpoint, runs and curves kept', async ({
    browser,
  }) => {
    const small = { optim: { batchSize: 8 } }; // quicker steps: the first checkpoint (step 100) in seconds
    const lanes = JSON.stringify([
      { name: 'A', cfg: small },
      { name: 'B', cfg: small },
    ]);
    // one worker (a pool's crash of one worker is e2e/workers.spec.ts): the whole race restarts
    const { page, lab } = await newLab(browser, { backend: 'wasm', evalEvery: 50, evalSamples: 24, lanes, workers: 1 });
    await expect(page.getByTestId('lane-row')).toHaveCount(2);
    await lab.toggle.click();
    await lab.waitForStep(130); // past the first checkpoint (every 100 steps)
    const before = await lab.state();
    await fault(page, 'worker-crash');
    await expect
      .poll(() => lab.state().then((s) => s.banner ?? ''), { timeout: 60_000 })
      .toMatch(/resumed all 2 lanes from the checkpoint at step (\d+)/);
    const after = await lab.state();
    const resumedAt = Number(/checkpoint at step (\d+)/.exec(after.banner!)![1]);
    const crashedAt = Number(/race step (\d+)/.exec(after.banner!)![1]);
    console.log(
      `worker-crash: crashed at race step ${crashedAt}, resumed at ${resumedAt}: ${crashedAt - resumedAt} steps lost`,
    );
    expect(resumedAt).toBeGreaterThanOrEqual(100);
    expect(crashedAt - resumedAt).toBeLessThanOrEqual(200);
    expect(crashedAt).toBeGreaterThanOrEqual(before.step);
    // the same runs go on (same ids), with their curves up to the checkpoint, and train past the crash
    expect(after.lanes.map((l) => l.runId)).toEqual(before.lanes.map((l) => l.runId));
    for (const [i, l] of after.lanes.entries())
      expect(l.losses.slice(0, resumedAt)).toEqual(before.lanes[i].losses.slice(0, resumedAt));
    await lab.waitForStep(crashedAt + 10);
    const later = await lab.state();
    expect(later.status).toBe('running');
    expect(later.lanes[0].losses).toEqual(later.lanes[1].losses); // still one config, bit for bit
    expect(later.lanes[0].losses.length).toBeGreaterThanOrEqual(crashedAt + 10);
    // the steps replayed after the checkpoint give the losses they gave before the crash (data cursor and RNGs restored)
    expect(later.lanes[0].losses.slice(0, before.lanes[0].losses.length)).toEqual(before.lanes[0].losses);
    await page.context().close();
  });

  test('a lost WebGPU device continues on the next backend from the checkpoint; the badge says why', async ({
    browser,
  }) => {
    test.setTimeout(300_000);
    const { page, lab } = await newLab(browser, {
      backend: 'webgpu',
      evalEvery: 0,
      cfg: JSON.stringify({ optim: { batchSize: 8 } }),
    });
    expect((await lab.state()).backend).toBe('webgpu');
    for (let i = 1; i <= 2; i++) {
      await lab.stepOnce.click();
      await lab.waitForStep(i);
    }
    await lab.toggle.click(); // play, then pause: a pause checkpoints every lane
    await lab.waitForStep(3);
    await lab.pause();
    const paused = await lab.state();
    await fault(page, 'device-lost');
    await expect.poll(() => lab.state().then((s) => s.backend), { timeout: 120_000 }).toBe('webgl');
    await expect(page.getByTestId('backend-changed')).toContainText(/webgpu device was lost.*continued on webgl/);
    await expect.poll(() => lab.state().then((s) => s.recovering), { timeout: 120_000 }).toBe(false);
    const after = await lab.state();
    console.log(`device-lost: paused at step ${paused.step}, resumed at ${after.step} on ${after.backend}`);
    expect(after.step).toBe(paused.step); // nothing lost: the pause's checkpoint
    expect(after.live?.id).toBe(paused.live?.id);
    await lab.stepOnce.click();
    await lab.waitForStep(paused.step + 1);
    expect((await lab.state()).losses.length).toBe(paused.step + 1);
    await page.context().close();
  });
});
