// The lesson mode end to end (issue 29 item 3, DESIGN §6c): `?lesson=ID` opens it at step 1 with its race loaded and
// playing; next / back and → / ← move it, each step loading its race preset; the Lessons menu opens one; an unknown id
// is named in a banner while the lab works on.
import { LESSONS } from '../src/core/study/lessons';
import { raceById } from '../src/store/races';
import { expect, test, type Page } from './fixtures';
import { LabPage } from './pages/LabPage';

const QUERY = { backend: 'wasm', evalEvery: 10, evalSamples: 24 };
const L = LESSONS[0];
const N = L.steps.length;

async function expectRace(page: Page, lab: LabPage, race: string): Promise<void> {
  await expect(page.getByTestId('race-select')).toHaveValue(race);
  await expect(page.getByTestId('lane-row')).toHaveCount(raceById(race)?.lanes.length ?? -1);
  await expect.poll(() => lab.state().then((s) => s.raceId)).toBe(race);
}

test.describe('a lesson opened by its link', () => {
  test.describe.configure({ mode: 'serial' });
  let page: Page;
  let lab: LabPage;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
    lab = new LabPage(page);
    await lab.open({ ...QUERY, lesson: L.id });
  });
  test.afterAll(() => page?.close());

  test('?lesson=ID opens it at step 1 with its race loaded, and plays it', async () => {
    const panel = page.getByTestId('lesson');
    await expect(panel).toBeVisible();
    await expect(page.getByTestId('lesson-step')).toHaveText(`1 / ${N}`);
    await expect(panel).toContainText(L.steps[0].title);
    await expectRace(page, lab, L.steps[0].race);
    await expect.poll(() => lab.state().then((s) => s.status)).toBe('running');
    const at = await lab.step();
    await lab.waitForStep(at + 3);
    await expect(page.getByTestId('lesson-select')).toHaveValue(L.id);
    await expect(page.getByTestId('lesson-separation')).toBeVisible();
    // not separated yet (says how long the study needed) or separated (says where): the rule of core/separation.ts
    await expect(page.getByTestId('lesson-separation')).toHaveAttribute('data-state', /^(not-yet|separated)$/);
    if ((await page.getByTestId('lesson-separation').getAttribute('data-state')) === 'not-yet') {
      await expect(page.getByTestId('lesson-separation')).toContainText(`~${L.steps[0].separatesBy?.steps ?? ''}`);
    }
  });

  test('"more" shows the detailed text and the step\'s paper number beside the lab\'s verdict; the play button pauses and resumes', async () => {
    await expect(page.getByTestId('lesson-detail')).toHaveCount(0);
    await page.getByTestId('lesson-more').click();
    await expect(page.getByTestId('lesson-detail')).toHaveText(L.steps[0].detail);
    await expect(page.getByTestId('lesson-verdict')).toContainText('Paper:'); // the step's finding: paper beside lab
    await page.getByTestId('lesson-play').click();
    await expect.poll(() => lab.state().then((s) => s.status)).toBe('paused');
    await lab.expectStepHolds(500);
    await page.getByTestId('lesson-play').click();
    await expect.poll(() => lab.state().then((s) => s.status)).toBe('running');
  });

  test("next and back move one step and load each step's race", async () => {
    await page.getByTestId('lesson-next').click();
    await expect(page.getByTestId('lesson-step')).toHaveText(`2 / ${N}`);
    await expectRace(page, lab, L.steps[1].race);
    await expect.poll(() => lab.state().then((s) => s.status)).toBe('running');
    const at = await lab.step();
    await lab.waitForStep(at + 2);
    await page.getByTestId('lesson-back').click();
    await expect(page.getByTestId('lesson-step')).toHaveText(`1 / ${N}`);
    await expectRace(page, lab, L.steps[0].race);
    await expect(page.getByTestId('lesson-back')).toBeDisabled();
  });

  test('→ and ← move the lesson, but not while a number field has focus', async () => {
    await page.locator('h1').click(); // focus off the buttons
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('lesson-step')).toHaveText(`2 / ${N}`);
    await expectRace(page, lab, L.steps[1].race);
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByTestId('lesson-step')).toHaveText(`1 / ${N}`);
    await lab.weight('kd').focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForTimeout(300);
    await expect(page.getByTestId('lesson-step')).toHaveText(`1 / ${N}`);
  });

  test('the last step closes with the paper beside the lab for every finding of the lesson', async () => {
    await page.locator('h1').click();
    for (let k = 2; k <= N; k++) {
      await page.keyboard.press('ArrowRight');
      await expect(page.getByTestId('lesson-step')).toHaveText(`${k} / ${N}`);
    }
    await expectRace(page, lab, L.steps[N - 1].race);
    await expect(page.getByTestId('lesson-next')).toBeDisabled();
    const rows = page.getByTestId('lesson-summary').locator('tbody tr');
    await expect(rows).toHaveCount(new Set(L.steps.map((s) => s.findingId).filter(Boolean)).size);
    await expect(rows.first()).toContainText(L.steps[0].findingId ?? '');
    await expect(rows.first()).toContainText(/reproduces|reversed|differs|inconclusive|no study/);
    await page.keyboard.press('ArrowRight'); // stays on the last step
    await expect(page.getByTestId('lesson-step')).toHaveText(`${N} / ${N}`);
    await page.getByTestId('lesson-close').click();
    await expect(page.getByTestId('lesson')).toHaveCount(0);
  });
});

test('the Lessons menu opens a lesson at step 1 with its race', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open(QUERY);
  await expect(page.getByTestId('lesson')).toHaveCount(0);
  const second = LESSONS[1] ?? L;
  await page.getByTestId('lesson-select').selectOption(second.id);
  await expect(page.getByTestId('lesson')).toBeVisible();
  await expect(page.getByTestId('lesson-step')).toHaveText(`1 / ${second.steps.length}`);
  await expectRace(page, lab, second.steps[0].race);
  await expect.poll(() => lab.state().then((s) => s.status)).toBe('running');
  const at = await lab.step();
  await lab.waitForStep(at + 2);
});

test('an unknown ?lesson= is named in a banner; the lab works on without a lesson', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open({ ...QUERY, lesson: 'no-such-lesson' });
  await expect(lab.banner).toContainText('?lesson=no-such-lesson');
  await expect(lab.banner).toContainText(L.id);
  await expect(page.getByTestId('lesson')).toHaveCount(0);
  await lab.toggle.click();
  await lab.waitForStep(2);
});
