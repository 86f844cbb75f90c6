// CLI: `npm run --silent pack:inspect -- FILE` validates a teacher pack (plain or gzipped safetensors, DESIGN §4) with the
// lab's own checks (parsePack, then checkPackBuildable) and prints its summary (exit 0), or `error: <file>: <field>: <expected>` (exit 1).
import { checkPackFileSize } from '../src/core/pack/packCost';
import { readFileSync, statSync } from 'node:fs';
import { parsePack, summarizePack, PackError } from '../src/core/pack/pack';
import { checkPackBuildable } from '../src/model/packBuildable';
import { checkRunCost } from '../src/model/studentRun';
import { DEFAULT_CONFIG } from '../src/core/config/config';

function fail(message: string, code = 1): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

const isFlat = (x: unknown): boolean =>
  x === null || typeof x !== 'object' || (Array.isArray(x) && x.every((y) => y === null || typeof y !== 'object'));

/** JSON with objects indented; flat arrays and short flat objects (shapes, a tensor's dtype+shape) on one line. */
function pretty(v: unknown, indent = ''): string {
  if (isFlat(v)) return JSON.stringify(v);
  const oneLine = JSON.stringify(v);
  if (!Array.isArray(v) && Object.values(v as object).every(isFlat) && oneLine.length <= 72) return oneLine;
  const inner = indent + '  ';
  const items = Array.isArray(v)
    ? v.map((x) => inner + pretty(x, inner))
    : Object.entries(v as Record<string, unknown>).map(([k, x]) => `${inner}${JSON.stringify(k)}: ${pretty(x, inner)}`);
  if (items.length === 0) return Array.isArray(v) ? '[]' : '{}';
  const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
  return `${open}\n${items.join(',\n')}\n${indent}${close}`;
}

function main(argv: string[]): void {
  const args = argv.filter((a) => a !== '--');
  if (args.length !== 1 || args[0] === '-h' || args[0] === '--help') {
    fail('usage: npm run --silent pack:inspect -- FILE   (FILE: .safetensors or .safetensors.gz teacher pack)', 2);
  }
  const file = args[0];
  let bytes: Uint8Array;
  try {
    const st = statSync(file);
    if (!st.isFile()) fail(`${file}: file: a regular file`);
    checkPackFileSize(file, st.size); // the lab's file picker refuses the same files unread (src/core/pack/packCost.ts)
    const buf = readFileSync(file);
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    if (e instanceof PackError) fail(e.message);
    const err = e as NodeJS.ErrnoException;
    fail(`${file}: file: a readable file (${err.code ?? err.message})`);
  }
  try {
    const pack = parsePack(bytes, file);
    checkPackBuildable(pack, file); // what the lab's loader checks before it builds (src/model/fromPack.ts encoderConfigOf)
    checkRunCost(pack, DEFAULT_CONFIG, 1, 'pack', file); // and a step of the lab's default run within its bounds (src/core/pack/packCost.ts)
    const summary = summarizePack(pack);
    process.stdout.write(pretty(summary) + '\n');
  } catch (e) {
    if (e instanceof PackError) fail(e.message);
    fail(`${file}: internal: ${e instanceof Error ? e.message : String(e)} (a bug in the reader; please report it)`);
  }
}

main(process.argv.slice(2));
