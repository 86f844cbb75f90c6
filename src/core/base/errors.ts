// The one error shape for bad input (packs, configs, imported runs, trainer data, generator options): it carries the
// file, the field, what was expected, what was found and an optional hint, so every layer can show them without parsing.

/** What a field error knows; `got` is shown as brief JSON. */
export interface FieldErrorInfo {
  file?: string; // the input file, when the error is about one (`shapes.safetensors.gz`, `run.json`)
  scope?: string; // a prefix that qualifies the field (`config` → `config.kd.T`)
  field: string; // the offending field (`kd.T`, `metadata.version`, `tensor images`)
  expected: string; // what was expected, in words
  got?: unknown; // what was found (omitted when `expected` already says it)
  hint?: string; // what the person can do about it
}

/** A short, safe rendering of an offending value (never the whole of a big one). */
export function brief(v: unknown, max = 60): string {
  let s: string;
  try {
    if (typeof v === 'number' && !Number.isFinite(v))
      s = String(v); // JSON would say null
    else
      s = typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'undefined' : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/**
 * Bad input: names the field once. message = `[file: ]field: detail[ HINT: hint]`, where detail is
 * `expected …[, got …]`, or, for the pack reader's historic wording, the expectation text alone.
 */
export class FieldError extends Error {
  readonly file?: string;
  readonly scope?: string;
  readonly field: string;
  readonly expected: string;
  readonly got?: string;
  readonly hint?: string;
  /** The message without the file and the field: what a banner shows next to the field. */
  readonly detail: string;

  constructor(info: FieldErrorInfo, detail?: string) {
    const got = 'got' in info ? brief(info.got) : undefined;
    const body = detail ?? `expected ${info.expected}${got !== undefined ? `, got ${got}` : ''}`;
    const d = info.hint ? `${body}. HINT: ${info.hint}` : body;
    const q = info.scope ? `${info.scope}.${info.field}` : info.field;
    super(`${info.file ? `${info.file}: ` : ''}${q}: ${d}`);
    this.name = 'FieldError';
    this.file = info.file;
    this.scope = info.scope;
    this.field = info.field;
    this.expected = info.expected;
    this.got = got;
    this.hint = info.hint;
    this.detail = d;
  }

  /** The field as shown to a person (`config.kd.T`). */
  get qualifiedField(): string {
    return this.scope ? `${this.scope}.${this.field}` : this.field;
  }
}

/** An error about an input file: which file, which field, what was expected. message = `${file}: ${field}: ${expected}`. */
export class PackError extends FieldError {
  declare readonly file: string;
  constructor(file: string, field: string, expected: string, hint?: string) {
    super({ file, field, expected, hint }, expected);
    this.name = 'PackError';
  }
}

/** Throws a FieldError unless `ok`. */
export function check(ok: boolean, info: FieldErrorInfo): asserts ok {
  if (!ok) throw new FieldError(info);
}
