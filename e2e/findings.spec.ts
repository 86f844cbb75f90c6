// "What matters" end to end: one row per finding with the verdict of the shipped study JSON, a why line for those
// that do not reproduce, a finding's race button loading its conditions as lanes, and the recipe of the selected lane.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from './fixtures';
import { type LabPage, sharedLab } from './pages/LabPage';

interface ShippedStudy {
  findings: {
    id: string;
    verdict: string;
    verdicts?: { paper: { verdict: string } };
    firstStudy?: { verdict: string };
  }[];
  conditions: Record<string, { label: string }>;
}
const shapes = JSON.parse(readFileSync('study/shapes.json', 'utf8')) as ShippedStudy;
const fairShapes = JSON.parse(readFileSync('study/fair-shapes.json', 'utf8')) as {
  complete: boolean;
  findings: { id: string; verdicts: { paper: { verdict: string }; best: { verdict: string } } }[];
};

test.describe('what matters', () => {
  test.describe.configure({ mode: 'serial' });
  let page: Page;
  let lab: LabPage;

  sharedLab({ backend: 'wasm', evalEvery: 1000, evalSamples: 8 }, (p, l) => ((page = p), (lab = l)));

  test('one row per finding, each with the verdict of study/shapes.json and a why line unless the first study reproduces it', async () => {
    const rows = page.getByTestId('findings').getByTestId('finding-row');
    await expect(rows).toHaveCount(shapes.findings.length);
    for (const f of shapes.findings) {
      const row = rows.and(page.locator(`[data-finding="${f.id}"]`));
      // DESIGN §6c: study/shapes.json's verdict is the fair study's at the paper's settings, and so is the row's
      const fair = fairShapes.findings.find((x) => x.id === f.id)!;
      expect(f.verdict).toBe(fair.verdicts.paper.verdict);
      await expect(row).toHaveAttribute('data-verdict', f.verdict);
      // the why line explains the first study's verdict (its numbers)
      await expect(row.locator('.finding-why')).toHaveCount(
        (f.firstStudy?.verdict ?? f.verdict) === 'reproduces' ? 0 : 1,
      );
    }
  });

  test("each row shows the fair study's two verdicts (study/fair-shapes.json): at the paper's settings and at best", async () => {
    const rows = page.getByTestId('findings').getByTestId('finding-row');
    for (const f of fairShapes.findings) {
      const row = rows.and(page.locator(`[data-finding="${f.id}"]`));
      await expect(row).toHaveAttribute('data-verdict-paper', f.verdicts.paper.verdict);
      await expect(row).toHaveAttribute('data-verdict-best', f.verdicts.best.verdict);
      await expect(row.getByTestId('verdict-paper')).toHaveAttribute('data-verdict', f.verdicts.paper.verdict);
      await expect(row.getByTestId('verdict-best')).toHaveAttribute('data-verdict', f.verdicts.best.verdict);
    }
  });

  test('a finding race loads its conditions as lanes; the recipe follows the selected lane', async () => {
    // F3: answer positions only against all positions (online teacher), and the probe: answer + image, answer + prompt
    await page.locator('[data-finding="F3"]').getByTestId('finding-race').click();
    const lanes = page.getByTestId('lane-row');
    const ids = ['rich-fkl', 'rich-fkl-all', 'rich-fkl-img', 'rich-fkl-prompt'];
    await expect(lanes).toHaveCount(4);
    await expect(lanes.getByTestId('lane-name')).toHaveText(ids.map((id) => shapes.conditions[id].label));
    const state = await lab.state();
    expect(state.lanes.map((l) => l.config.kd.allPositions)).toEqual([false, true, true, true]);
    expect(state.lanes.slice(1).map((l) => l.config.kd.extraPositions)).toEqual(['image+prompt', 'image', 'prompt']);

    await lanes.nth(1).click();
    await expect(lanes.nth(1)).toHaveAttribute('aria-selected', 'true');
    await page.getByTestId('export-recipe').click();
    const text = page.getByTestId('recipe-text');
    await expect(text).toHaveValue(/distill_train\.py/);
    await expect(text).toHaveValue(/--align_logits_all True/);
    await expect(text).toHaveValue(/GKDConfig\(/);

    // the probe lane: the knob shows its positions, the recipe says that no flag selects them
    await lanes.nth(2).click();
    await expect(page.getByTestId('extra-positions')).toHaveValue('image');
    await expect(text).toHaveValue(/# no equivalent: answer \+ image positions only/);

    await lanes.nth(0).click();
    await expect(page.getByTestId('extra-positions')).toHaveCount(0);
    await expect(text).toHaveValue(/--align_logits True/);
    await expect(text).not.toHaveValue(/--align_logits_all/);
  });
});
