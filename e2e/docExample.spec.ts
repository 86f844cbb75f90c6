// The complete example of docs/pack-format.md in the browser (issue 31): its Python writes the pack
// (tools/export_pack/tests/doc_example.py runs the doc's blocks as written), the lab loads it from the file input and trains.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { LabPage } from './pages/LabPage';

const hasPython = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

test.describe('the documented example pack', () => {
  test.skip(!hasPython, 'needs python3 with numpy (sudo apt-get install -y python3 python3-numpy)');
  let dir = '';
  test.beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'doc-example-e2e-'));
    const r = spawnSync('python3', ['tools/export_pack/tests/doc_example.py', dir], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.status !== 0) throw new Error(`doc_example.py failed (exit ${r.status}): ${r.stderr}`);
  });
  test.afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const name of ['pack.safetensors.gz', 'pack-topk.safetensors']) {
    test(`${name} loads from the file input and trains`, async ({ page }) => {
      const lab = new LabPage(page);
      await lab.open({ backend: 'wasm', evalEvery: 0 });
      await lab.packInput.setInputFiles({
        name,
        mimeType: 'application/octet-stream',
        buffer: readFileSync(join(dir, name)),
      });
      await expect.poll(() => lab.state().then((s) => s.pack), { timeout: 60_000 }).toBe(name);
      expect((await lab.state()).banners.filter((b) => b.severity === 'error')).toEqual([]);
      await lab.toggle.click();
      await lab.waitForStep(3);
      expect((await lab.state()).losses.every((x) => Number.isFinite(x))).toBe(true);
    });
  }
});
