// 1,000 cases of the pack fuzz (the mutator of `npm run fuzz:pack`, on the tiny fixture packs): each one parses or
// throws a PackError within 1 s; the mutator itself is checked to be replayable and to reach every mutation kind.
import { describe, expect, it } from 'vitest';
import { buildPackBytes } from './pack';
import { fuzzBase, mutateCase, MUTATIONS, runCase } from '../testing/packFuzz';
import { makeTinyFeaturesPack, makeTinyPack } from '../testing/packFixture';

const bases = [
  fuzzBase('tiny-dense', buildPackBytes(makeTinyPack({ kind: 'dense' }))),
  fuzzBase('tiny-topk', buildPackBytes(makeTinyPack({ kind: 'topk', n: 4 }))),
  fuzzBase('tiny-features-v2', buildPackBytes(makeTinyFeaturesPack())),
];

describe('pack fuzz (1,000 seeded cases)', () => {
  it('every case parses or throws a PackError within 1 s', () => {
    const kinds = new Set<string>();
    const outcomes = { parsed: 0, packError: 0 };
    const failures: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const b = bases[i % bases.length];
      const c = mutateCase(b, 7, i);
      kinds.add(c.kind);
      const r = runCase(c.bytes, `${b.name}.safetensors`, 1000);
      if (r.outcome === 'failure') failures.push(`${b.name} case ${i} (${c.kind}, gz ${c.gz}): ${r.error}`);
      else outcomes[r.outcome]++;
    }
    expect(failures).toEqual([]);
    expect([...kinds].sort()).toEqual([...MUTATIONS].sort());
    expect(outcomes.packError).toBeGreaterThan(600); // most mutations are refused, not silently accepted
  });

  it('is replayable: the same seed and case give the same bytes; the unmutated bases parse', () => {
    const a = mutateCase(bases[1], 3, 42);
    const b = mutateCase(bases[1], 3, 42);
    expect(b.bytes).toEqual(a.bytes);
    expect(mutateCase(bases[1], 4, 42).bytes).not.toEqual(a.bytes);
    for (const x of bases) expect(runCase(x.bytes, x.name).outcome).toBe('parsed');
  });
});
