// Per-patch labels of a scene (what sits in each grid cell), for pretraining the vision encoder the way CLIP's
// pretraining gives LLaVA a vision tower that already knows objects: colour, kind, size and digit per cell.
// hues: the colour and size heads hold the annotator's Bayes words (its size head has small/medium/large).
import { COLORS, type Scene, type TaskSpec, taskSizes } from './spec';

/** Heads of the per-patch labels; class 0 of each head = "no object in this cell". */
export const PATCH_HEADS = ['color', 'kind', 'size', 'digit'] as const;

/** Number of classes per head (incl. the empty class 0) for a task spec. */
export function patchHeadClasses(spec: TaskSpec): number[] {
  return [COLORS.length + 1, spec.kinds.length + 1, taskSizes(spec.task).length + 1, 11];
}

/** Labels of every cell of every scene: Int32Array [N, P, 4] in PATCH_HEADS order, P = grid² in row-major order. */
export function patchLabels(scenes: readonly Scene[], spec: TaskSpec): Int32Array {
  const P = spec.grid * spec.grid;
  const H = PATCH_HEADS.length;
  const out = new Int32Array(scenes.length * P * H);
  const sizes = taskSizes(spec.task);
  scenes.forEach((s, n) => {
    for (const o of s.objects) {
      const base = (n * P + o.row * spec.grid + o.col) * H;
      out[base] = COLORS.indexOf(o.color) + 1;
      out[base + 1] = spec.kinds.indexOf(o.kind) + 1;
      out[base + 2] = sizes.indexOf(o.size) + 1;
      out[base + 3] = o.digit >= 0 ? o.digit + 1 : 0;
    }
  });
  return out;
}
