// Numbers pinned by something else: every loss term, the total and the gradient norm of the golden tiny runs (one
// per term variant) checked against a PyTorch float64 mirror's steps (golden-tiny.json), on cpu and wasm.
import { beforeAll, describe, expect, it } from 'vitest';
import { TERM_NAMES, VALUE_NAMES } from '../core/kd/terms';
import { initBackend } from './backend';
import { goldenRun, goldenVariants, inputSums } from './testing/golden';
import golden from './testing/golden-tiny.json';

/**
 * golden-tiny.json is written by `npm run golden`, a developer command that needs PyTorch (CI has none; the JSON is
 * committed): scripts/goldenExport.ts runs every variant of goldenVariants() on cpu and exports its initial weights
 * (student, φ, online teacher) and each step's inputs; tools/golden/mirror.py re-implements the model, every term of
 * DESIGN §3 (CE, seqCE, fKL, rKL, JSD, TVD, skew fKL/rKL, logit MSE, normLogits, top-K renorm/tail/truncated, hidden
 * MSE/cosine, affinity, attention, online teacher, all positions), the clip, the lr schedule and Adam in PyTorch
 * float64 and trains the same steps. Tolerance: ABSOLUTE 1e-4 on the total, every measured term and the (pre-clip)
 * gradient norm of every step; a term the mirror does not measure (null) must be NaN here. Measured at export:
 * ≤ 3.6e-6 (gradNorm), ≤ 7.5e-7 (losses); the file's maxAbsDiffTfjsVsTorchPerValue has the per-term figures.
 */
const TOL = 1e-4;
type Row = Record<(typeof VALUE_NAMES)[number], number | null> & { step: number; lr: number };
interface GoldenVariantRef {
  config: unknown;
  steps: Row[];
  inputs: Record<string, [number, number]>;
}
const ref = golden as unknown as { variants: Record<string, GoldenVariantRef> };

describe('golden-tiny.json', () => {
  it('holds exactly the variants of goldenVariants(), and together they weigh every term', () => {
    const vs = goldenVariants();
    expect(Object.keys(ref.variants).sort()).toEqual(vs.map((v) => v.name).sort()); // else run `npm run golden`
    for (const t of TERM_NAMES)
      expect(
        vs.some((v) => v.config.weights[t] > 0),
        `no variant trains ${t}`,
      ).toBe(true);
    const divs = new Set(vs.map((v) => v.config.kd.divergence));
    for (const d of ['fkl', 'rkl', 'jsd', 'tvd', 'sfkl', 'srkl', 'mse'] as const) expect(divs.has(d), d).toBe(true);
  });
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`golden numbers on ${backend} against the PyTorch mirror`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });

    for (const v of goldenVariants()) {
      it(`${v.name}: every term, total and ‖g‖ of ${v.steps} steps within 1e-4`, async () => {
        const g = ref.variants[v.name];
        expect(g, `${v.name} missing from golden-tiny.json (npm run golden)`).toBeDefined();
        expect(g.config).toEqual(v.config); // the JSON was made for this config: else run `npm run golden`
        const run = await goldenRun(v);
        // Same inputs as the export the mirror read (sums per tensor; features differ in last bits across backends).
        const sums = inputSums(run.tensors);
        expect(Object.keys(sums)).toEqual(Object.keys(g.inputs).sort());
        for (const [name, [s, a]] of Object.entries(sums)) {
          const [rs, ra] = g.inputs[name];
          expect(Math.abs(s - rs), `${name}: Σx ${s} vs ${rs} (inputs changed? npm run golden)`).toBeLessThan(
            1e-5 * Math.max(1, ra),
          );
          expect(Math.abs(a - ra), `${name}: Σ|x|`).toBeLessThan(1e-5 * Math.max(1, ra));
        }
        expect(run.steps.length).toBe(v.steps);
        run.steps.forEach((s, i) => {
          const want = g.steps[i];
          expect(s.lr).toBeCloseTo(want.lr, 12);
          for (const k of VALUE_NAMES) {
            const w = want[k];
            if (w === null) {
              expect(s[k], `step ${i} ${k}: tfjs measured ${s[k]}, the mirror did not`).toBeNaN();
              continue;
            }
            expect(Math.abs(s[k] - w), `step ${i} ${k}: tfjs ${s[k]} vs torch ${w}`).toBeLessThan(TOL);
          }
        });
      });
    }
  });
}
