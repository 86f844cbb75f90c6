// One loaded pack in the worker and the race's lanes on it: the student run built from it (src/model/studentRun.ts,
// shared with the study), one Trainer per lane, and what the UI reads: pack info, chunked val evaluation, sample views.
import * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../core/config';
import { FieldError } from '../core/errors';
import { type Pack, parsePack } from '../core/pack';
import { f16BitsToF32, writeSafetensors, type SafeTensor } from '../core/safetensors';
import { Tokenizer } from '../core/tokenizer';
import { backendInfo } from '../model/backend';
import { encodeAllVia } from '../model/encoder';
import { evaluate, generateAnswers, percents } from '../model/evaluate';
import { encoderConfigOf, weightsOf } from '../model/fromPack';
import { alignmentOf, divergenceGrid, studentAffinityOf, valTerms } from '../model/inspect';
import { disposeParams, type Params } from '../model/params';
import { buildStudentRun, checkRunCost, type StudentRun } from '../model/studentRun';
import type { Trainer } from '../model/train/trainer';
import { type LaneSpec, MAX_LANES, type PackInfo, type SampleView } from './protocol';
import type { EvalJob, Lane, LaneEval } from './runLoop';

/** Val samples followed by the alignment-over-training view (the first of the fixed val subset). */
export const ALIGN_SAMPLES = 8;
/** Val-subset samples one evaluation chunk generates (one chunk per race step while running). */
export const EVAL_CHUNK = 64;

/** One lane of the race: its id, its student, and views of it through the session it lives in. */
export class LaneRun implements Lane {
  constructor(
    readonly id: number,
    readonly session: Session,
    public trainer: Trainer,
  ) {}
  startEval(): EvalJob {
    return this.session.evalJob(this);
  }
  async evaluate(): Promise<LaneEval> {
    const job = this.startEval();
    for (;;) {
      const r = await job.next();
      if (r) return r;
    }
  }
  sampleView(index: number, k: number): Promise<SampleView> {
    return this.session.sampleView(this, index, k);
  }
}

export class Session {
  readonly run: StudentRun;
  readonly info: PackInfo;
  private readonly tok: Tokenizer;
  lanes: LaneRun[] = [];
  private passes = new Set<GenPass>(); // generation passes of evaluations in progress
  private unattached = 0; // evaluation jobs that have not yet found (or started) their pass
  /** Generation passes started (one per distinct set of weights evaluated; tests). */
  passesStarted = 0;

  /**
   * Parse, encode and build. On a software WebGPU adapter the feature cache is computed on wasm (else cpu) and
   * uploaded: SwiftShader took 210 s over the shapes pack's 4,500 images here, wasm 2.6 s.
   */
  static async load(bytes: Uint8Array, name: string, lanes: LaneSpec[], evalSamples: number): Promise<Session> {
    const bi = backendInfo();
    if (!(bi.name === 'webgpu' && bi.isFallbackAdapter)) return new Session(bytes, name, lanes, evalSamples);
    const pack = parsePack(bytes, name);
    if (!pack.tensors.images || pack.meta.features) return new Session(bytes, name, lanes, evalSamples, { pack }); // features pack: nothing to encode
    const features = await encodeAllVia(['wasm', 'cpu'], encoderConfigOf(pack, name), weightsOf(pack, 'encoder.'), pack.tensors.images);
    try {
      return new Session(bytes, name, lanes, evalSamples, { pack, features });
    } catch (e) {
      features.dispose();
      throw e;
    }
  }

