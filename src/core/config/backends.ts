// The tfjs backends the lab knows, in its one order (DESIGN §5: webgpu → webgl → wasm → cpu): what `?backend=`
// accepts, what Node can run, and where a run goes when its GPU is lost. Pure: model, worker and ui import it.

/** Every backend, fastest kind first: the order a lost device falls back through. */
export const BACKEND_ORDER = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

/** What a link may ask for: a backend, or 'auto' (the lab starts on wasm and measures the GPU backends beside it). */
export type BackendChoice = BackendName | 'auto';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', ...BACKEND_ORDER];

/** The backend after `name` in BACKEND_ORDER (wasm when the name is unknown; cpu stays cpu). */
export function nextBackend(name: string): BackendName {
  const i = BACKEND_ORDER.indexOf(name as BackendName);
  if (i < 0) return 'wasm';
  return BACKEND_ORDER[Math.min(i + 1, BACKEND_ORDER.length - 1)];
}
