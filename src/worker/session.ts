// One loaded pack in the worker and the race's lanes on it: the student run built from it (src/model/studentRun.ts,
// shared with the study), one Trainer per lane, their chunked evaluations (evaluate.ts) and views (laneViews.ts).
import * as tf from '@tensorflow/tfjs-core';
import { type DeepPartial, mergeConfig, type TrainConfig, validateConfig } from '../core/config/config';
import { type Pack, parsePack } from '../core/pack/pack';
import { Tokenizer } from '../core/base/tokenizer';
import { backendInfo } from '../model/backend';
import { encodeAllVia } from '../model/encoder';
import { encoderConfigOf, weightsOf } from '../model/fromPack';
import { buildStudentRun, checkRunCost, type StudentRun } from '../model/studentRun';
import type { Trainer } from '../model/train/trainer';
import { Evaluations } from './evaluate';
import { sampleViewOf, weightsFileOf } from './laneViews';
import { packInfoOf } from './packInfo';
import type { LaneSpec, PackInfo, SampleView } from './protocol';
import { checkLanes, checkRemovable, type LaneRow, noLane, type Race } from './race';
import type { WorkerLane, LaneEval, LoopRace } from './runLoopTypes';

export { ALIGN_SAMPLES } from './packInfo';
export { EVAL_CHUNK } from './evaluate';

/** One lane of the race on this pack: its id, its student, and a whole val evaluation of it now (tests, the doc example). */
export class LaneRun implements WorkerLane {
  constructor(
    readonly id: number,
    readonly trainer: Trainer,
    private readonly evals: Evaluations,
  ) {}
  /** Every chunk at once (the lab's run loop takes them a chunk per turn instead). */
  evaluate(): Promise<LaneEval> {
    return this.evals.evaluate(this);
  }
}

/** A loaded pack as one pool worker hands it to another (structured clone over a MessagePort): parsed, never re-read. */
export interface SharedPack {
  pack: Pack;
  name: string;
  bytes: number; // the file's size as loaded (PackInfo.bytes)
}

export class Session implements Race, LoopRace {
  readonly run: StudentRun;
  readonly info: PackInfo;
  readonly evals: Evaluations;
  private readonly tok: Tokenizer;
  lanes: LaneRun[] = [];

  /**
   * Parse, encode and build. On a software WebGPU adapter the feature cache is computed on wasm (else cpu) and
   * uploaded: SwiftShader took 210 s over the shapes pack's 4,500 images here, wasm 2.6 s.
   */
  static async load(bytes: Uint8Array, name: string, lanes: LaneSpec[], evalSamples: number): Promise<Session> {
    const bi = backendInfo();
    if (!(bi.name === 'webgpu' && bi.isFallbackAdapter)) return new Session(bytes, name, lanes, evalSamples);
    const pack = parsePack(bytes, name);
    if (!pack.tensors.images || pack.meta.features) return new Session(bytes, name, lanes, evalSamples, { pack }); // features pack: nothing to encode
    const features = await encodeAllVia(
      ['wasm', 'cpu'],
      encoderConfigOf(pack, name),
      weightsOf(pack, 'encoder.'),
      pack.tensors.images,
    );
    try {
      return new Session(bytes, name, lanes, evalSamples, { pack, features });
    } catch (e) {
      features.dispose();
      throw e;
    }
  }

  /** The pack another worker of the pool loaded (SharedPack): built without a second read or parse. */
  static fromShared(shared: SharedPack, lanes: LaneSpec[], evalSamples: number): Session {
    return new Session(new Uint8Array(0), shared.name, lanes, evalSamples, { pack: shared.pack, size: shared.bytes });
  }

  /** What a worker that joins the pool is handed (sharePack). */
  shared(): SharedPack {
    return { pack: this.run.pack, name: this.info.name, bytes: this.info.bytes };
  }