  /** Parse (unless prepared) and build; throws (PackError, config errors) before anything is kept. */
  constructor(bytes: Uint8Array, name: string, lanes: LaneSpec[], evalSamples: number, prepared?: { pack: Pack; features?: tf.Tensor3D }) {
    checkLanes(lanes);
    const pack = prepared?.pack ?? parsePack(bytes, name);
    // Features on demand where the host holds the data (wasm, cpu): the cold open encodes what its first steps read.
    const lazyFeatures = tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu';
    this.run = buildStudentRun(pack, lanes[0].config, { name, evalSamples, features: prepared?.features, lazyFeatures });
    try {
      this.tok = new Tokenizer(pack.meta.vocab);
      this.setLanes(lanes);
    } catch (e) {
      this.run.dispose();
      throw e;
    }
    const evalIdx = this.run.evalIdx;
    const enc = this.run.encoder.config;
    const n = [0, 0, 0, 0];
    for (const s of pack.tensors.split) n[s]++;
    const overall = Number(pack.extraMetadata.teacher_overall_accuracy);
    const amb = pack.meta.ambiguity;
    const cal = pack.meta.teacher.calibration;
    const evalFamilyCounts = new Array<number>(pack.meta.families.length).fill(0);
    for (const k of evalIdx) evalFamilyCounts[pack.tensors.family[k]]++;
    this.info = {
      name,
      bytes: bytes.length,
      families: pack.meta.families,
      vocab: pack.meta.vocab,
      counts: { trainLabeled: n[0], trainUnlabeled: n[1], val: n[2], test: n[3] },
      targets: { kind: pack.meta.targets.kind, k: pack.meta.targets.k },
      V: pack.dims.V,
      A: pack.dims.A,
      image: pack.meta.image ?? { height: 0, width: 0, channels: 0 }, // a features pack without thumbnails: 0×0
      teacherAccuracy: pack.meta.teacher.accuracy,
      teacherOverall: Number.isFinite(overall) ? overall : null,
      hasTeacherWeights: this.run.teacher != null,
      evalSamples: evalIdx.length,
      alignSamples: Math.min(ALIGN_SAMPLES, evalIdx.length),
      grid: this.run.grid,
      evalFamilyCounts,
      bayesAccuracy: amb ? { ...amb.bayesAccuracy } : null,
      annotator: amb ? amb.annotator : null,
      hasBayesAnswers: pack.tensors.bayes_answer_ids !== undefined,
      hasStudentInit: pack.meta.studentInit !== undefined,
      teacherCalibration: cal ? { ece: cal.ece, medianTopProb: cal.medianTopProb, meanEntropy: cal.meanEntropy } : null,
    };
  }

  /** The lane with this id (a FieldError naming `lane` when there is none). */
  lane(id: number): LaneRun {
    const l = this.lanes.find((x) => x.id === id);
    if (!l) throw new FieldError({ scope: 'race', field: 'lane', expected: `one of the race's lanes (${this.lanes.map((x) => x.id).join(', ')})`, got: id });
    return l;
  }

  /** Replace every lane by fresh students at step 0 (built first: a refused config leaves the race as it was). */
  setLanes(specs: LaneSpec[]): void {
    checkLanes(specs);
    this.checkCost(specs.map((sp) => sp.checkpoint?.config ?? sp.config));
    const built: Trainer[] = [];
    try {
      for (const sp of specs) built.push(this.run.makeTrainer(sp.config, sp.checkpoint));
    } catch (e) {
      built.forEach((t) => t.dispose());
      throw e;
    }
    this.lanes.forEach((l) => this.free(l.trainer));
    this.lanes = specs.map((sp, i) => new LaneRun(sp.id, this, built[i]));
  }

  /** A fresh student at step 0 joins the race. */
  addLane(spec: LaneSpec): LaneRun {
    checkLanes([...this.lanes.map((l) => ({ id: l.id, config: l.trainer.config })), spec]);
    this.checkCost([...this.lanes.map((l) => l.trainer.config), spec.config]);
    const lane = new LaneRun(spec.id, this, this.run.makeTrainer(spec.config, spec.checkpoint));
    this.lanes = [...this.lanes, lane];
    return lane;
  }

  /** Refuse (ConfigError on optim.batchSize, or the model bound) lanes whose steps would pass the lab's memory bounds. */
  checkCost(configs: TrainConfig[]): void {
    for (const c of configs) checkRunCost(this.run.pack, c, configs.length, 'config', this.info?.name ?? 'pack');
  }

  /** Drop a lane (not the last one: a race has at least one student). */
  removeLane(id: number): void {
    const l = this.lane(id);
    if (this.lanes.length === 1) throw new FieldError({ scope: 'race', field: 'lane', expected: 'a race keeps at least one lane', got: id });
    this.lanes = this.lanes.filter((x) => x !== l);
    this.free(l.trainer);
  }

