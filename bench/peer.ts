// npm run bench:peer — the student CE training step in tfjs (Node, wasm, one thread) against its PyTorch mirror
// (tools/peer/peer_step.py, CPU, 1 thread and 2), alternating in rounds in one run; writes bench/results/peer.json.
//
// Round r = N tfjs steps, then N torch steps on 1 thread, then N on 2 (after warm-up of each). The trainer is the one
// bench:step times (bench/lib/benchTrainer.ts: student, 'ce', B 32, L 33, V 80). Before timing, the torch side
// replays the tfjs trainer's first steps from the same initial weights and batches and must agree (a check that the
// two steps are the same computation). It needs PyTorch ≥ 2 with a real BLAS (.cache/venv, or --python PATH):
// Debian's python3-torch 1.x runs on the reference BLAS and is refused; without a suitable torch it says so and exits 0.
//
// The tfjs side runs the lab's relaxed-SIMD kernels (FMA), as current Chromium does: Node 20 validates relaxed SIMD
// only behind --experimental-wasm-relaxed-simd, which this script sets at run time; --relaxed 0 keeps SIMD128.
//
// Flags: --steps N (30) --rounds R (5, ≥ 3) --warmup W (5) --batch B (32) --torch2 0|1 (1) --relaxed 0|1 (1)
// --python PATH
import { type ChildProcessByStdio, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { writeSafetensors, type SafeTensor } from '../src/core/pack/safetensors';
import { VALUE_NAMES } from '../src/core/kd/terms';
import { initBackend } from '../src/model/backend';
import { installWasmKernels, wasmKernelsProvenance } from '../src/model/simd';
import { readStep, type StepNumbers, type TrainerInit } from '../src/model/train/trainer';
import { buildHostBatch } from '../src/model/train/data';
import { benchTrainer } from './lib/benchTrainer';
import { intArg, parseArgs } from '../scripts/lib/cli';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = parseArgs(process.argv.slice(2));
const STEPS = intArg(args, 'steps', 30, 1);
const ROUNDS = intArg(args, 'rounds', 5, 3);
const WARMUP = intArg(args, 'warmup', 5, 2); // ≥ 2: the first two tfjs steps are the torch side's check
const BATCH = intArg(args, 'batch', 32, 1, 512);
const TORCH2 = intArg(args, 'torch2', 1, 0, 1) === 1;
const RELAXED = intArg(args, 'relaxed', 1, 0, 1) === 1;
const OUT_FILE = path.join(ROOT, 'bench/results/peer.json');
const DATA_FILE = path.join(ROOT, '.cache/peer/peer-data.safetensors');
const PEER = path.join(ROOT, 'tools/peer/peer_step.py');

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;

interface TorchProbe {
  python: string;
  version: string;
  blas: string;
}

const PROBE = `import json, re, torch
m = re.search(r"BLAS_INFO=(\\w+)", torch.__config__.show())
print(json.dumps({"version": torch.__version__, "blas": m.group(1) if m else "unknown"}))`;

/** The first python whose torch is ≥ 2 on a real BLAS; the reasons the others were refused. */
function findTorch(): { ok: TorchProbe | null; refused: string[] } {
  const candidates = args.python ? [String(args.python)] : [path.join(ROOT, '.cache/venv/bin/python'), 'python3'];
  const refused: string[] = [];
  for (const py of candidates) {
    if (py.includes('/') && !existsSync(py)) {
      refused.push(`${py}: not found`);
      continue;
    }
    const r = spawnSync(py, ['-c', PROBE], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) {
      const last = (r.stderr || String(r.error ?? '')).trim().split('\n').pop();
      refused.push(`${py}: no importable torch (${last})`);
      continue;
    }
    const p = JSON.parse(r.stdout.trim().split('\n').pop()!) as { version: string; blas: string };
    const major = Number(p.version.split('.')[0]);
    if (!(major >= 2))
      refused.push(`${py}: torch ${p.version} < 2 (Debian's python3-torch 1.x: reference BLAS, not a speed peer)`);
    else if (!/mkl|openblas|blis|accelerate|armpl|flexi/i.test(p.blas))
      refused.push(`${py}: torch ${p.version} on BLAS '${p.blas}' (not an optimised BLAS)`);
    else return { ok: { python: py, ...p }, refused };
  }
  return { ok: null, refused };
}

/** A line-per-message JSON channel to the torch process. */
class Peer {
  private readonly lines: string[] = [];
  private waiter: ((s: string | null) => void) | null = null;
  private closed = false;
  constructor(private readonly proc: ChildProcessByStdio<Writable, Readable, null>) {
    createInterface({ input: proc.stdout }).on('line', (l) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w(l);
      } else this.lines.push(l);
    });
    proc.on('exit', () => {
      this.closed = true;
      this.waiter?.(null);
    });
  }
  next(): Promise<Record<string, unknown>> {
    const l = this.lines.shift();
    const got =
      l !== undefined
        ? Promise.resolve(l)
        : this.closed
          ? Promise.resolve(null)
          : new Promise<string | null>((res) => (this.waiter = res));
    return got.then((s) => {
      if (s === null) throw new Error('bench:peer: the torch process exited early (see its stderr above)');
      return JSON.parse(s) as Record<string, unknown>;
    });
  }
  async ask(msg: object): Promise<Record<string, unknown>> {
    this.proc.stdin.write(`${JSON.stringify(msg)}\n`);
    return this.next();
  }
  quit(): void {
    if (!this.closed) this.proc.stdin.write('{"cmd": "quit"}\n');
  }
}

