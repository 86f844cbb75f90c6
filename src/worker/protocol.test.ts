// serializeError: what crosses the worker boundary carries the field, file, detail and hint of a FieldError,
// read from the error itself (never parsed out of the message), and nothing invented for a plain Error.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/config/config';
import { PackError } from '../core/pack/safetensors';
import { serializeError } from './protocol';

describe('serializeError', () => {
  it('carries the parts of a FieldError', () => {
    const s = serializeError(new ConfigError('kd.source', "'cached'", 'online', 'turn the online teacher off'));
    expect(s).toMatchObject({ name: 'ConfigError', field: 'config.kd.source', hint: 'turn the online teacher off' });
    expect(s.detail).toBe(`expected 'cached', got "online". HINT: turn the online teacher off`);
    expect(s.message).toBe(`config.kd.source: ${s.detail}`);
    const p = serializeError(new PackError('x.safetensors', 'tensor images', 'U8'));
    expect(p).toMatchObject({ name: 'PackError', field: 'tensor images', file: 'x.safetensors', detail: 'U8' });
  });

  it('does not guess a field from a plain message', () => {
    const s = serializeError(new Error('something about config.kd.T went wrong'));
    expect(s.field).toBeUndefined();
    expect(serializeError('boom')).toEqual({ name: 'Error', message: 'boom' });
  });
});
