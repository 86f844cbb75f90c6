// What 'auto' does with a probe's measurements (issue 13): keep wasm, where the lab starts at once, unless another
// backend ran the student's step measurably faster; and the words the backend badge shows for it. Pure.

/** A renderer or adapter name that says it emulates the GPU on the CPU. */
export const SOFTWARE_RENDERER = /swiftshader|llvmpipe|software/i;

/** A candidate must beat wasm by this factor to be switched to (ms/step ≤ SWITCH_FACTOR × wasm's): noise is not a win. */
export const SWITCH_FACTOR = 0.8;

/** One probe: ms per student step of each backend it ran (Infinity = over its time budget), and what it passed over. */
export interface ProbeResult {
  measured: Record<string, number>; // backend → ms/step
  skipped: string[]; // "webgl: software renderer (…)", "webgpu: no adapter"
}

/** The backend to move to, or null to stay on `current` (its own figure is the yardstick; none → stay). */
export function pickFaster(measured: Record<string, number>, current: string): string | null {
  const base = measured[current];
  if (!(base > 0) || !Number.isFinite(base)) return null;
  let best: string | null = null;
  for (const [name, ms] of Object.entries(measured)) {
    if (
      name !== current &&
      Number.isFinite(ms) &&
      ms > 0 &&
      ms <= SWITCH_FACTOR * base &&
      (best == null || ms < measured[best])
    )
      best = name;
  }
  return best;
}

/** The badge's details: the figures, what was skipped, and what auto did with them. */
export function probeNote(r: ProbeResult, current: string, picked: string | null): string {
  const figures = Object.entries(r.measured).map(
    ([k, v]) => `${k} ${Number.isFinite(v) ? v.toFixed(0) : 'over budget'}`,
  );
  const lines = [`auto: started on ${current} at once, then measured ms/step: ${figures.join(', ') || 'nothing'}`];
  for (const k of r.skipped) lines.push(`skipped ${k}`);
  lines.push(
    picked
      ? `switched to ${picked} (faster than ${current} by more than ${Math.round((1 - SWITCH_FACTOR) * 100)} %)`
      : `kept ${current}`,
  );
  return lines.join('\n');
}
