// Vite config for the lab SPA. The worker is an ES module worker; tfjs-backend-wasm's .wasm files are
// served from node_modules by Vite's asset handling. The built lab carries a Content-Security-Policy (issue 16 item 7).
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The built lab's policy: scripts and workers only from the lab's own origin, no inline script and no eval —
 * 'wasm-unsafe-eval' lets the wasm backend compile its .wasm (WebAssembly.instantiate), nothing more; fetches
 * (packs, .wasm) only same-origin; no plugins, no <base>. Images may be data:/blob: (canvas snapshots, downloads).
 * The dev server is left without it: @vitejs/plugin-react injects an inline React-refresh preamble there.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The policy as a <meta> in the built index.html (any static host), build only. */
function cspMeta(): Plugin {
  return {
    name: 'lab-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP }, injectTo: 'head-prepend' }],
  };
}

export default defineConfig({
  plugins: [react(), cspMeta()],
  worker: { format: 'es' },
  build: { target: 'es2022' },
  // `vite preview` serves the built lab with the policy as a header too: it also covers the worker's own script
  // (a meta tag applies to the document only) and can say frame-ancestors, which a meta tag cannot.
  preview: { headers: { 'Content-Security-Policy': `${CSP}; frame-ancestors 'none'` } },
});