  /** The lanes as the `lanes` message lists them. */
  laneList(): { id: number; step: number; config: TrainConfig }[] {
    return this.lanes.map((l) => ({ id: l.id, step: l.trainer.stepCount, config: l.trainer.config }));
  }

  /** The run's own first trainer belongs to the run (freed with it); every other lane's trainer is freed here. */
  private free(t: Trainer): void {
    if (t !== this.run.trainer) t.dispose();
  }

  /**
   * A val evaluation of a lane's student as it is now, in chunks: the weights are copied at the start, so training
   * can go on between chunks (one chunk per race step: no race step stalls on a 250-sample evaluation). The first chunk
   * computes val CE / KD on 64 samples and the alignment rows (the lane's own config); each further one generates
   * EVAL_CHUNK answers. The answers depend on the weights alone, so lanes whose weights are bit-identical (a race at
   * step 0: one seed, one initial student) share one generation pass.
   */
  evalJob(lane: LaneRun): EvalJob {
    const r = this.run;
    const t = lane.trainer;
    const c = t.config;
    const step = t.stepCount;
    let own: Params | null = {};
    for (const [k, v] of Object.entries(t.params)) own[k] = tf.variable(v, false);
    this.unattached++;
    let pass: GenPass | null = null;
    let featCursor = 0; // val-subset samples whose features are ensured
    let valLoss: Float32Array | null = null;
    let alignment: Float32Array | null = null;
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      if (own) disposeParams(own);
      own = null;
      if (pass) pass.refs--;
      else this.unattached--;
      this.sweepPasses();
    };
    return {
      lane: lane.id,
      step,
      next: async () => {
        if (done) throw new Error('evalJob: next() after the result');
        try {
          while (featCursor < r.evalIdx.length) {
            // The val features first, EVAL_CHUNK samples a call (on demand: a play waits for one such chunk at most).
            const part = r.evalIdx.slice(featCursor, featCursor + EVAL_CHUNK);
            featCursor += part.length;
            if (r.featuresReady(part)) continue;
            r.ensureFeatures(part);
            return null;
          }
          if (!pass) {
            pass = (await this.passFor(own!)) ?? this.newPass(own!);
            if (pass.snap !== own) disposeParams(own!);
            own = null;
            pass.refs++;
            this.unattached--;
            valLoss = await valTerms(r.model, pass.snap, r.features, r.data, r.evalIdx.slice(0, 64), c.kd, c.weights, r.teacher);
            alignment = await divergenceGrid(r.model, pass.snap, r.features, r.data, r.evalIdx.slice(0, this.info.alignSamples), c.kd, r.teacher);
            if (pass.cursor < r.evalIdx.length) return null; // else a lane sharing a finished pass is done in one chunk
          } else if (pass.cursor < r.evalIdx.length) {
            await this.generateChunk(pass);
            if (pass.cursor < r.evalIdx.length) return null;
          }
        } catch (e) {
          release();
          throw e;
        }
        const { right, counts, bayesRight } = pass!;
        release();
        const acc = percents(right, counts);
        const out: LaneEval = { overall: acc.overall, perFamily: Float32Array.from(acc.perFamily), valLoss: valLoss!, alignment: alignment! };
        if (bayesRight) {
          const b = percents(bayesRight, counts); // the same answers against the pack's Bayes answers
          out.bayesOverall = b.overall;
          out.bayesPerFamily = Float32Array.from(b.perFamily);
        }
        return out;
      },
      cancel: release,
    };
  }

  /** A live generation pass over bit-identical weights (one read of one scalar per pass compared), or null. */
  private async passFor(snap: Params): Promise<GenPass | null> {
    const keys = Object.keys(snap);
    for (const p of this.passes) {
      const same = tf.tidy(() => tf.all(tf.stack(keys.map((k) => tf.all(tf.equal(p.snap[k], snap[k]))))));
      const eq = (await same.data())[0] === 1;
      same.dispose();
      if (eq && this.passes.has(p)) return p;
    }
    return null;
  }

  private newPass(snap: Params): GenPass {
    const nFam = this.run.pack.meta.families.length;
    const zeros = () => new Array<number>(nFam).fill(0);
    const bayes = this.run.pack.tensors.bayes_answer_ids !== undefined;
    const p: GenPass = { snap, cursor: 0, right: zeros(), counts: zeros(), bayesRight: bayes ? zeros() : null, refs: 0 };
    this.passes.add(p);
    this.passesStarted++;
    return p;
  }

  /** The next EVAL_CHUNK greedy answers of a pass, scored exact-match per family (and against the Bayes answers). */
  private async generateChunk(p: GenPass): Promise<void> {
    const r = this.run;
    const pk = r.pack.tensors;
    const idx = r.evalIdx.slice(p.cursor, p.cursor + EVAL_CHUNK);
    const ev = await evaluate(
      { config: r.model, params: p.snap },
      r.encoder,
      { images: pk.images, promptIds: pk.prompt_ids, answerIds: pk.answer_ids, family: pk.family, bayesIds: pk.bayes_answer_ids },
      idx,
      p.right.length,
      { features: r.features },
    );
    ev.counts.forEach((n, f) => {
      p.counts[f] += n;
      p.right[f] += ev.right[f];
      if (p.bayesRight && ev.bayes) p.bayesRight[f] += ev.bayes.right[f];
    });
    p.cursor += idx.length;
  }

  /** Free the passes no job holds, once every job has found its pass (a job not yet started may still share one). */
  private sweepPasses(): void {
    if (this.unattached > 0) return;
    for (const p of this.passes) {
      if (p.refs > 0) continue;
      disposeParams(p.snap);
      this.passes.delete(p);
    }
  }

  /** The sample view and alignment heatmap data of a lane's student on val-subset sample `index`, K teacher tokens. */
  async sampleView(lane: LaneRun, index: number, k: number): Promise<SampleView> {
    const r = this.run;
    const t = lane.trainer;
    const i = Math.min(Math.max(0, index), r.evalIdx.length - 1);
    const n = r.evalIdx[i];
    const { A, Lp, P } = r.model;
    const pk = r.pack.tensors;
    r.ensureFeatures([n]);
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
    const teacherAffinity = pk.teacher_affinity ? f16BitsToF32(pk.teacher_affinity.subarray(n * P * A, (n + 1) * P * A)) : new Float32Array(0); // empty: the pack has none
    return {
      lane: lane.id,
      step: t.stepCount,
      index: i,
      sample: n,
      image: pk.images ? pk.images.slice(n * S, (n + 1) * S) : new Uint8Array(0), // empty: a features pack without thumbnails
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
  async weightsFile(lane: LaneRun): Promise<Uint8Array> {
    const t = lane.trainer;
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
    this.passes.forEach((p) => disposeParams(p.snap));
    this.passes.clear();
    this.lanes.forEach((l) => this.free(l.trainer));
    this.lanes = [];
    this.run.dispose();
  }
}

/** One greedy-answer pass over the val subset with one copy of the weights, shared by the jobs of identical lanes. */
interface GenPass {
  snap: Params; // the weights (copies; freed when no job holds the pass)
  cursor: number; // val-subset samples generated so far
  right: number[]; // [families] exact matches so far
  bayesRight: number[] | null; // [families] matches of the Bayes answers so far (null: the pack has none)
  counts: number[]; // [families] samples so far
  refs: number; // jobs holding the pass
}

/** 1–MAX_LANES lanes with distinct integer ids. */
function checkLanes(lanes: LaneSpec[]): void {
  if (lanes.length < 1 || lanes.length > MAX_LANES) throw new FieldError({ scope: 'race', field: 'lanes', expected: `1 to ${MAX_LANES} lanes`, got: lanes.length });
  const ids = lanes.map((l) => l.id);
  if (new Set(ids).size !== ids.length || !ids.every((i) => Number.isInteger(i) && i >= 0)) {
    throw new FieldError({ scope: 'race', field: 'lanes.id', expected: 'distinct integers ≥ 0', got: ids.join(',') });
  }
}
