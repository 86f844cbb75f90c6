// Export the golden tiny runs (src/model/testing/golden.ts, one per term variant) for the PyTorch mirror
// tools/golden/mirror.py: initial weights + each step's inputs as safetensors (our own writer), configs and tfjs numbers as metadata.
// Usage: npx tsx scripts/goldenExport.ts [--out .cache/golden/golden-tiny.safetensors] [--backend cpu|wasm]
// (`npm run golden` runs this, then the mirror, which writes src/model/testing/golden-tiny.json; needs .cache/venv with torch.)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { type SafeTensor, writeSafetensors } from '../src/core/pack/safetensors';
import { VALUE_NAMES } from '../src/core/kd/terms';
import { initBackend } from '../src/model/backend';
import {
  GOLDEN_ENC,
  GOLDEN_FORMAT,
  GOLDEN_MODEL,
  GOLDEN_TEACHER,
  GOLDEN_VERSION,
  goldenRun,
  goldenVariants,
} from '../src/model/testing/golden';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: '.cache/golden/golden-tiny.safetensors' },
    backend: { type: 'string', default: 'cpu' },
  },
});
const backend = values.backend === 'wasm' ? 'wasm' : 'cpu';
await initBackend(backend);
const tensors: Record<string, SafeTensor> = {};
const variants = [];
let used = '';
for (const v of goldenVariants()) {
  const run = await goldenRun(v);
  used = run.backend;
  for (const [name, t] of Object.entries(run.tensors)) tensors[`${v.name}/${name}`] = t;
  // NaN (a term not measured that step) is written as null.
  const rows = run.steps.map((s): Record<string, number | null> => ({
    step: s.step,
    lr: s.lr,
    ...Object.fromEntries(VALUE_NAMES.map((n) => [n, Number.isFinite(s[n]) ? s[n] : null])),
  }));
  variants.push({ name: v.name, steps: v.steps, targets: v.targets, teacher: v.teacher, config: v.config, tfjs: rows });
  console.log(`goldenExport: ${v.name}`);
  for (const r of rows)
    console.log(
      `  step ${r.step}: ${VALUE_NAMES.map((n) => `${n} ${r[n] === null ? '—' : (r[n] as number).toFixed(7)}`).join(' ')}`,
    );
}
// Metadata values are strings (JSON where structured), as in a pack (DESIGN §4).
const metadata: Record<string, string> = {
  format: GOLDEN_FORMAT,
  version: GOLDEN_VERSION,
  model: JSON.stringify(GOLDEN_MODEL),
  teacherModel: JSON.stringify(GOLDEN_TEACHER),
  encoder: JSON.stringify(GOLDEN_ENC),
  backend: used,
  variants: JSON.stringify(variants),
};
const bytes = writeSafetensors(tensors, metadata);
mkdirSync(dirname(values.out!), { recursive: true });
writeFileSync(values.out!, bytes);
console.log(
  `goldenExport: wrote ${values.out} (${bytes.length} bytes, ${Object.keys(tensors).length} tensors, ${variants.length} variants) on ${used}`,
);
