// A run as the lab keeps it (config + every logged step + val evaluations + alignment over training), and its
// CSV / JSON forms: export, and an import that names the file, the field and what was expected. Pure TS.
import { DEFAULT_CONFIG, type TrainConfig, validateConfig } from '../core/config/config';
import { FieldError } from '../core/base/errors';
import { TERM_NAMES, VALUE_NAMES, type ValueName } from '../core/kd/terms';
import type { EvalRow, StepSeries } from './series';

export const RUN_FORMAT = 'llavadi-lab-run';
export const RUN_VERSION = 1;
/** The record schema this build writes and reads (IndexedDB and export). A record without one is older: migrated. */
export const RUN_SCHEMA = 1;

/** The loss terms, in CSV column order after `step,loss` (the total is `loss`). */

export interface AlignmentRow {
  step: number; // steps done when measured
  values: number[]; // [S·A] per-position divergence of the fixed val samples (NaN: no answer slot)
}

export interface RunRecord {
  format: typeof RUN_FORMAT;
  version: typeof RUN_VERSION;
  schema: number; // RUN_SCHEMA when written; records without it (older builds) are migrated when read
  id: string;
  name: string;
  createdAt: string; // ISO time of the first step
  pack: string; // pack file name
  backend: string | null;
  config: TrainConfig; // in force at the first step (what a shared URL carries)
  finalConfig: TrainConfig; // in force at the last logged step (knobs may move mid-run)
  families: string[];
  metrics: {
    step: number[]; // steps done (1-based) of each logged row
    lr: number[];
    values: Record<ValueName, number[]>; // total ce seq kd hidden affinity attention gradNorm (NaN: not measured)
  };
  evals: { step: number; overall: number; perFamily: number[]; valLoss: number[] }[]; // valLoss: total, CE, KD
  alignment: { samples: number; A: number; rows: AlignmentRow[] };
  imported?: boolean;
}

export interface LiveRunMeta {
  id: string;
  name: string;
  createdAt: string;
  pack: string;
  backend: string | null;
  config: TrainConfig;
  families: string[];
  alignSamples: number;
  A: number;
}

/** Snapshot the live run (series rows, evals, alignment rows) into a RunRecord. */
export function snapshotRun(
  meta: LiveRunMeta,
  series: StepSeries,
  evals: EvalRow[],
  alignment: AlignmentRow[],
  finalConfig: TrainConfig,
): RunRecord {
  const n = series.n;
  const values = Object.fromEntries(VALUE_NAMES.map((k) => [k, Array.from(series.column(k))])) as Record<
    ValueName,
    number[]
  >;
  return {
    format: RUN_FORMAT,
    version: RUN_VERSION,
    schema: RUN_SCHEMA,
    id: meta.id,
    name: meta.name,
    createdAt: meta.createdAt,
    pack: meta.pack,
    backend: meta.backend,
    config: meta.config,
    finalConfig,
    families: meta.families,
    metrics: {
      step: Array.from(series.step.subarray(0, n), (s) => s + 1),
      lr: Array.from(series.lr.subarray(0, n)),
      values,
    },
    evals: evals.map((e) => ({
      step: e.step,
      overall: e.overall,
      perFamily: Array.from(e.perFamily),
      valLoss: Array.from(e.valLoss),
    })),
    alignment: {
      samples: meta.alignSamples,
      A: meta.A,
      rows: alignment.map((r) => ({ step: r.step, values: [...r.values] })),
    },
  };
}

/** The last evaluation of a run, or null. */
export function lastEval(r: RunRecord): RunRecord['evals'][number] | null {
  return r.evals.length ? r.evals[r.evals.length - 1] : null;
}

const num = (v: number) => (Number.isFinite(v) ? String(v) : '');

/** CSV: one row per logged step; header `step,loss,<terms>,lr,val_overall,val_<family>…,val_loss,val_ce,val_kd`. */
export function runToCsv(r: RunRecord): string {
  const valCols = ['val_overall', ...r.families.map((f) => `val_${f}`), 'val_loss', 'val_ce', 'val_kd'];
  const lines = [['step', 'loss', ...TERM_NAMES, 'lr', ...valCols].join(',')];
  const byStep = new Map(r.evals.map((e) => [e.step, e]));
  r.metrics.step.forEach((step, i) => {
    const e = byStep.get(step);
    const val = e
      ? [e.overall, ...r.families.map((_, f) => e.perFamily[f]), ...e.valLoss].map(num)
      : valCols.map(() => '');
    lines.push(
      [
        String(step),
        num(r.metrics.values.total[i]),
        ...TERM_NAMES.map((t) => num(r.metrics.values[t][i])),
        num(r.metrics.lr[i]),
        ...val,
      ].join(','),
    );
  });
  return `${lines.join('\n')}\n`;
}

/** JSON export: the record itself; non-finite numbers become null. */
export function runToJson(r: RunRecord): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1);
}

/** An import error names the file (or the stored record), the field and what was expected, with a hint when one helps. */
export class RunImportError extends FieldError {
  declare readonly file: string;
  constructor(file: string, field: string, expected: string, got?: unknown, hint?: string) {
    super(got === undefined ? { file, field, expected, hint } : { file, field, expected, got, hint });
    this.name = 'RunImportError';
  }
}

