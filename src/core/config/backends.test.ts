// The one backend list: the order a lost device falls back through, and what `?backend=` accepts ('auto' first).
import { describe, expect, it } from 'vitest';
import { BACKEND_CHOICES, BACKEND_ORDER, nextBackend } from './backends';

describe('backends', () => {
  it('falls back webgpu → webgl → wasm → cpu', () => {
    expect(['webgpu', 'webgl', 'wasm', 'cpu', 'odd'].map(nextBackend)).toEqual(['webgl', 'wasm', 'cpu', 'cpu', 'wasm']);
  });

  it("accepts 'auto' and every backend in the link", () => {
    expect(BACKEND_CHOICES).toEqual(['auto', ...BACKEND_ORDER]);
  });
});