async function main() {
  const { ok: torchPy, refused } = findTorch();
  if (!torchPy) {
    console.log('bench:peer: skipped, no PyTorch ≥ 2 with an optimised BLAS:');
    for (const r of refused) console.log(`  ${r}`);
    console.log(
      `  make one: python3 -m venv --system-site-packages .cache/venv && .cache/venv/bin/pip install --no-index --no-deps /opt/wheels/torch-2.*+cpu-*.whl (or any PyTorch ≥ 2 CPU wheel); ${path.relative(ROOT, OUT_FILE)} left as it is`,
    );
    return;
  }
  const loadStart = os.loadavg();
  if (RELAXED) v8.setFlagsFromString('--experimental-wasm-relaxed-simd'); // before the kernels' start-up probe
  await initBackend('wasm');
  if (!RELAXED) await installWasmKernels('all', 'simd');
  const kernels = wasmKernelsProvenance();
  const { tr, model, dispose } = benchTrainer('student', 'ce', BATCH);
  // The trainer's own data (benchTrainer does not hand it out): the exact rows its steps read.
  const data = (tr as unknown as { init: TrainerInit }).init.data;
  const init = { ...(await tr.exportModel()), ...(await tr.exportPhi()) };
  const first: StepNumbers[] = [];
  for (let i = 0; i < WARMUP; i++) {
    const s = await readStep(tr.step());
    if (i < 2) first.push(s);
  }

  // Export for the torch side: init weights, the feature cache, the host batch of all N rows, settings, first steps.
  const N = tr.features!.shape[0];
  const all = Array.from({ length: N }, (_, i) => i);
  const cfg = tr.config;
  const h = buildHostBatch(data, model, all, new Set(data.labeled), cfg.kd.topK);
  const t = data.targets!;
  const f32 = (data: Float32Array, shape: number[]): SafeTensor => ({ dtype: 'F32', shape, data });
  const i32 = (data: Int32Array, shape: number[]): SafeTensor => ({ dtype: 'I32', shape, data });
  const { P, Lp, A, vocabSize: V, dV } = model;
  const tensors: Record<string, SafeTensor> = {
    features: f32((await tr.features!.data()) as Float32Array, [N, P, dV]),
    text: i32(h.textKd, [N, Lp + A]),
    kd_ids: i32(h.kdIds, [N, A]),
    ce_mask: f32(h.ceMask, [N, A]),
    kd_mask: f32(h.kdMask, [N, A]),
    teacher_logits: f32(h.logits!, [N, A, V]),
    teacher_hidden: f32(h.hidden!, [N, A, t.hiddenDim!]),
    teacher_affinity: f32(h.affinity!, [N, P, A]),
    teacher_attention: f32(h.attention!, [N, A, P]),
  };
  for (const [k, v] of Object.entries(init)) tensors[`init.${k}`] = f32(v.data, v.shape);
  const check = first.map((s) => ({
    step: s.step,
    batch: s.batch,
    values: Object.fromEntries(VALUE_NAMES.map((n) => [n, Number.isFinite(s[n]) ? s[n] : null])),
  }));
  const meta = {
    format: 'llavadi-lab-peer',
    version: '1',
    model: JSON.stringify(model),
    optim: JSON.stringify(cfg.optim),
    weights: JSON.stringify(cfg.weights),
    kd: JSON.stringify(cfg.kd),
    hiddenMode: JSON.stringify(cfg.hiddenMode),
    batch: String(BATCH),
    pool: JSON.stringify(data.labeled),
    check: JSON.stringify(check),
  };
  mkdirSync(path.dirname(DATA_FILE), { recursive: true });
  writeFileSync(DATA_FILE, writeSafetensors(tensors, meta));

  // OMP/MKL capped at 2 threads; peer_step.py sets 1 (and 2 for the extra column) itself. Passive waiting: on a small
  // shared machine, OpenMP's spinning workers made the 2-thread step 20–50× slower (measured: 1.9 s vs 40 ms).
  const env = { OMP_WAIT_POLICY: 'PASSIVE', ...process.env, OMP_NUM_THREADS: '2', MKL_NUM_THREADS: '2' };
  const proc = spawn(torchPy.python, [PEER, DATA_FILE], { stdio: ['pipe', 'pipe', 'inherit'], env });
  const peer = new Peer(proc);
  try {
    const ready = await peer.next();
    if (!ready.ready) throw new Error(`bench:peer: torch side not ready: ${JSON.stringify(ready)}`);
    const chk = ready.check as { maxAbsDiff: number; ok: boolean; steps: unknown[] };
    const nParams = Object.values(tr.params).reduce((s, v) => s + v.size, 0);
    const L = P + Lp + A;
    const shape = {
      B: BATCH,
      P,
      Lp,
      A,
      L,
      V,
      d: model.d,
      layers: model.layers,
      heads: model.heads,
      mlpRatio: model.mlpRatio,
      dV,
      params: nParams,
    };
    console.log(`bench:peer  student CE step  ${JSON.stringify(shape)}`);
    console.log(
      `  tfjs ${tf.version_core} wasm (1 thread, Node ${process.version}, kernels ${kernels})  vs  torch ${String(ready.torch)} (BLAS ${String(ready.blas)}, ${torchPy.python})`,
    );
    console.log(
      `  check: torch replays tfjs's first ${chk.steps.length} steps, max |diff| ${chk.maxAbsDiff.toExponential(2)} ${chk.ok ? '(ok)' : '(MISMATCH)'}`,
    );
    if (!chk.ok)
      throw new Error('bench:peer: the torch step does not compute what the tfjs step computes; not timing it');
    console.log(
      `  ${ROUNDS} rounds × ${STEPS} steps each side (after ${WARMUP} warm-up)  load avg ${loadStart.map((x) => x.toFixed(2)).join(' ')}  (${os.cpus().length} CPUs)`,
    );
    await peer.ask({ cmd: 'steps', n: WARMUP, threads: 1 });
    if (TORCH2) await peer.ask({ cmd: 'steps', n: WARMUP, threads: 2 });

    const pad = (s: string | number, n: number) => String(s).padStart(n);
    console.log(
      `${'round'.padEnd(8)}${pad('tfjs ms', 10)}${pad('torch ms', 10)}${pad('ratio', 8)}${TORCH2 ? `${pad('torch2 ms', 11)}${pad('ratio2', 8)}` : ''}`,
    );
    const all1: number[] = [];
    const allT: number[] = [];
    const all2: number[] = [];
    const rounds: Record<string, number>[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      const ms: number[] = [];
      for (let i = 0; i < STEPS; i++) {
        const t0 = performance.now();
        await readStep(tr.step()); // with the one host read a report needs, as bench:step
        ms.push(performance.now() - t0);
      }
      const torch1 = (await peer.ask({ cmd: 'steps', n: STEPS, threads: 1 })).ms as number[];
      const torch2 = TORCH2 ? ((await peer.ask({ cmd: 'steps', n: STEPS, threads: 2 })).ms as number[]) : [];
      all1.push(...ms);
      allT.push(...torch1);
      all2.push(...torch2);
      const row: Record<string, number> = {
        round: r,
        tfjsMs: r1(median(ms)),
        torchMs: r2(median(torch1)),
        ratio: r2(median(ms) / median(torch1)),
      };
      if (TORCH2) Object.assign(row, { torch2Ms: r2(median(torch2)), ratio2: r2(median(ms) / median(torch2)) });
      rounds.push(row);
      console.log(
        `${String(r).padEnd(8)}${pad(row.tfjsMs, 10)}${pad(row.torchMs, 10)}${pad(`${row.ratio}×`, 8)}${TORCH2 ? `${pad(row.torch2Ms, 11)}${pad(`${row.ratio2}×`, 8)}` : ''}`,
      );
    }
    const tfjsMs = r1(median(all1));
    const torchMs = r2(median(allT));
    const ratio = r2(median(all1) / median(allT));
    const extra = TORCH2 ? { torch2Ms: r2(median(all2)), ratio2: r2(median(all1) / median(all2)) } : {};
    console.log(
      `${'overall'.padEnd(8)}${pad(tfjsMs, 10)}${pad(torchMs, 10)}${pad(`${ratio}×`, 8)}${TORCH2 ? `${pad(extra.torch2Ms!, 11)}${pad(`${extra.ratio2}×`, 8)}` : ''}`,
    );
    const loadEnd = os.loadavg();
    console.log(
      `  medians over all ${ROUNDS * STEPS} steps per column; load avg at the end ${loadEnd.map((x) => x.toFixed(2)).join(' ')}`,
    );
    const out = {
      date: new Date().toISOString(),
      about:
        'Student CE training step (cached frozen-encoder features; fwd + bwd + clip + Adam + one host read), tfjs wasm vs its PyTorch mirror tools/peer/peer_step.py, alternating rounds in one run (npm run bench:peer).',
      shape,
      steps: STEPS,
      warmup: WARMUP,
      rounds,
      tfjsMs,
      torchMs,
      ratio,
      ...extra,
      torch: String(ready.torch),
      blas: String(ready.blas),
      threads: 1,
      tfjs: { version: tf.version_core, backend: tf.getBackend(), threads: 1, node: process.version, kernels },
      adam: 'torch.optim.Adam (default implementation), eps from the trainer config',
      torch2: TORCH2 ? { threads: 2, ompWaitPolicy: env.OMP_WAIT_POLICY } : null,
      check: {
        steps: chk.steps.length,
        maxAbsDiff: chk.maxAbsDiff,
        about:
          "torch replays the tfjs trainer's first steps (same init weights, batches, features): values total…attention and gradNorm. The largest gap is gradNorm (≈ 1e-4 relative): tfjs-wasm's float32 sum of squares; the per-parameter gradients agree to ≈ 3e-7 and a float64 norm of the tfjs gradients gives torch's value.",
        perStep: chk.steps,
      },
      machine: {
        cpus: os.cpus().length,
        cpu: os.cpus()[0]?.model ?? 'unknown',
        loadAvgStart: loadStart.map(r2),
        loadAvgEnd: loadEnd.map(r2),
      },
    };
    mkdirSync(path.dirname(OUT_FILE), { recursive: true });
    writeFileSync(OUT_FILE, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`wrote ${path.relative(ROOT, OUT_FILE)}`);
  } finally {
    peer.quit();
    dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
