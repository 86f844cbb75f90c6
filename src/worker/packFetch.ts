// Reading a pack's bytes, outside the command queue (the lab keeps training while a pack downloads): a URL fetched with
// progress per chunk as it streams (the pack download's bar; a body-less response is read whole), or the UI's bytes.
import type { PackSource } from './protocol';

/** Bytes loaded so far and the total when the server says (content-length), else null. */
export type OnProgress = (loaded: number, total: number | null) => void;

/** GET `url` with `fetchFn`; throws `<name>: HTTP <status> fetching <url>` on a non-OK answer. */
export async function fetchWithProgress(
  fetchFn: typeof fetch,
  url: string,
  name: string,
  onProgress: OnProgress,
): Promise<Uint8Array> {
  const res = await fetchFn(url);
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status} fetching ${url}`);
  // content-length counts the bytes on the wire: with a content-encoding (a server gzipping the .gz again, or sending
  // it as `Content-Encoding: gzip`) the body arrives decoded and longer, so the total is unknown (no 140 % bars).
  const encoding = (res.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  let total = encoding === 'identity' ? Number(res.headers.get('content-length')) || null : null;
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    if (total !== null && loaded > total) total = null; // the header was wrong: show bytes, never a share over 100 %
    onProgress(loaded, total);
  }
  const out = new Uint8Array(loaded);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** The bytes of a pack source, with progress (a URL per chunk; bytes once, whole). Throws on an HTTP or network error. */
export async function readPack(src: PackSource, fetchFn: typeof fetch, onProgress: OnProgress): Promise<Uint8Array> {
  if (src.kind === 'url') return fetchWithProgress(fetchFn, src.url, src.name, onProgress);
  const bytes = new Uint8Array(src.bytes);
  onProgress(bytes.length, bytes.length);
  return bytes;
}
