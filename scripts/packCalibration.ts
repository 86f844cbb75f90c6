// npm run pack:calibration -- FILE… — how sure and how calibrated each pack's teacher is on its val answer rows (issue
// 27): ECE, median top-token probability, mean entropy, on every answer row (up to <eos>) and on content rows only.
import { readFileSync } from 'node:fs';
import { f16BitsToF32 } from '../src/core/pack/safetensors';
import { parsePack } from '../src/core/pack/pack';
import { calibrationReport } from './lib/packStages';

const files = process.argv.slice(2);
if (!files.length) throw new Error('usage: npm run pack:calibration -- public/packs/shapes.safetensors.gz …');
const rows: Record<string, unknown>[] = [];
for (const file of files) {
  const p = parsePack(new Uint8Array(readFileSync(file)), file);
  if (!p.tensors.teacher_logits)
    throw new Error(`${file}: dense teacher_logits needed (a top-K pack has no full distribution)`);
  const { N, A, V } = p.dims;
  const logits = f16BitsToF32(p.tensors.teacher_logits);
  const base = {
    logits,
    answerIds: p.tensors.answer_ids,
    teacherAnswerIds: p.tensors.teacher_answer_ids,
    bayesAnswerIds: p.tensors.bayes_answer_ids,
    split: p.tensors.split,
    N,
    A,
    V,
  };
  const all = calibrationReport(base);
  const content = calibrationReport({ ...base, contentOnly: true });
  const row = {
    pack: file.replace(/^.*\//, ''),
    ece: all.ece,
    medianTopProb: all.medianTopProb,
    meanEntropy: all.meanEntropy,
    rows: all.rows,
    contentEce: content.ece,
    contentMedianTopProb: content.medianTopProb,
    contentMeanEntropy: content.meanEntropy,
    contentRows: content.rows,
    vsLabels: all.vsLabels,
    vsBayes: all.vsBayes,
    bayesCeiling: p.meta.ambiguity
      ? Object.values(p.meta.ambiguity.bayesAccuracy).reduce((a, b) => a + b, 0) /
        Object.keys(p.meta.ambiguity.bayesAccuracy).length
      : null,
  };
  rows.push(row);
  const pc = (x: number) => `${(100 * x).toFixed(1)} %`;
  console.log(
    `${row.pack}: all ${all.rows} val answer rows: ECE ${pc(all.ece)}, median top p ${all.medianTopProb.toFixed(4)}, entropy ${all.meanEntropy.toFixed(3)} nats | content ${content.rows} rows (no <eos>): ECE ${pc(content.ece)}, median top p ${content.medianTopProb.toFixed(4)}, entropy ${content.meanEntropy.toFixed(3)} | exact match vs labels ${all.vsLabels.toFixed(1)} %${all.vsBayes === null ? '' : `, vs Bayes ${all.vsBayes.toFixed(1)} %`}`,
  );
}
console.log(JSON.stringify(rows));
