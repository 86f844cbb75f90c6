// FieldError: the one bad-input error (file, field, expected, got, hint) and the subclasses that share it.
// Checks the message names the field once and that pack, config and run-import errors carry the same parts.
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, mergeConfig, validateConfig } from '../config/config';
import { FieldError } from './errors';
import { PackError } from '../pack/safetensors';

const count = (s: string, sub: string) => s.split(sub).length - 1;

describe('FieldError', () => {
  it('formats file, field, expected, got and hint, naming the field once', () => {
    const e = new FieldError({
      file: 'a.json',
      field: 'metrics.step',
      expected: 'an array',
      got: 3,
      hint: 'export the run again',
    });
    expect(e.message).toBe('a.json: metrics.step: expected an array, got 3. HINT: export the run again');
    expect(e.detail).toBe('expected an array, got 3. HINT: export the run again');
    expect(count(e.message, 'metrics.step')).toBe(1);
    expect(e.got).toBe('3');
    expect(e.hint).toBe('export the run again');
  });

  it('shows non-finite numbers as themselves', () => {
    expect(new FieldError({ field: 'seed', expected: 'a finite number', got: NaN }).message).toBe(
      'seed: expected a finite number, got NaN',
    );
    expect(new FieldError({ field: 'x', expected: 'finite', got: -Infinity }).got).toBe('-Infinity');
  });

  it('keeps long offending values short', () => {
    const e = new FieldError({ field: 'x', expected: 'short', got: 'y'.repeat(500) });
    expect(e.message.length).toBeLessThan(100);
  });

  it('is the base of config and pack errors', () => {
    let err: unknown;
    try {
      validateConfig(mergeConfig(DEFAULT_CONFIG, { kd: { T: -1 } }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toBeInstanceOf(FieldError);
    const c = err as ConfigError;
    expect(c.field).toBe('kd.T');
    expect(c.qualifiedField).toBe('config.kd.T');
    expect(count(c.message, 'kd.T')).toBe(1);
    expect(c.detail).not.toContain('kd.T');
    const p = new PackError('p.safetensors', 'metadata.version', '"1" or "2"');
    expect(p).toBeInstanceOf(FieldError);
    expect(p.message).toBe('p.safetensors: metadata.version: "1" or "2"');
    expect(p.detail).toBe('"1" or "2"');
  });
});
