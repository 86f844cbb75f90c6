// `npm run study`: the full study of issue 15 (every finding's conditions on a pack, resumable, `--jobs N`), one run
// of it (`--condition ID --seed N [--json]`, contract: last line {"overall","perFamily"}), the quick study (`--quick`), or
// the fair study's plan (`--plan`, issue 28).
import { parseArgs } from './lib/cli';
import { runFairStudy } from './lib/fairStudy';
import { runFull, runOne } from './lib/fullStudy';
import { printFairPlan } from './lib/fairPlan';
import { runQuickStudy } from './lib/quickStudy';

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.plan === true) printFairPlan(args);
  else if (args.fair === true) await runFairStudy(args);
  else if (args.quick === true) await runQuickStudy(args);
  else if (args.condition !== undefined) await runOne(args);
  else await runFull(args);
}

main().catch((e) => {
  process.stderr.write(`error: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
