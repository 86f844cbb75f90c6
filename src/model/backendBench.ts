// The step-time measurement behind 'auto' (DESIGN §5): the browser's backend probe times a few student steps on each
// candidate backend (worker/probe.ts); this file times one, and starts the worker's backend with the badge's note.
import { DEFAULT_CONFIG, mergeConfig, validateConfig } from '../core/config/config';
import { deriveSeed, Rng } from '../core/base/rng';
import { type BackendInfo, backendInfo, type BackendName, initBackend } from './backend';
import { ENCODER_PRESET, modelFor, STUDENT_PRESET } from './configs';
import { initEncoder } from './encoder';
import { disposeParams } from './params';
import { readStep, Trainer } from './train/trainer';

const OVER = Symbol('over budget');

/**
 * Milliseconds per training step of the student preset at batch 16 on the active backend, on random data
 * (for `auto` on a software adapter): one warm-up step (shader compilation), then the mean of two. Infinity when the
 * whole measurement passes `budgetMs`: the read in flight is abandoned (its trainer freed when it lands) and no
 * further step is queued, so nothing runs on this backend once the caller has switched to the next.
 */
export async function measureStepMs(budgetMs = Infinity): Promise<number> {
  const start = performance.now();
  const rng = new Rng(deriveSeed(1, 'measure'));
  const enc = ENCODER_PRESET;
  const m = modelFor(STUDENT_PRESET, enc, { vocabSize: 48, Lp: 8, A: 4 });
  const N = 32;
  const images = new Uint8Array(N * enc.height * enc.width * enc.channels).map(() => rng.int(256));
  const promptIds = new Int32Array(N * m.Lp).map(() => 4 + rng.int(44));
  const answerIds = new Int32Array(N * m.A).map((_, i) => (i % m.A === m.A - 1 ? 2 : 4 + rng.int(44)));
  const encParams = initEncoder(enc, rng.fork());
  const cfg = validateConfig(mergeConfig(DEFAULT_CONFIG, { optim: { batchSize: 16 } }));
  const tr = new Trainer({
    model: m,
    encoder: { config: enc, params: encParams },
    config: cfg,
    data: { images, promptIds, answerIds, labeled: [...Array(N).keys()] },
  });
  const free = () => {
    tr.dispose();
    disposeParams(encParams);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const within = <T>(p: Promise<T>): Promise<T | typeof OVER> =>
    Promise.race([
      p,
      new Promise<typeof OVER>(
        (r) => (timer = setTimeout(() => r(OVER), Math.max(0, start + budgetMs - performance.now()))),
      ),
    ]).finally(() => clearTimeout(timer));
  let t0 = 0;
  for (let i = 0; i < 3; i++) {
    if (i === 1) t0 = performance.now();
    let read: Promise<unknown>;
    try {
      read = readStep(tr.step());
    } catch (e) {
      free();
      throw e;
    }
    if ((await within(read)) === OVER) {
      void read.then(free, free);
      return Infinity;
    }
  }
  free();
  return (performance.now() - t0) / 2;
}

/** The badge's details of the backend in use: which kernels run the step on wasm; null elsewhere. */
export function measuredNote(bi: BackendInfo): string | null {
  return bi.kernels ? `kernels: ${bi.kernels}` : null;
}

/**
 * initBackend for the worker: the backend, its info and the badge's note. A forced backend, or wasm while 'auto'
 * measures the others in the probe (the UI moves the run when one is faster).
 */
export async function initMeasuredBackend(
  name: BackendName,
  wasmPaths?: Record<string, string>,
): Promise<{ name: string; info: BackendInfo; note: string | null }> {
  const active = await initBackend(name, { wasmPaths });
  const info = backendInfo();
  return { name: active, info, note: measuredNote(info) };
}
