// One loaded pack in the worker: the student run built from it (src/model/studentRun.ts, shared with the study), and
// what the UI reads from it: pack info, val accuracy and loss, the alignment heatmap, the sample view, the weights file.
import * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../core/config';
import { type Pack, parsePack } from '../core/pack';
import { f16BitsToF32, writeSafetensors, type SafeTensor } from '../core/safetensors';
import { Tokenizer } from '../core/tokenizer';
import { backendInfo } from '../model/backend';
import { encodeAllVia } from '../model/encoder';
import { generateAnswers } from '../model/evaluate';
import { encoderConfigOf, weightsOf } from '../model/fromPack';
import { alignmentOf, divergenceGrid, studentAffinityOf, valTerms } from '../model/inspect';
import { buildStudentRun, type StudentRun } from '../model/studentRun';
import type { Trainer } from '../model/trainer';
import type { PackInfo, SampleView } from './protocol';
import type { Lane, LaneEval } from './runLoop';

/** Val samples followed by the alignment-over-training view (the first of the fixed val subset). */
export const ALIGN_SAMPLES = 8;

export class Session implements Lane {
  readonly run: StudentRun;
  readonly info: PackInfo;
  private readonly tok: Tokenizer;

  /**
   * Parse, encode and build. On a software WebGPU adapter the feature cache is computed on wasm (else cpu) and
   * uploaded: SwiftShader took 210 s over the shapes pack's 4,500 images here, wasm 2.6 s.
   */
  static async load(bytes: Uint8Array, name: string, config: TrainConfig, evalSamples: number): Promise<Session> {
    const bi = backendInfo();
    if (!(bi.name === 'webgpu' && bi.isFallbackAdapter)) return new Session(bytes, name, config, evalSamples);
    const pack = parsePack(bytes, name);
    const features = await encodeAllVia(['wasm', 'cpu'], encoderConfigOf(pack), weightsOf(pack, 'encoder.'), pack.tensors.images);
    try {
      return new Session(bytes, name, config, evalSamples, { pack, features });
    } catch (e) {
      features.dispose();
      throw e;
    }
  }

  /** Parse (unless prepared) and build; throws (PackError, config errors) before anything is kept. */
  constructor(bytes: Uint8Array, name: string, config: TrainConfig, evalSamples: number, prepared?: { pack: Pack; features: tf.Tensor3D }) {
    const pack = prepared?.pack ?? parsePack(bytes, name);
    this.run = buildStudentRun(pack, config, { name, evalSamples, features: prepared?.features });
    try {
      this.tok = new Tokenizer(pack.meta.vocab);
    } catch (e) {
      this.run.dispose();
      throw e;
    }
    const evalIdx = this.run.evalIdx;
    const enc = this.run.encoder.config;
    const n = [0, 0, 0, 0];
    for (const s of pack.tensors.split) n[s]++;
    const overall = Number(pack.extraMetadata.teacher_overall_accuracy);
    this.info = {
      name,
      bytes: bytes.length,
      families: pack.meta.families,
      vocab: pack.meta.vocab,
      counts: { trainLabeled: n[0], trainUnlabeled: n[1], val: n[2], test: n[3] },
      targets: { kind: pack.meta.targets.kind, k: pack.meta.targets.k },
      V: pack.dims.V,
      A: pack.dims.A,
      image: pack.meta.image,
      teacherAccuracy: pack.meta.teacher.accuracy,
      teacherOverall: Number.isFinite(overall) ? overall : null,
      hasTeacherWeights: this.run.teacher != null,
      evalSamples: evalIdx.length,
      alignSamples: Math.min(ALIGN_SAMPLES, evalIdx.length),
      grid: { rows: enc.height / enc.patch, cols: enc.width / enc.patch },
    };
  }

  get trainer(): Trainer {
    return this.run.trainer;
  }

  get config(): TrainConfig {
    return this.run.config;
  }

  /** A fresh student at step 0 with `config` (seed and hiddenProjDim act here). */
  reset(config: TrainConfig): void {
    this.run.reset(config);
  }

  /** Greedy exact match on the val subset, and val CE / KD on its first 64 samples (KD as the trainer computes it). */
  async evaluate(): Promise<LaneEval> {
    const r = this.run;
    const t = r.trainer;
    const ev = await r.accuracy();
    const c = t.config;
    const valLoss = await valTerms(r.model, t.params, r.features, r.data, r.evalIdx.slice(0, 64), c.kd, c.weights, r.teacher);
    const alignment = await divergenceGrid(r.model, t.params, r.features, r.data, r.evalIdx.slice(0, this.info.alignSamples), c.kd, r.teacher);
    return { overall: ev.overall, perFamily: Float32Array.from(ev.perFamily), valLoss, alignment };
  }

  /** The sample view and alignment heatmap data of val-subset sample `index`, K teacher tokens per position. */
  async sampleView(index: number, k: number): Promise<SampleView> {
    const r = this.run;
    const t = r.trainer;
    const i = Math.min(Math.max(0, index), r.evalIdx.length - 1);
    const n = r.evalIdx[i];
    const { A, Lp, P } = r.model;
    const pk = r.pack.tensors;
    const al = await alignmentOf(r.model, t.params, r.features, r.data, n, t.config.kd, k, r.teacher);
    const ans = await generateAnswers({ config: r.model, params: t.params }, r.encoder, { images: pk.images, promptIds: pk.prompt_ids }, [n], {
      features: r.features,
    });
    const row = (a: Int32Array) => a.subarray(n * A, (n + 1) * A);
    const kd = row(pk.kd_ids);
    const positions: string[] = [];
    for (let a = 0; a < A; a++) {
      if (kd[a] === 0) break; // <pad>
      positions.push(this.info.vocab[kd[a]]);
    }
    const { height: H, width: W, channels: C } = this.info.image;
    const S = H * W * C;
    const studentAffinity = await studentAffinityOf(r.model, t.params, r.features, r.data, n);
    const teacherAffinity = f16BitsToF32(pk.teacher_affinity.subarray(n * P * A, (n + 1) * P * A));
    return {
      step: t.stepCount,
      index: i,
      sample: n,
      image: pk.images.slice(n * S, (n + 1) * S),
      question: this.tok.decode(pk.prompt_ids.subarray(n * Lp, (n + 1) * Lp)),
      truth: this.tok.decode(row(pk.answer_ids)),
      teacherAnswer: this.tok.decode(row(pk.teacher_answer_ids)),
      studentAnswer: this.tok.decode(ans),
      family: this.info.families[pk.family[n]] ?? String(pk.family[n]),
      positions,
      topTokens: Array.from(al.topIds, (id) => this.info.vocab[id]),
      teacher: al.teacher,
      student: al.student,
      divergence: al.divergence,
      k: al.k,
      teacherAffinity,
      studentAffinity,
    };
  }

  /** The student's weights as a safetensors file (F32, names `student.*`) with its config and step in the metadata. */
  async weightsFile(): Promise<Uint8Array> {
    const t = this.trainer;
    const tensors: Record<string, SafeTensor> = {};
    for (const [k, w] of Object.entries(await t.exportModel('student.'))) tensors[k] = { dtype: 'F32', shape: w.shape, data: w.data };
    return writeSafetensors(tensors, {
      format: 'llavadi-lab-student',
      pack: this.info.name,
      step: String(t.stepCount),
      model: JSON.stringify(this.run.model),
      config: JSON.stringify(t.config),
    });
  }

  dispose(): void {
    this.run.dispose();
  }
}
