// Export the golden tiny run (src/model/testing/golden.ts) for the PyTorch mirror scripts/golden/mirror.py: initial
// weights + the five steps' inputs as safetensors (our own writer), config and tfjs numbers as metadata.
// Usage: npx tsx scripts/goldenExport.ts [--out .cache/golden/golden-tiny.safetensors] [--backend cpu|wasm]
// (`npm run golden` runs this, then the mirror, which writes src/model/testing/golden-tiny.json.)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSafetensors } from '../src/core/safetensors';
import { initBackend } from '../src/model/backend';
import { GOLDEN_ENC, GOLDEN_FORMAT, GOLDEN_MODEL, GOLDEN_STEPS, goldenConfig, goldenRun } from '../src/model/testing/golden';

const { values } = parseArgs({
  options: { out: { type: 'string', default: '.cache/golden/golden-tiny.safetensors' }, backend: { type: 'string', default: 'cpu' } },
});
const backend = values.backend === 'wasm' ? 'wasm' : 'cpu';
await initBackend(backend);
const run = await goldenRun();
// Metadata values are strings (JSON where structured), as in a pack (DESIGN §4).
const tfjs = run.steps.map((s) => ({ step: s.step, lr: s.lr, total: s.total, ce: s.ce, kd: s.kd, gradNorm: s.gradNorm }));
const metadata: Record<string, string> = {
  format: GOLDEN_FORMAT,
  version: '1',
  steps: String(GOLDEN_STEPS),
  model: JSON.stringify(GOLDEN_MODEL),
  encoder: JSON.stringify(GOLDEN_ENC),
  config: JSON.stringify(goldenConfig()),
  backend: run.backend,
  tfjs: JSON.stringify(tfjs),
};
const bytes = writeSafetensors(run.tensors, metadata);
mkdirSync(dirname(values.out!), { recursive: true });
writeFileSync(values.out!, bytes);
console.log(`goldenExport: wrote ${values.out} (${bytes.length} bytes, ${Object.keys(run.tensors).length} tensors) on ${run.backend}`);
for (const s of tfjs) console.log(`  step ${s.step}: lr ${s.lr.toExponential(4)} total ${s.total.toFixed(7)} ce ${s.ce.toFixed(7)} kd ${s.kd.toFixed(7)} |g| ${s.gradNorm.toFixed(7)}`);
