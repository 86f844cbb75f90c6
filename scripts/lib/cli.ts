// Tiny shared helpers for Node scripts: `--flag value` argument parsing with named errors, and a progress line
// with rate and ETA for long work.

export type Args = Record<string, string | boolean>;

/** Parse `--key value` and bare `--flag` (boolean) arguments; positional arguments go to `_`. */
export interface ParsedArgs {
  flags: Args;
  _: string[];
}

export function parseArgs(argv: string[]): Args & { _: string[] } {
  const out = { _: [] as string[] } as unknown as Args & { _: string[] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') continue;
    if (a.startsWith('--')) {
      const key = a.slice(2);
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        out[key] = next;
        i++;
      } else out[key] = true;
    } else out._.push(a);
  }
  return out;
}

export function intArg(args: Args, key: string, def: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = args[key];
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`--${key}: expected an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return n;
}

export function fmtSec(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  const r = Math.round(s % 60);
  return m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}

/** Progress reporter: `label done/total (pct) rate/s ETA …`, on stderr, at most every `everyMs`. */
export class Progress {
  private readonly t0 = performance.now();
  private last = 0;
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly startAt = 0,
    private readonly everyMs = 2000,
  ) {}
  update(done: number, extra = '', force = false): void {
    const now = performance.now();
    if (!force && now - this.last < this.everyMs && done < this.total) return;
    this.last = now;
    const el = (now - this.t0) / 1000;
    const rate = (done - this.startAt) / Math.max(el, 1e-9);
    const eta = (this.total - done) / Math.max(rate, 1e-9);
    const pct = ((100 * done) / this.total).toFixed(1);
    process.stderr.write(
      `[${this.label}] ${done}/${this.total} (${pct}%) ${rate.toFixed(2)}/s elapsed ${fmtSec(el)} ETA ${fmtSec(eta)} ${extra}\n`,
    );
  }
}
