// Parameters as plain records of tf.Variables under stable dotted names (e.g. `lm.blocks.0.attn.wq`), seeded
// init from Rng, and conversion to/from host records for safetensors (`encoder.*`, `teacher.*` in DESIGN §4).
import { FieldError } from '../core/base/errors';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../core/base/rng';

/** Dotted name → trainable variable. tf variable names are left automatic (unique per engine). */
export type Params = Record<string, tf.Variable>;
/** Host copy of parameters: dotted name → shape + float32 data (row-major). */
export type HostParams = Record<string, { shape: number[]; data: Float32Array }>;

/** One parameter's shape and initialiser: normal(0, std²), zeros or ones. */
export interface ParamSpec {
  shape: number[];
  init: 'normal' | 'zeros' | 'ones';
  std?: number;
}
export type ParamSpecs = Record<string, ParamSpec>;

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Create variables from specs, drawing normals from rng in the specs' key order (so init is seed-stable). */
export function initParams(specs: ParamSpecs, rng: Rng): Params {
  const out: Params = {};
  for (const [name, s] of Object.entries(specs)) {
    const n = size(s.shape);
    const data = new Float32Array(n);
    if (s.init === 'ones') data.fill(1);
    else if (s.init === 'normal') {
      const std = s.std ?? 0.02;
      for (let i = 0; i < n; i++) data[i] = rng.normal() * std;
    }
    out[name] = tf.tidy(() => tf.variable(tf.tensor(data, s.shape, 'float32'), true));
  }
  return out;
}

/** Read every parameter to the host (one `await data()` per tensor), names prefixed with `prefix`. */
export async function exportParams(params: Params, prefix = ''): Promise<HostParams> {
  const out: HostParams = {};
  for (const [name, v] of Object.entries(params)) {
    out[prefix + name] = { shape: v.shape.slice(), data: new Float32Array(await v.data()) };
  }
  return out;
}

/**
 * Create variables from the host record's entries whose name starts with `prefix` (stripped). With `specs`,
 * exactly the spec'd names are loaded: each must be present with that shape, and an extra name under one of the
 * specs' roots (e.g. `lm.`) is an error; other names (images, other models) are ignored. Errors name the tensor.
 */
export function loadParams(record: HostParams, prefix = '', specs?: ParamSpecs, source = 'params'): Params {
  const picked: HostParams = {};
  for (const [name, t] of Object.entries(record)) {
    if (name.startsWith(prefix)) picked[name.slice(prefix.length)] = t;
  }
  if (specs) {
    for (const [name, s] of Object.entries(specs)) {
      const t = picked[name];
      const field = `tensor ${prefix}${name}`;
      if (!t)
        throw new FieldError({
          file: source,
          field,
          expected: `a tensor of shape [${s.shape}] (it is missing)`,
          hint: 'the weights were written for another model config',
        });
      if (t.shape.length !== s.shape.length || t.shape.some((d, i) => d !== s.shape[i])) {
        throw new FieldError({
          file: source,
          field,
          expected: `shape [${s.shape}]`,
          got: t.shape,
          hint: 'the weights were written for another model config',
        });
      }
    }
    const roots = new Set(Object.keys(specs).map((n) => n.split('.')[0]));
    for (const name of Object.keys(picked)) {
      if (!specs[name] && roots.has(name.split('.')[0])) {
        throw new FieldError({
          file: source,
          field: `tensor ${prefix}${name}`,
          expected: 'no such tensor for this model config (it is unexpected)',
        });
      }
    }
  }
  const out: Params = {};
  const names = specs ? Object.keys(specs) : Object.keys(picked);
  for (const name of names) {
    const t = picked[name];
    if (t.data.length !== size(t.shape)) {
      throw new FieldError({
        file: source,
        field: `tensor ${prefix}${name}`,
        expected: `${size(t.shape)} values for shape [${t.shape}]`,
        got: `${t.data.length} values`,
      });
    }
    out[name] = tf.tidy(() => tf.variable(tf.tensor(Float32Array.from(t.data), t.shape, 'float32'), true));
  }
  return out;
}

/** Clone a parameter set (new variables). */
export function cloneParams(src: Params): Params {
  const out: Params = {};
  for (const [name, v] of Object.entries(src)) out[name] = tf.tidy(() => tf.variable(v.clone(), true));
  return out;
}

export function disposeParams(params: Params): void {
  for (const v of Object.values(params)) v.dispose();
}

export function countParams(params: Params | ParamSpecs): number {
  let n = 0;
  for (const v of Object.values(params)) n += size(v.shape as number[]);
  return n;
}

/** The subset of params whose names start with one of the prefixes. */
export function pick(params: Params, ...prefixes: string[]): Params {
  const out: Params = {};
  for (const [name, v] of Object.entries(params)) if (prefixes.some((p) => name.startsWith(p))) out[name] = v;
  return out;
}

/** A copy of the `prefixes` tensors of `src`, after checking it holds every spec with its shape (errors name `${what}.<name>`). */
export function cloneChecked(src: Params, specs: ParamSpecs, what: string, ...prefixes: string[]): Params {
  for (const [name, s] of Object.entries(specs)) {
    const v = src[name];
    if (!v || v.shape.join() !== s.shape.join()) {
      throw new FieldError({ field: `${what}.${name}`, expected: `shape [${s.shape}]`, got: v ? v.shape : 'nothing' });
    }
  }
  return cloneParams(pick(src, ...prefixes));
}
