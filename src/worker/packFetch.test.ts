// The pack download's progress: the total from content-length only when the body arrives as sent (no
// content-encoding), and never a share over 100 % (issue 31: 143–147 % with `Content-Encoding: gzip`).
import { describe, expect, it } from 'vitest';
import { fetchWithProgress } from './packFetch';

function fakeFetch(body: Uint8Array, headers: Record<string, string>, chunk = 1000): typeof fetch {
  return (async () => {
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (at >= body.length) return c.close();
        c.enqueue(body.subarray(at, at + chunk));
        at += chunk;
      },
    });
    return new Response(stream, { status: 200, headers });
  }) as unknown as typeof fetch;
}

describe('fetchWithProgress', () => {
  const body = new Uint8Array(5000).fill(7);
  it('uses content-length when the body is not re-encoded', async () => {
    const seen: [number, number | null][] = [];
    const out = await fetchWithProgress(fakeFetch(body, { 'content-length': '5000' }), '/p', 'p', (l, t) =>
      seen.push([l, t]),
    );
    expect(out.length).toBe(5000);
    expect(seen.at(-1)).toEqual([5000, 5000]);
  });
  it('with Content-Encoding: gzip the total is unknown (the header counts compressed bytes)', async () => {
    const seen: [number, number | null][] = [];
    await fetchWithProgress(
      fakeFetch(body, { 'content-length': '3500', 'content-encoding': 'gzip' }),
      '/p',
      'p',
      (l, t) => seen.push([l, t]),
    );
    expect(seen.every(([, t]) => t === null)).toBe(true);
  });
  it('a content-length smaller than the body never gives more than 100 %', async () => {
    const seen: [number, number | null][] = [];
    await fetchWithProgress(fakeFetch(body, { 'content-length': '3500' }), '/p', 'p', (l, t) => seen.push([l, t]));
    expect(seen.every(([l, t]) => t === null || l <= t)).toBe(true);
    expect(seen.at(-1)).toEqual([5000, null]);
  });
});
