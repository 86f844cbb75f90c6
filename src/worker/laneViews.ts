// What the UI reads of one lane's student besides its curves: the sample view (answers, alignment heatmap, affinity
// maps on one val sample) and its weights as a safetensors file. Pure functions of the pack's run and the lane.
import { f16BitsToF32, writeSafetensors, type SafeTensor } from '../core/pack/safetensors';
import type { Tokenizer } from '../core/base/tokenizer';
import { generateAnswers } from '../model/evaluate';
import { alignmentOf, studentAffinityOf } from '../model/inspect';
import type { StudentRun } from '../model/studentRun';
import type { PackInfo, SampleView } from './protocol';
import type { WorkerLane } from './runLoopTypes';

/** The sample view and alignment heatmap data of a lane's student on val-subset sample `index`, K teacher tokens. */
export async function sampleViewOf(
  r: StudentRun,
  tok: Tokenizer,
  info: PackInfo,
  lane: WorkerLane,
  index: number,
  k: number,
): Promise<SampleView> {
  const t = lane.trainer;
  const i = Math.min(Math.max(0, index), r.evalIdx.length - 1);
  const n = r.evalIdx[i];
  const { A, Lp, P } = r.model;
  const pk = r.pack.tensors;
  r.ensureFeatures([n]);
  const al = await alignmentOf(r.model, t.params, r.features, r.data, n, t.config.kd, k, r.teacher);
  const ans = await generateAnswers(
    { config: r.model, params: t.params },
    r.encoder,
    { images: pk.images, promptIds: pk.prompt_ids },
    [n],
    {
      features: r.features,
    },
  );
  const row = (a: Int32Array) => a.subarray(n * A, (n + 1) * A);
  const kd = row(pk.kd_ids);
  const positions: string[] = [];
  for (let a = 0; a < A; a++) {
    if (kd[a] === 0) break; // <pad>
    positions.push(info.vocab[kd[a]]);
  }
  const { height: H, width: W, channels: C } = info.image;
  const S = H * W * C;
  const studentAffinity = await studentAffinityOf(r.model, t.params, r.features, r.data, n);
  const teacherAffinity = pk.teacher_affinity
    ? f16BitsToF32(pk.teacher_affinity.subarray(n * P * A, (n + 1) * P * A))
    : new Float32Array(0); // empty: the pack has none
  return {
    lane: lane.id,
    step: t.stepCount,
    index: i,
    sample: n,
    image: pk.images ? pk.images.slice(n * S, (n + 1) * S) : new Uint8Array(0), // empty: a features pack without thumbnails
    question: tok.decode(pk.prompt_ids.subarray(n * Lp, (n + 1) * Lp)),
    truth: tok.decode(row(pk.answer_ids)),
    teacherAnswer: tok.decode(row(pk.teacher_answer_ids)),
    studentAnswer: tok.decode(ans),
    family: info.families[pk.family[n]] ?? String(pk.family[n]),
    positions,
    topTokens: Array.from(al.topIds, (id) => info.vocab[id]),
    teacher: al.teacher,
    student: al.student,
    divergence: al.divergence,
    k: al.k,
    teacherAffinity,
    studentAffinity,
  };
}

/** The student's weights as a safetensors file (F32, names `student.*`) with its config and step in the metadata. */
export async function weightsFileOf(r: StudentRun, packName: string, lane: WorkerLane): Promise<Uint8Array> {
  const t = lane.trainer;
  const tensors: Record<string, SafeTensor> = {};
  for (const [k, w] of Object.entries(await t.exportModel('student.')))
    tensors[k] = { dtype: 'F32', shape: w.shape, data: w.data };
  return writeSafetensors(tensors, {
    format: 'llavadi-lab-student',
    pack: packName,
    step: String(t.stepCount),
    model: JSON.stringify(r.model),
    config: JSON.stringify(t.config),
  });
}

/** The download name of a lane's weights: a race names the lane. */
export function weightsFileName(packName: string, lane: WorkerLane, lanes: number): string {
  const which = lanes > 1 ? `-lane${lane.id}` : '';
  return `student-${packName.replace(/\.safetensors(\.gz)?$/, '')}${which}-step${lane.trainer.stepCount}.safetensors`;
}
