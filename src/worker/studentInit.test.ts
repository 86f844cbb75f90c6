// student init (issue 27, DESIGN §4c): with 'pretrained' a fresh student starts from the pack's student_init.* weights;
// a pack without them, or with them made for another student config, is refused by name; 'scratch' is today's init.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeConfig } from '../core/config/config';
import { buildPackBytes, packToInput, type Pack, parsePack } from '../core/pack/pack';
import { Rng } from '../core/base/rng';
import { labPackBytes } from './testing/labPack';
import { initBackend } from '../model/backend';
import { initLlava } from '../model/llava';
import { disposeParams, exportParams } from '../model/params';
import { buildStudentRun, type StudentRun } from '../model/studentRun';
import { tinyConfig } from '../model/testing/tiny';

let plain: Pack;
let withInit: Pack;
let wrongInit: Pack;
let want: Record<string, { shape: number[]; data: Float32Array }>;
const runs: StudentRun[] = [];
const cfg = (init: 'scratch' | 'pretrained') =>
  mergeConfig(tinyConfig({ optim: { batchSize: 4 } }), { studentInit: init });

async function packWithInit(p: Pack, over: Record<string, unknown> = {}): Promise<Pack> {
  const probe = buildStudentRun(p, cfg('scratch'));
  const model = probe.model;
  probe.dispose();
  const student = initLlava(model, new Rng(99));
  const host = await exportParams(student, 'student_init.');
  disposeParams(student);
  const input = packToInput(p);
  for (const [k, w] of Object.entries(host)) input.tensors[k] = { dtype: 'F32', shape: w.shape, data: w.data };
  input.meta = {
    ...input.meta,
    studentInit: { config: { ...model, ...over }, objective: 'next-token', steps: 0, corpus: 'test' },
  };
  return parsePack(buildPackBytes(input), 'with-init');
}

beforeAll(async () => {
  await initBackend('cpu');
  plain = parsePack(await labPackBytes({ n: 24 }), 'plain');
  withInit = await packWithInit(plain);
  wrongInit = await packWithInit(plain, { d: 999 });
  want = Object.fromEntries(
    Object.entries(withInit.weights)
      .filter(([k]) => k.startsWith('student_init.'))
      .map(([k, v]) => [k.slice('student_init.'.length), v]),
  );
});
afterAll(() => runs.forEach((r) => r.dispose()));

describe('student init', () => {
  it("'pretrained' starts from the pack's student_init.* weights; 'scratch' does not", async () => {
    const r = buildStudentRun(withInit, cfg('pretrained'));
    runs.push(r);
    const got = await exportParams(r.trainer.params);
    for (const [k, w] of Object.entries(want)) expect(Array.from(got[k].data), k).toEqual(Array.from(w.data));
    const s = buildStudentRun(withInit, cfg('scratch'));
    runs.push(s);
    const k0 = Object.keys(want).find((k) => k.startsWith('lm.') && want[k].data.some((x) => x !== 0))!; // not a zero-initialised bias
    expect(Array.from((await exportParams(s.trainer.params))[k0].data)).not.toEqual(Array.from(want[k0].data));
  });
  it('a pack without a pretrained student is refused by name', () => {
    expect(() => buildStudentRun(plain, cfg('pretrained'))).toThrow(
      /studentInit: expected 'scratch': this pack ships no pretrained student/,
    );
  });
  it('a student_init made for another student config is refused by name', () => {
    expect(() => buildStudentRun(wrongInit, cfg('pretrained'))).toThrow(/metadata\.student_init\.config\.d = 999/);
  });
});
