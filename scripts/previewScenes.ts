// Writes a PNG contact sheet of 16 generated scenes per task to /tmp (scenes-shapes.png, scenes-digits.png,
// scenes-hues.png) and prints each scene's question and answer (hues: with its probability and the Bayes answer).
// Usage: npx tsx scripts/previewScenes.ts [seed] [outDir]

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zlibSync } from 'fflate';
import { generateDataset, TASKS } from '../src/core/scenes/index';
import { loadMnistBank } from './lib/mnistBank';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Minimal PNG (8-bit RGB, filter 0, one IDAT) of pixels [h, w, 3]. */
export function encodePng(rgb: Uint8Array, w: number, h: number): Uint8Array {
  const raw = new Uint8Array(h * (w * 3 + 1));
  for (let y = 0; y < h; y++) raw.set(rgb.subarray(y * w * 3, (y + 1) * w * 3), y * (w * 3 + 1) + 1);
  const chunk = (type: string, data: Uint8Array): Uint8Array => {
    const out = new Uint8Array(12 + data.length);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, data.length);
    for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
    out.set(data, 8);
    dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, w);
  dv.setUint32(4, h);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const parts = [
    Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlibSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const png = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    png.set(p, o);
    o += p.length;
  }
  return png;
}

const seed = Number(process.argv[2] ?? 1);
const outDir = process.argv[3] ?? '/tmp';
const COLS = 4;
const SCALE = 8;
const GAP = 4;
for (const task of TASKS) {
  const ds = generateDataset({
    task,
    seed,
    sizes: { trainLabeled: 16, trainUnlabeled: 0, val: 0, test: 0 },
    digitBank: task === 'digits' ? loadMnistBank({ size: 10 }) : undefined,
  });
  const { height: H, width: W } = ds;
  const rows = Math.ceil(ds.n / COLS);
  const sw = COLS * (W * SCALE + GAP) + GAP;
  const sh = rows * (H * SCALE + GAP) + GAP;
  const sheet = new Uint8Array(sw * sh * 3).fill(128);
  for (let i = 0; i < ds.n; i++) {
    const ox = GAP + (i % COLS) * (W * SCALE + GAP);
    const oy = GAP + Math.floor(i / COLS) * (H * SCALE + GAP);
    for (let y = 0; y < H * SCALE; y++) {
      for (let x = 0; x < W * SCALE; x++) {
        const src = (i * H * W + Math.floor(y / SCALE) * W + Math.floor(x / SCALE)) * 3;
        sheet.set(ds.images.subarray(src, src + 3), ((oy + y) * sw + ox + x) * 3);
      }
    }
    const q = ds.questions[i];
    const why =
      q.bayesAnswer === undefined
        ? ''
        : `  (p ${q.answerProb!.toFixed(2)}; Bayes "${q.bayesAnswer}" p ${q.bayesProb!.toFixed(2)})`;
    console.log(`${task} #${i} [${ds.families[ds.family[i]]}] ${ds.prompts[i]}  →  ${ds.answers[i]}${why}`);
  }
  const path = join(outDir, `scenes-${task}.png`);
  writeFileSync(path, encodePng(sheet, sw, sh));
  console.log(`wrote ${path} (${sw}×${sh}, scenes in reading order, ${COLS} per row)`);
}
