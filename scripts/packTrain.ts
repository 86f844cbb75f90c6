// CLI: `npm run --silent pack:train -- FILE [--steps 200] [--backend cpu|wasm] [--every 20]` trains the lab's student on
// any pack (version 1 or 2) with the lab's default config fitted to it, and prints a step log and the val accuracy.
import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG, mergeConfig } from '../src/core/config/config';
import { parsePack, summarizePack } from '../src/core/pack/pack';
import { initBackend } from '../src/model/backend';
import { buildStudentRun, checkConfigAgainstPack } from '../src/model/studentRun';
import { readStep } from '../src/model/train/trainer';

function arg(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
}

async function main(argv: string[]): Promise<void> {
  const args = argv.filter((a) => a !== '--');
  const file = args[0];
  if (!file || file.startsWith('-')) {
    process.stderr.write(
      'usage: npm run --silent pack:train -- FILE [--steps 200] [--backend cpu|wasm] [--every 20]\n',
    );
    process.exit(2);
  }
  const steps = Number(arg(args, '--steps', '200'));
  const every = Number(arg(args, '--every', '20'));
  await initBackend(arg(args, '--backend', 'wasm') as 'cpu' | 'wasm');
  const pack = parsePack(new Uint8Array(readFileSync(file)), file);
  const s = summarizePack(pack);
  console.log(
    JSON.stringify({
      file,
      version: s.version,
      n: s.n,
      features: s.features ?? 'images + encoder',
      vocabulary: s.vocabulary ?? "the pack's own",
      targets: s.targets,
    }),
  );
  // The lab's defaults, with the KD mode a top-K pack allows (tail at T = 1 keeps the teacher's full-vocabulary mass).
  const topk = pack.meta.targets.kind === 'topk';
  const cfg = checkConfigAgainstPack(
    mergeConfig(DEFAULT_CONFIG, topk ? { kd: { topKMode: 'tail', T: 1, topK: pack.dims.K } } : {}),
    pack,
  );
  const run = buildStudentRun(pack, cfg, { name: file, evalSamples: 250 });
  const t0 = performance.now();
  try {
    for (let i = 0; i < steps; i++) {
      const r = await readStep(run.trainer.step());
      if (i % every === 0 || i === steps - 1) {
        console.log(
          JSON.stringify({
            step: r.step,
            total: +r.total.toFixed(4),
            ce: +r.ce.toFixed(4),
            kd: +r.kd.toFixed(4),
            lr: +r.lr.toExponential(3),
          }),
        );
      }
    }
    const ms = (performance.now() - t0) / Math.max(1, steps);
    const acc = await run.accuracy();
    console.log(
      JSON.stringify({
        steps,
        msPerStep: +ms.toFixed(1),
        valOverall: acc.overall,
        perFamily: Object.fromEntries(pack.meta.families.map((f, i) => [f, acc.perFamily[i]])),
        teacher: pack.meta.teacher.accuracy,
      }),
    );
  } finally {
    run.dispose();
  }
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
