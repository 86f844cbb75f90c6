// auto's decision from a probe's figures: switch only to a backend measurably faster than the current one.
import { describe, expect, it } from 'vitest';
import { pickFaster, probeNote } from './autoBackend';

describe('auto backend choice', () => {
  it('keeps wasm unless another backend is at least 20 % faster', () => {
    expect(pickFaster({ wasm: 60, webgpu: 700 }, 'wasm')).toBeNull(); // a software adapter
    expect(pickFaster({ wasm: 60, webgpu: 55 }, 'wasm')).toBeNull(); // within noise
    expect(pickFaster({ wasm: 60, webgpu: 40, webgl: 45 }, 'wasm')).toBe('webgpu');
    expect(pickFaster({ wasm: 60, webgpu: Infinity, webgl: 30 }, 'wasm')).toBe('webgl');
    expect(pickFaster({ webgpu: 10 }, 'wasm')).toBeNull(); // no yardstick
    expect(pickFaster({ wasm: Infinity, webgpu: 10 }, 'wasm')).toBeNull();
  });

  it('describes the figures, the skipped candidates and the decision', () => {
    const note = probeNote(
      { measured: { wasm: 61.2, webgpu: Infinity }, skipped: ['webgl: software renderer (SwiftShader)'] },
      'wasm',
      null,
    );
    expect(note).toBe(
      'auto: started on wasm at once, then measured ms/step: wasm 61, webgpu over budget\nskipped webgl: software renderer (SwiftShader)\nkept wasm',
    );
    expect(probeNote({ measured: { wasm: 60, webgl: 20 }, skipped: [] }, 'wasm', 'webgl')).toContain(
      'switched to webgl',
    );
  });
});