/** The largest run file an import reads (bytes): a 10,000-step run exports to ≈ 2 MiB; anything past this is refused unread. */
export const MAX_RUN_JSON_BYTES = 50 * 1024 * 1024;
/** Longest name / pack / backend / date string an import keeps (characters). */
const MAX_STRING = 1000;
const MIB = 1024 * 1024;

/**
 * `bytes` in MiB with as many decimals (1 to 6) as it takes to differ from `limit` in MiB, so a size just over the
 * cap never reads as the cap itself ("51.0 MiB", "50.000001 MiB"); the exact byte count when even 6 do not tell.
 */
export function formatMiB(bytes: number, limit = MAX_RUN_JSON_BYTES): string {
  if (!Number.isFinite(bytes)) return 'an unknown size';
  for (let d = 1; d <= 6; d++) {
    const s = (bytes / MIB).toFixed(d);
    if (s !== (limit / MIB).toFixed(d)) return `${s} MiB`;
  }
  return `${(bytes / MIB).toFixed(6)} MiB (${bytes.toLocaleString('en-US')} bytes)`;
}

/** Refuse a run file by its size before reading it (a File's `size`), naming the file; MiB on both sides. */
export function checkRunFileSize(bytes: number, file: string): void {
  if (!(bytes <= MAX_RUN_JSON_BYTES)) {
    throw new RunImportError(
      file,
      '(file)',
      `at most ${MAX_RUN_JSON_BYTES / MIB} MiB of JSON, got ${formatMiB(bytes)}`,
      undefined,
      'a run of 10,000 steps exports to about 2 MiB; check that this is a run exported by the lab (Export JSON)',
    );
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
function finiteNum(file: string, field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RunImportError(file, field, 'a finite number', v);
  return v;
}
function count(file: string, field: string, v: unknown): number {
  if (v === undefined) return 0;
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw new RunImportError(file, field, 'an integer ≥ 0', v);
  return v as number;
}
/** JSON's null back to NaN; anything else not a number is refused. */
function nums(file: string, field: string, v: unknown, len?: number): number[] {
  if (!Array.isArray(v))
    throw new RunImportError(
      file,
      field,
      'an array of numbers',
      v === undefined ? undefined : v,
      v === undefined ? 'the field is missing' : undefined,
    );
  if (len !== undefined && v.length !== len) throw new RunImportError(file, field, `${len} entries, got ${v.length}`);
  return v.map((x, i) => {
    if (x === null) return NaN;
    if (typeof x !== 'number')
      throw new RunImportError(file, `${field}[${i}]`, `a number or null, got ${JSON.stringify(x)?.slice(0, 60)}`);
    return x;
  });
}
function str(file: string, field: string, v: unknown): string {
  if (typeof v !== 'string') throw new RunImportError(file, field, `a string, got ${JSON.stringify(v)?.slice(0, 60)}`);
  if (v.length > MAX_STRING)
    throw new RunImportError(file, field, `a string of at most ${MAX_STRING} characters, got ${v.length}`);
  return v;
}
/** The config's sections that must be objects before validateConfig reads inside them. */
const CONFIG_SECTIONS = Object.keys(DEFAULT_CONFIG).filter((k) =>
  isObj((DEFAULT_CONFIG as unknown as Record<string, unknown>)[k]),
);
function cfg(file: string, field: string, v: unknown): TrainConfig {
  const hint = 'the run file lost its training config: export the run again from the lab that made it';
  if (!isObj(v))
    throw new RunImportError(
      file,
      field,
      `an object: the training config of the run (seed, weights, kd, optim, …)${v === undefined ? ' (the field is missing)' : ''}`,
      v === undefined ? undefined : v,
      hint,
    );
  for (const k of CONFIG_SECTIONS)
    if (!isObj(v[k]))
      throw new RunImportError(
        file,
        `${field}.${k}`,
        `an object${v[k] === undefined ? ' (the field is missing)' : ''}`,
        v[k] === undefined ? undefined : v[k],
        hint,
      );
  try {
    return validateConfig(v as unknown as TrainConfig);
  } catch (e) {
    if (e instanceof FieldError)
      throw new RunImportError(
        file,
        `${field}.${e.field}`,
        e.got !== undefined ? `${e.expected}, got ${e.got}` : e.expected,
        undefined,
        e.hint,
      );
    throw new RunImportError(file, field, `a valid training config (${e instanceof Error ? e.message : String(e)})`);
  }
}
/** The record's schema: absent (an older build: migrated), ours, or newer (refused, saying so). */
function schemaOf(file: string, v: unknown, what: 'schema' | 'version', ours: number): void {
  if (v === undefined && what === 'schema') return;
  if (v === ours) return;
  if (Number.isSafeInteger(v) && (v as number) > ours) {
    throw new RunImportError(
      file,
      what,
      `${what} ${ours} or older, got ${v as number}`,
      undefined,
      `it came from a newer build of the lab (${what} ${v as number}; this build reads ${ours}): open it there, or reload to update this one`,
    );
  }
  throw new RunImportError(file, what, `${ours}`, v);
}

/**
 * The one validator of runs the lab reads: an imported file (`newId` given: the run gets it and is marked imported)
 * and a record read back from IndexedDB (no `newId`: it keeps its own id). Throws RunImportError naming the field.
 * A record without `schema` (an older build) is migrated to RUN_SCHEMA; a newer schema is refused as such.
 */
export function validateRun(o: unknown, file: string, newId?: string): RunRecord {
  if (!isObj(o)) throw new RunImportError(file, '(root)', 'a JSON object', o);
  if (o.format !== RUN_FORMAT)
    throw new RunImportError(file, 'format', `"${RUN_FORMAT}", got ${JSON.stringify(o.format)}`);
  schemaOf(file, o.schema, 'schema', RUN_SCHEMA);
  schemaOf(file, o.version, 'version', RUN_VERSION);
  const id = newId ?? str(file, 'id', o.id);
  if (!id) throw new RunImportError(file, 'id', 'a non-empty string');
  const m = o.metrics;
  if (!isObj(m))
    throw new RunImportError(
      file,
      'metrics',
      `an object {step, lr, values}${m === undefined ? ' (the field is missing)' : ''}`,
      m === undefined ? undefined : m,
    );
  const step = nums(file, 'metrics.step', m.step);
  step.forEach((x, i) => finiteNum(file, `metrics.step[${i}]`, x));
  const n = step.length;
  if (!isObj(m.values))
    throw new RunImportError(
      file,
      'metrics.values',
      `an object with ${VALUE_NAMES.join(', ')}${m.values === undefined ? ' (the field is missing)' : ''}`,
      m.values === undefined ? undefined : m.values,
    );
  const mv = m.values;
  const values = Object.fromEntries(VALUE_NAMES.map((k) => [k, nums(file, `metrics.values.${k}`, mv[k], n)])) as Record<
    ValueName,
    number[]
  >;
  if (!Array.isArray(o.families) || !o.families.every((f) => typeof f === 'string'))
    throw new RunImportError(file, 'families', 'an array of family names');
  const families = o.families as string[];
  if (!Array.isArray(o.evals)) throw new RunImportError(file, 'evals', 'an array');
  const evals = o.evals.map((e, i) => {
    if (!isObj(e)) throw new RunImportError(file, `evals[${i}]`, 'an object {step, overall, perFamily, valLoss}');
    finiteNum(file, `evals[${i}].step`, e.step);
    const overall = e.overall === null ? NaN : e.overall;
    if (typeof overall !== 'number') throw new RunImportError(file, `evals[${i}].overall`, 'a number or null');
    return {
      step: e.step as number,
      overall,
      perFamily: nums(file, `evals[${i}].perFamily`, e.perFamily, families.length),
      valLoss: nums(file, `evals[${i}].valLoss`, e.valLoss, 3),
    };
  });
  if (o.alignment !== undefined && !isObj(o.alignment))
    throw new RunImportError(file, 'alignment', 'an object {samples, A, rows}');
  const al = isObj(o.alignment) ? o.alignment : { samples: 0, A: 0, rows: [] };
  if (!Array.isArray(al.rows)) throw new RunImportError(file, 'alignment.rows', 'an array');
  const samples = count(file, 'alignment.samples', al.samples);
  const A = count(file, 'alignment.A', al.A);
  const rows = (al.rows as unknown[]).map((r, i) => {
    if (!isObj(r)) throw new RunImportError(file, `alignment.rows[${i}]`, 'an object {step, values}');
    const width = samples * A > 0 ? samples * A : undefined; // values [samples·A]
    return {
      step: finiteNum(file, `alignment.rows[${i}].step`, r.step),
      values: nums(file, `alignment.rows[${i}].values`, r.values, width),
    };
  });
  const config = cfg(file, 'config', o.config);
  const rec: RunRecord = {
    format: RUN_FORMAT,
    version: RUN_VERSION,
    schema: RUN_SCHEMA,
    id,
    name: str(file, 'name', o.name),
    createdAt: str(file, 'createdAt', o.createdAt),
    pack: str(file, 'pack', o.pack),
    backend: o.backend === null || o.backend === undefined ? null : str(file, 'backend', o.backend),
    config,
    finalConfig: o.finalConfig === undefined ? config : cfg(file, 'finalConfig', o.finalConfig),
    families,
    metrics: { step, lr: nums(file, 'metrics.lr', m.lr, n), values },
    evals,
    alignment: { samples, A, rows },
  };
  if (newId !== undefined || o.imported === true) rec.imported = true;
  return rec;
}

/** Parse an exported run (JSON text). Throws RunImportError; the imported run gets a fresh id. */
export function parseRunJson(text: string, file: string, newId: string): RunRecord {
  if (typeof text !== 'string') throw new RunImportError(file, '(file)', 'JSON text');
  checkRunFileSize(text.length, file); // UTF-16 code units: ≤ the UTF-8 byte count, so a file over the cap is caught
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw new RunImportError(file, '(file)', `JSON text (${e instanceof Error ? e.message : String(e)})`);
  }
  return validateRun(o, file, newId);
}
