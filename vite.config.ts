// Vite config for the lab SPA. The worker is an ES module worker; tfjs-backend-wasm's .wasm files are served from
// node_modules by Vite's asset handling. The built lab's headers (CSP …) come from public/_headers (docs/deploy.md).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/** The headers a static host sends with every file of the built lab: public/_headers, the one source (docs/deploy.md). */
export const HEADERS_FILE = fileURLToPath(new URL('./public/_headers', import.meta.url));

/**
 * The headers of the `/*` rule of a Netlify / Cloudflare Pages `_headers` file: a path line at column 0, then
 * indented `Name: value` lines; `#` comments. Throws on a line it cannot read, so a typo fails the build.
 */
export function parseHeadersFile(text: string, path = '/*'): Record<string, string> {
  const out: Record<string, string> = {};
  let current: string | null = null;
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      current = line.trim();
      continue;
    }
    const m = /^\s+([A-Za-z0-9-]+):\s*(.+?)\s*$/.exec(line);
    if (!m || current === null)
      throw new Error(`${HEADERS_FILE}:${i + 1}: expected an indented "Name: value" under a path line`);
    if (current === path) out[m[1]] = m[2];
  }
  if (!out['Content-Security-Policy'])
    throw new Error(`${HEADERS_FILE}: the ${path} rule needs a Content-Security-Policy`);
  return out;
}

/** What public/_headers says for every path. */
export const HEADERS = parseHeadersFile(readFileSync(HEADERS_FILE, 'utf8'));

/**
 * The built lab's policy (public/_headers): scripts and workers only from the lab's own origin, no inline script and
 * no eval — 'wasm-unsafe-eval' lets the wasm backend compile its .wasm (WebAssembly.instantiate), nothing more;
 * fetches (packs, .wasm) only same-origin; no plugins, no <base>; no framing. Images may be data:/blob: (canvas
 * snapshots, downloads). The <meta> copy leaves out what a meta tag cannot carry (frame-ancestors, report-uri,
 * sandbox): a browser ignores those there, and says so in the console. The dev server is left without it:
 * @vitejs/plugin-react injects an inline React-refresh preamble there.
 */
export const CSP = HEADERS['Content-Security-Policy']
  .split(';')
  .map((d) => d.trim())
  .filter((d) => d && !/^(frame-ancestors|report-uri|report-to|sandbox)\b/.test(d))
  .join('; ');

/** The policy as a <meta> in the built index.html (any static host), build only. */
function cspMeta(): Plugin {
  return {
    name: 'lab-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP }, injectTo: 'head-prepend' },
    ],
  };
}

export default defineConfig({
  plugins: [react(), cspMeta()],
  worker: { format: 'es' },
  build: { target: 'es2022' },
  // `vite preview` serves the built lab with exactly the headers of public/_headers, as a static host would: the
  // header CSP also covers the worker's own script (a meta tag applies to the document only) and says frame-ancestors.
  preview: { headers: HEADERS },
});
