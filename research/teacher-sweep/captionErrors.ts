// Which caption tokens does a pack's teacher get wrong? Val split, ground truth against the teacher's answers.
// `npx tsx research/teacher-sweep/captionErrors.ts public/packs/shapes.safetensors.gz`
import { readFileSync } from 'node:fs';
import { parsePack } from '../../src/core/pack/pack';
const file = process.argv[2];
const pk = parsePack(new Uint8Array(readFileSync(file)), file);
const t = pk.tensors as unknown as Record<string, Int32Array | Uint8Array>;
const vocab = pk.meta.vocab as string[];
const fams = pk.meta.families;
const A = pk.dims.A;
const split = t.split,
  fam = t.family,
  gt = t.answer_ids as Int32Array,
  ta = t.teacher_answer_ids as Int32Array;
const errs: Record<string, number> = {};
let n = 0,
  ok = 0;
const conf: string[] = [];
for (let i = 0; i < split.length; i++) {
  if (split[i] !== 2 || fams[fam[i]] !== 'caption') continue;
  n++;
  const g = Array.from(gt.subarray(i * A, i * A + A))
    .map((x) => vocab[x])
    .join(' ');
  const h = Array.from(ta.subarray(i * A, i * A + A))
    .map((x) => vocab[x])
    .join(' ');
  if (g === h) {
    ok++;
    continue;
  }
  for (let k = 0; k < A; k++) if (gt[i * A + k] !== ta[i * A + k]) errs[`slot${k}`] = (errs[`slot${k}`] ?? 0) + 1;
  if (conf.length < 25) conf.push(`${g}  →  ${h}`);
}
console.log(file, 'caption val', n, 'exact', ok, errs);
console.log(conf.join('\n'));