  /** Parse (unless prepared) and build; throws (PackError, config errors) before anything is kept. */
  constructor(
    bytes: Uint8Array,
    name: string,
    lanes: LaneSpec[],
    evalSamples: number,
    prepared?: { pack: Pack; features?: tf.Tensor3D; size?: number },
  ) {
    checkLanes(lanes);
    const pack = prepared?.pack ?? parsePack(bytes, name);
    // Features on demand where the host holds the data (wasm, cpu): the cold open encodes what its first steps read.
    const lazyFeatures = tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu';
    this.run = buildStudentRun(pack, lanes[0].config, {
      name,
      evalSamples,
      features: prepared?.features,
      lazyFeatures,
    });
    try {
      this.info = packInfoOf(pack, this.run, name, prepared?.size ?? bytes.length);
      this.evals = new Evaluations(this.run, this.info.alignSamples);
      this.tok = new Tokenizer(pack.meta.vocab);
      this.setLanes(lanes);
    } catch (e) {
      this.run.dispose();
      throw e;
    }
  }

  /** Generation passes started by this pack's evaluations (tests). */
  get passesStarted(): number {
    return this.evals.passesStarted;
  }

  /** The lane with this id (a FieldError naming `lane` when there is none). */
  lane(id: number): LaneRun {
    const l = this.lanes.find((x) => x.id === id);
    if (!l) throw noLane(this.lanes, id);
    return l;
  }

  specs(): LaneSpec[] {
    return this.lanes.map((l) => ({ id: l.id, config: l.trainer.config }));
  }

  laneList(): LaneRow[] {
    return this.lanes.map((l) => ({ id: l.id, step: l.trainer.stepCount, config: l.trainer.config }));
  }

  /** Validated and cost-checked now (the race's memory bound), applied at the lane's next step. */
  setConfig(id: number, patch: DeepPartial<TrainConfig>): TrainConfig {
    const t = this.lane(id).trainer;
    const next = validateConfig(mergeConfig(t.config, patch));
    this.checkCost(this.lanes.map((l) => (l.trainer === t ? next : l.trainer.config))); // before it applies
    t.setConfig(patch);
    return t.config;
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
    this.evals.cancel();
    this.lanes.forEach((l) => this.free(l.trainer));
    this.lanes = specs.map((sp, i) => new LaneRun(sp.id, built[i], this.evals));
  }

  /** A fresh student at step 0 joins the race. */
  addLane(spec: LaneSpec): void {
    checkLanes([...this.lanes, spec]);
    this.checkCost([...this.lanes.map((l) => l.trainer.config), spec.config]);
    this.lanes = [...this.lanes, new LaneRun(spec.id, this.run.makeTrainer(spec.config, spec.checkpoint), this.evals)];
  }

  /** Refuse (ConfigError on optim.batchSize, or the model bound) lanes whose steps would pass the lab's memory bounds. */
  checkCost(configs: TrainConfig[]): void {
    for (const c of configs) checkRunCost(this.run.pack, c, configs.length, 'config', this.info?.name ?? 'pack');
  }

  removeLane(id: number): void {
    checkRemovable(this.lanes, id);
    const l = this.lane(id);
    this.evals.cancel((j) => j.lane === id);
    this.lanes = this.lanes.filter((x) => x !== l);
    this.free(l.trainer);
  }

  sampleView(lane: WorkerLane, index: number, k: number): Promise<SampleView> {
    return sampleViewOf(this.run, this.tok, this.info, lane, index, k);
  }

  /** The student's weights as a safetensors file (F32, names `student.*`) with its config and step in the metadata. */
  weightsFile(lane: WorkerLane): Promise<Uint8Array> {
    return weightsFileOf(this.run, this.info.name, lane);
  }

  /** The run's own first trainer belongs to the run (freed with it); every other lane's trainer is freed here. */
  private free(t: Trainer): void {
    if (t !== this.run.trainer) t.dispose();
  }

  dispose(): void {
    this.evals.dispose();
    this.lanes.forEach((l) => this.free(l.trainer));
    this.lanes = [];
    this.run.dispose();
  }
}
