// Research export for sweep.py --feats: the real (stage-0, rescaled) encoder's features of the teacher's training
// data and a 3,000-sample val set, int8 per task. `npx tsx research/teacher-sweep/exportFeatures.ts OUTDIR [N]`.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed } from '../../src/core/base/rng';
import { readSafetensors } from '../../src/core/pack/safetensors';
import { generateDataset, getTaskSpec, type TaskName } from '../../src/core/scenes/index';
import { initBackend } from '../../src/model/backend';
import type { EncoderConfig } from '../../src/model/configs';
import { encodeAll } from '../../src/model/encoder';
import { loadParams, type HostParams } from '../../src/model/params';
import { loadMnistBank } from '../../scripts/lib/mnistBank';

const OUT = process.argv[2] ?? '.dev/carry/feat';
const N = Number(process.argv[3] ?? 48000);
mkdirSync(OUT, { recursive: true });
await initBackend('wasm');
for (const task of ['shapes', 'digits'] as TaskName[]) {
  const spec = getTaskSpec(task);
  const ck = `.cache/pack-${task}-1/teacher.ckpt.safetensors`;
  const f = readSafetensors(new Uint8Array(readFileSync(ck)), ck);
  const host: HostParams = {};
  for (const [k, t] of Object.entries(f.tensors))
    if (k.startsWith('p/encoder.')) host[k.slice(2)] = { shape: t.shape, data: t.data as Float32Array };
  const e: EncoderConfig = {
    height: spec.height,
    width: spec.width,
    channels: spec.channels,
    patch: spec.patchSize,
    dV: 64,
    layers: 2,
    heads: 2,
  };
  const p = loadParams(host, '', undefined, ck);
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
    const x = encodeAll(e, p, ds.images);
    const data = (await x.data()) as Float32Array;
    x.dispose();
    let mx = 0;
    for (const v of data) mx = Math.max(mx, Math.abs(v));
    const scale = mx / 127;
    const q = Int8Array.from(data, (v) => Math.round(v / scale));
    const meta = {
      n: ds.n,
      P: ds.numPatches,
      Lp: ds.promptLen,
      A: ds.answerLen,
      V: ds.vocab.length,
      families: ds.families,
      vocab: ds.vocab,
      featScale: scale,
      dV: e.dV,
    };
    writeFileSync(`${OUT}/${task}-${name}.json`, JSON.stringify(meta));
    writeFileSync(`${OUT}/${task}-${name}.feat.gz`, gzipSync(q));
    writeFileSync(`${OUT}/${task}-${name}.prm.gz`, gzipSync(Int16Array.from(ds.promptIds)));
    writeFileSync(`${OUT}/${task}-${name}.ans.gz`, gzipSync(Int16Array.from(ds.answerIds)));
    writeFileSync(`${OUT}/${task}-${name}.fam.gz`, gzipSync(ds.family));
    console.log(task, name, ds.n, 'max', mx.toFixed(3), 'tensors', tf.memory().numTensors);
  }
}
