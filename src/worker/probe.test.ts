// The probe in Node: wasm (and cpu) measured, an unavailable backend named as skipped, errors as a reply.
import { describe, expect, it } from 'vitest';
import { onProbeMessage, probeBackends } from './probe';

describe('backend probe', () => {
  it('measures wasm and cpu and names a backend that cannot start', async () => {
    const r = await probeBackends(['cpu', 'webgpu']);
    expect(r.measured.wasm).toBeGreaterThan(0);
    expect(r.measured.cpu).toBeGreaterThan(0);
    expect(r.skipped).toEqual(['webgpu: not available']);
  }, 120_000);

  it('replies once with the result', async () => {
    const replies: unknown[] = [];
    await onProbeMessage({ type: 'probe', candidates: ['wasm'] }, (m) => replies.push(m));
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ type: 'probed', result: { skipped: [] } });
  }, 120_000);
});
