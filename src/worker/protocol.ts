// The typed, versioned protocol between the lab UI and the training worker (DESIGN §5): two discriminated unions on
// `type`, each payload tied to its type; metrics travel as deltas in transferred typed arrays, never the history.
import type { DeepPartial, TrainConfig } from '../core/config/config';
import { FieldError } from '../core/base/errors';
import type { BackendName } from '../core/config/backends';
import type { TrainerCheckpoint } from '../model/train/checkpoint';

/** Bumped whenever a message shape changes; `init` carries it and the worker refuses another version. */
export const PROTOCOL_VERSION = 6;

/**
 * Whether an error's text says the worker's memory or wasm module is unusable (out of memory, a wasm trap, an
 * Emscripten abort): the step is not retried, the race pauses, and the UI restarts the worker without resuming.
 */
export function isFatalMessage(text: string): boolean {
  return /out of memory|Array buffer allocation failed|Cannot enlarge memory|memory access out of bounds|RuntimeError|Aborted\(/i.test(
    text,
  );
}

export { MAX_LANES } from '../core/race/lanes'; // at most this many lanes race in one worker (DESIGN §6b)

/** One lane of a race: a stable id chosen by the UI (messages about the lane carry it) and its full config. */
export interface LaneSpec {
  id: number; // integer ≥ 0, unique among the race's lanes; never reused while the page lives
  config: TrainConfig;
  checkpoint?: TrainerCheckpoint; // continue this lane from a checkpoint (crash resume, DESIGN §6b) instead of step 0
}

/** Steps between a lane's checkpoints (DESIGN §6b: a crash or a device loss loses at most this many steps). */
export const CHECKPOINT_EVERY = 100;

/** Faults a test can inject (DESIGN §6b, `window.__lab.fault(kind)` under ?e2e); 'oom': a step's wasm trap. */
export type FaultKind = 'nan' | 'worker-crash' | 'device-lost' | 'oom';
export const FAULT_KINDS: readonly FaultKind[] = ['nan', 'worker-crash', 'device-lost', 'oom'];

/** An Error as it crosses the boundary (comlink's way): name, message, stack; for a FieldError its parts too. */
export interface SerializedError {
  name: string;
  message: string; // the whole message (file, field, detail, hint)
  stack?: string;
  field?: string; // the offending field (`config.kd.T`, `metadata.version`, `tensor images`) when known
  file?: string; // the input file, when the error is about one
  detail?: string; // the message without file and field (what the banner shows beside the field)
  hint?: string; // what to do about it
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof FieldError) {
    const out: SerializedError = {
      name: e.name,
      message: e.message,
      stack: e.stack,
      field: e.qualifiedField,
      detail: e.detail,
    };
    if (e.file) out.file = e.file;
    if (e.hint) out.hint = e.hint;
    return out;
  }
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

/** Where a pack comes from: a URL the worker fetches (with progress) or bytes the UI read from a file. */
export type PackSource =
  { kind: 'url'; url: string; name: string } | { kind: 'bytes'; bytes: ArrayBuffer; name: string };

export type RunStatus = 'loading' | 'idle' | 'running' | 'paused';

/** Messages from the UI to the worker. Lane ids refer to LaneSpec.id; every lane steps once per race step. */
export type UiToWorker =
  | {
      type: 'init';
      version: number; // PROTOCOL_VERSION of the sender
      backend: BackendName; // forced by ?backend=, else wasm while the UI's 'auto' measures the others (ui/autoSwitch)
      wasmPaths?: Record<string, string>; // file name → URL of tfjs-backend-wasm's .wasm binaries
      lanes: LaneSpec[]; // 1–MAX_LANES lanes the race starts with once a pack is loaded
      evalEvery?: number; // steps between val evaluations (default 50; 0 = never)
      evalSamples?: number; // fixed val subset size (default 250: a 5-point gap between lanes is visible)
      pooled?: boolean; // one of a pool's workers (pool.ts): steps only as far as `allow` says, posts `progress`
    }
  | { type: 'loadPack'; source: PackSource }
  | { type: 'setConfig'; lane: number; patch: DeepPartial<TrainConfig> } // validated now, applied at the lane's next step
  | { type: 'setLanes'; lanes: LaneSpec[] } // a new race: fresh students at step 0 (a preset, a link, a finding)
  | { type: 'addLane'; lane: LaneSpec } // a fresh student at step 0 that joins the race at the next race step
  | { type: 'removeLane'; lane: number } // the others keep training
  | { type: 'selectLane'; lane: number; compare?: number | null } // the sample view shows `lane` (and `compare` beside it)
  | { type: 'play' }
  | { type: 'pause'; reason?: 'user' | 'hidden' }
  | { type: 'step' } // exactly one race step, then report
  | { type: 'reset'; lanes?: LaneSpec[] } // every lane a fresh student at step 0 (seed and hiddenProjDim take effect here)
  | { type: 'setSample'; index: number } // heatmap sample: index into the val subset
  | { type: 'setHeatmapK'; k: number } // teacher top tokens shown per answer position
  | { type: 'exportWeights'; requestId: number; lane: number } // that lane's student as safetensors → 'weights'
  // test hook: 'nan' poisons every lane's next step; 'worker-crash' kills the worker (in a pool: `lane`'s worker, else
  // the first); 'device-lost' destroys the WebGPU device (loses the WebGL context)
  | { type: 'fault'; kind: FaultKind; lane?: number }
  | { type: 'stop' } // pause and free everything the worker holds
  // A pool's own messages to its workers (pool.ts; never sent by the UI):
  | { type: 'allow'; tick: number } // a pooled worker may run race steps while its count of them is below `tick`
  | { type: 'sharePack'; port: MessagePort } // post the loaded pack, parsed, over `port` (to a worker that joins)
  | { type: 'loadShared'; port: MessagePort; name: string }; // load the parsed pack another worker posts on `port`

/** A pack as the UI sees it (the heavy tensors stay in the worker). */
export interface PackInfo {
  name: string;
  bytes: number; // file size as loaded (compressed when gzip)
  families: string[];
  vocab: string[];
  counts: { trainLabeled: number; trainUnlabeled: number; val: number; test: number };
  targets: { kind: 'dense' | 'topk'; k: number };
  V: number;
  A: number;
  image: { height: number; width: number; channels: number };
  teacherAccuracy: Record<string, number>; // family → percent on val
  teacherOverall: number | null; // percent on val, when the pack says
  hasTeacherWeights: boolean; // online teacher, on-policy and allPositions are possible
  evalSamples: number; // size of the fixed val subset the accuracy chart uses
  alignSamples: number; // S: the first S samples of the val subset feed the alignment-over-training view
  grid: { rows: number; cols: number }; // image patch grid (rows·cols = P)
  evalFamilyCounts: number[]; // [families] samples of each family in the fixed val subset (weights of an overall mean)
  // DESIGN §4c (issue 27): ambiguous labels, a pretrained student, the teacher's calibration.
  bayesAccuracy: Record<string, number> | null; // family → the best exact match any model can reach on val (percent); null: labels are not drawn
  annotator: string | null; // how the labels are drawn, one sentence (metadata.ambiguity.annotator)
  hasBayesAnswers: boolean; // the pack has bayes_answer_ids: evaluations also report agreement with the Bayes answers
  hasStudentInit: boolean; // the pack ships student_init.*: studentInit 'pretrained' is possible
  teacherCalibration: { ece: number; medianTopProb: number; meanEntropy: number } | null; // on val answer rows
}

/** Everything the alignment heatmap and the sample viewer show for one sample. */
export interface SampleView {
  lane: number; // the lane whose student this is
  step: number;
  index: number; // position in the val subset
  sample: number; // pack sample index
  image: Uint8Array; // [H, W, C]
  question: string;
  truth: string;
  teacherAnswer: string;
  studentAnswer: string;
  family: string;
  positions: string[]; // label per answer position (the token at that slot of kd_ids), up to and incl. <eos>
  topTokens: string[]; // [A·K] the teacher's top tokens per position (row-major)
  teacher: Float32Array; // [A, K] teacher probabilities at T of those tokens
  student: Float32Array; // [A, K] student probabilities at T of the same tokens
  divergence: Float32Array; // [A] the configured divergence per position
  k: number;
  teacherAffinity: Float32Array; // [P, A] the pack's S_t = ĥ_img·ĥ_ansᵀ (cosine, −1…1)
  studentAffinity: Float32Array; // [P, A] the student's S_s, teacher-forced on kd_ids
}

/** Messages from the worker to the UI. */
export type WorkerToUi =
  | {
      type: 'ready';
      version: number;
      backend: string;
      isFallbackAdapter: boolean | null;
      adapter: string | null;
      note: string | null;
    }
  | { type: 'packProgress'; name: string; loaded: number; total: number | null }
  | { type: 'packLoaded'; info: PackInfo }
  | { type: 'packError'; name: string; error: SerializedError } // the lab keeps the pack it had
  | { type: 'status'; status: RunStatus; step: number; reason?: string } // step: the race step (the furthest lane's)
  | { type: 'lanes'; lanes: { id: number; step: number; config: TrainConfig }[] } // the race's lanes now, in order
  | { type: 'configApplied'; lane: number; config: TrainConfig } // the config the lane's next step uses
  | { type: 'configError'; lane: number | null; error: SerializedError } // the patch (or lane) was refused; what was stays
  | {
      type: 'metrics';
      lane: number;
      fromStep: number; // step index of the first row
      count: number; // rows in this delta
      values: Float32Array; // [count, VALUE_WIDTH] in core/terms VALUE_NAMES order (total ce seq kd hidden affinity attention gradNorm)
      weights: Float32Array; // [count, TERM_WIDTH] loss weights in force at each step (ce seq kd hidden affinity attention)
      lr: Float32Array; // [count]
      stepsPerSec: number; // over this delta's wall time
      source: 'cached' | 'online'; // teacher source during this delta (the cost comparison)
    }
  | {
      type: 'eval';
      lane: number;
      step: number; // steps done when evaluated
      overall: number; // percent exact match on the val subset
      perFamily: Float32Array; // [families] percent (NaN where the subset has none)
      valLoss: Float32Array; // [3] total (w_ce·CE + w_kd·KD), CE, KD on a fixed val batch
      alignment: Float32Array; // [S, A] per-position divergence of the first S val-subset samples (NaN: no slot)
      bayesOverall?: number; // percent agreement of the same answers with the pack's Bayes answers (absent: the pack has none)
      bayesPerFamily?: Float32Array; // [families] percent agreement with the Bayes answers (NaN where the subset has none)
    }
  | { type: 'weights'; requestId: number; lane: number; name: string; bytes: ArrayBuffer } // safetensors file of the student
  | { type: 'sample'; view: SampleView }
  | {
      type: 'nonFinite'; // a step went non-finite: its update was skipped (not in the curves) and the race paused
      lane: number;
      step: number; // the bad step (0-based)
      bad: { name: string; value: number }[]; // the values that went non-finite (VALUE_NAMES: total, terms, gradNorm)
      message: string; // step, terms and the knob values in force (core/health describeNonFinite)
    }
  | { type: 'warning'; lane: number | null; step: number; message: string; knob: string | null } // a diverging run (core/health), or a fault that does nothing here
  | { type: 'checkpoint'; lane: number; checkpoint: TrainerCheckpoint } // the lane's latest checkpoint (every CHECKPOINT_EVERY steps, and on pause)
  | { type: 'deviceLost'; backend: string; reason: string } // the GPU device is gone: the UI resumes on the next backend
  | { type: 'error'; error: SerializedError }
  | { type: 'progress'; tick: number } // a pooled worker ran its tick-th race step (the pool's lockstep; not for the UI)
  | { type: 'workers'; count: number; cap: number; note: string | null }; // the pool's workers now, and why not more

export type WorkerToUiType = WorkerToUi['type'];

/** Transferables of a message (metrics arrays, sample pixels, a pool's ports), for postMessage's transfer list. */
export function transferablesOf(msg: WorkerToUi | UiToWorker): Transferable[] {
  switch (msg.type) {
    case 'metrics':
      return [msg.values.buffer, msg.weights.buffer, msg.lr.buffer] as ArrayBuffer[];
    case 'eval':
      return [
        msg.perFamily.buffer,
        msg.valLoss.buffer,
        msg.alignment.buffer,
        ...(msg.bayesPerFamily ? [msg.bayesPerFamily.buffer] : []),
      ] as ArrayBuffer[];
    case 'sample': {
      const v = msg.view;
      return [
        v.image.buffer,
        v.teacher.buffer,
        v.student.buffer,
        v.divergence.buffer,
        v.teacherAffinity.buffer,
        v.studentAffinity.buffer,
      ] as ArrayBuffer[];
    }
    case 'weights':
      return [msg.bytes];
    case 'checkpoint':
      return checkpointBuffers(msg.checkpoint);
    case 'loadPack':
      return msg.source.kind === 'bytes' ? [msg.source.bytes] : [];
    case 'sharePack':
    case 'loadShared':
      return [msg.port]; // a MessagePort is transferred, never cloned
    default:
      return [];
  }
}

/** The typed-array buffers of a checkpoint (params, φ, encoder, optimizer state), each once. */
function checkpointBuffers(c: TrainerCheckpoint): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const ps of [c.params, c.phi, c.encoder ?? {}])
    for (const h of Object.values(ps)) out.add(h.data.buffer as ArrayBuffer);
  for (const o of c.optimizer) out.add(o.data.buffer as ArrayBuffer);
  return [...out];
}
