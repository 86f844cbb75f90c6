// Research export for the teacher-recipe sweep (sweep.py): oracle per-patch labels and token ids of the teacher's
// training data and a val set, as raw little-endian arrays. `npx tsx research/teacher-sweep/exportData.ts OUTDIR`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { deriveSeed } from '../../src/core/base/rng';
import { generateDataset, getTaskSpec, type TaskName } from '../../src/core/scenes/index';
import { patchLabels } from '../../src/core/scenes/patchLabels';
import { loadMnistBank } from '../../scripts/lib/mnistBank';

const N = Number(process.env.N ?? 192000);
const OUT = process.argv[2] ?? '.dev/carry/data';
mkdirSync(OUT, { recursive: true });
for (const task of ['shapes', 'digits'] as TaskName[]) {
  const t0 = performance.now();
  const spec = getTaskSpec(task);
  const digitBank = task === 'digits' ? loadMnistBank({ size: spec.digitSize }) : undefined;
  const tr = generateDataset({
    task,
    seed: deriveSeed(1, 'teacher-data'),
    sizes: { trainLabeled: N, trainUnlabeled: 0, val: 0, test: 0 },
    digitBank,
  });
  const va = generateDataset({
    task,
    seed: 1,
    sizes: { trainLabeled: 0, trainUnlabeled: 0, val: 3000, test: 0 },
    digitBank,
  });
  for (const [name, ds] of [
    ['train', tr],
    ['val', va],
  ] as const) {
    const lab = patchLabels(ds.scenes, spec);
    const meta = {
      n: ds.n,
      P: ds.numPatches,
      Lp: ds.promptLen,
      A: ds.answerLen,
      V: ds.vocab.length,
      families: ds.families,
      vocab: ds.vocab,
    };
    writeFileSync(`${OUT}/${task}-${name}.json`, JSON.stringify(meta));
    writeFileSync(`${OUT}/${task}-${name}.lab`, Int8Array.from(lab));
    writeFileSync(`${OUT}/${task}-${name}.prm`, Int16Array.from(ds.promptIds));
    writeFileSync(`${OUT}/${task}-${name}.ans`, Int16Array.from(ds.answerIds));
    writeFileSync(`${OUT}/${task}-${name}.fam`, ds.family);
    console.log(task, name, meta.n, meta.P, meta.Lp, meta.A, meta.V, ds.families.join(','));
  }
  console.log(task, ((performance.now() - t0) / 1000).toFixed(1), 's');
}
