// The presets: each is a valid config over the defaults, ids are unique, the study-* presets give exactly the configs
// `npm run study` runs; presetConfig keeps seed and optimiser; a link's config (configOfUrl) reproduces the run.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, mergeConfig, validateConfig } from '../core/config/config';
import { FINDINGS } from '../core/study/findings';
import { STUDY_CONDITIONS } from '../core/study/study';
import { parseUrlState, urlStateOfRun, writeUrlState, type UrlCatalog } from '../core/config/urlState';
import { configOfUrl, PRESETS, presetById, presetConfig } from './presets';

const CATALOG: UrlCatalog = { packs: ['shapes', 'digits'], presets: PRESETS.map((p) => p.id) };
const fromLink = (q: string) => {
  const { state, messages } = parseUrlState(q, CATALOG);
  return { ...configOfUrl(state), messages };
};

describe('presets', () => {
  it('every preset is a valid config over the defaults; ids are unique', () => {
    for (const p of PRESETS) expect(() => validateConfig(mergeConfig(DEFAULT_CONFIG, p.patch)), p.id).not.toThrow();
    expect(new Set(PRESETS.map((p) => p.id)).size).toBe(PRESETS.length);
  });

  it('study-b and study-c are the quick study conditions (b) and (c)', () => {
    for (const [id, key] of [
      ['study-b', 'b'],
      ['study-c', 'c'],
    ] as const) {
      const fromPreset = mergeConfig(DEFAULT_CONFIG, presetById(id)!.patch);
      expect(fromPreset, id).toEqual(mergeConfig(DEFAULT_CONFIG, STUDY_CONDITIONS[key].patch));
      expect(fromPreset.kd.T).toBe(4);
    }
    expect(mergeConfig(DEFAULT_CONFIG, presetById('study-b')!.patch).data.useUnlabeled).toBe(false);
    expect(mergeConfig(DEFAULT_CONFIG, presetById('study-c')!.patch).data.useUnlabeled).toBe(true);
  });
});

describe('paper numbers in the presets', () => {
  it('every number a paper preset quotes is one of the findings table (src/core/study/findings.ts), none written by hand', () => {
    const paper = new Set(FINDINGS.flatMap((f) => f.paper.values.map((v) => v.textvqa)));
    const text = readFileSync(new URL('./presets.ts', import.meta.url), 'utf8');
    // the source quotes no TextVQA-like number (dd.d) outside the study-* presets, which quote the lab's quick study
    const paperPart = text.slice(0, text.indexOf("id: 'study-b'"));
    expect(paperPart.match(/\b\d\d\.\d+\b/g) ?? []).toEqual([]);
    for (const p of PRESETS.filter((x) => !x.id.startsWith('study-'))) {
      for (const m of p.found.join(' ').matchAll(/TextVQA (\d+(?:\.\d+)?)/g))
        expect(paper.has(Number(m[1])), `${p.id}: ${m[0]}`).toBe(true);
    }
    expect(presetById('llavadi')!.found.join(' ')).toContain(`TextVQA ${FINDINGS[4].paper.values[2].textvqa}`);
  });
});

describe('presetConfig', () => {
  it('applies the patch over the defaults, keeping seed, optimiser and stage-1 steps of the base', () => {
    const base = mergeConfig(DEFAULT_CONFIG, {
      seed: 9,
      optim: { lr: 0.01, batchSize: 8 },
      stage1Steps: 3,
      kd: { T: 3 },
      hiddenProjDim: 16,
    });
    const c = presetConfig('llavadi', base)!;
    expect(c).toEqual(
      mergeConfig({ ...DEFAULT_CONFIG, seed: 9, optim: base.optim, stage1Steps: 3 }, presetById('llavadi')!.patch),
    );
    expect(c.weights).toMatchObject({ ce: 1, kd: 5, hidden: 5 });
    expect(c.hiddenProjDim).toBe(0);
    expect(c.kd.T).toBe(1);
  });

  it('an unknown id gives null', () => {
    expect(presetConfig('bogus', DEFAULT_CONFIG)).toBeNull();
  });
});

describe("a link's config", () => {
  it.each([
    'llavadi',
    'fkl',
    'rkl',
    'jsd',
    'hidden-only',
    'affinity-logits',
    'ce-only',
    'kd-t01',
    'kd-t07',
    'teacher-data',
    'study-b',
    'study-c',
  ])("the README's ?preset=%s is a preset and gives its config", (id) => {
    const r = fromLink(`?preset=${id}`);
    expect(r.messages).toEqual([]);
    expect(r.presetId).toBe(id);
    expect(r.config).toEqual(presetConfig(id, DEFAULT_CONFIG));
  });

  it('seed and batch first, then the preset, then cfg', () => {
    const r = fromLink('?seed=5&batch=8&preset=llavadi&cfg={"weights":{"kd":2}}');
    expect(r.error).toBeNull();
    expect(r.config).toEqual(
      mergeConfig(presetConfig('llavadi', mergeConfig(DEFAULT_CONFIG, { seed: 5, optim: { batchSize: 8 } }))!, {
        weights: { kd: 2 },
      }),
    );
    expect(r.config.weights.hidden).toBe(5);
  });

  it('an unknown preset: the defaults, no preset, and a message', () => {
    const r = fromLink('?preset=bogus&seed=3');
    expect(r.config).toEqual(mergeConfig(DEFAULT_CONFIG, { seed: 3 }));
    expect(r.presetId).toBeNull();
    expect(r.messages.map((m) => m.param)).toEqual(['preset']);
  });

  it('a cfg the preset makes invalid is refused with the field; the preset stays', () => {
    const r = fromLink('?preset=kd-t07&cfg={"kd":{"topKMode":"tail"}}');
    expect(r.messages).toEqual([]);
    expect(r.error).toBeInstanceOf(ConfigError);
    expect((r.error as ConfigError).field).toBe('kd.T');
    expect(r.config).toEqual(presetConfig('kd-t07', DEFAULT_CONFIG));
  });

  it('the address bar of a run reproduces its config (random preset, then random knobs)', () => {
    fc.assert(
      fc.property(
        fc.record({
          preset: fc.option(fc.constantFrom(...CATALOG.presets), { nil: null }),
          seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
          batch: fc.integer({ min: 1, max: 512 }),
          lr: fc.double({ min: 1e-5, max: 0.05, noNaN: true }),
          kd: fc.option(fc.double({ min: 0, max: 5, noNaN: true }), { nil: undefined }),
          T: fc.option(fc.constantFrom(0.5, 2, 4), { nil: undefined }),
        }),
        (r) => {
          const base = mergeConfig(DEFAULT_CONFIG, { seed: r.seed, optim: { batchSize: r.batch } });
          const c = mergeConfig(r.preset ? presetConfig(r.preset, base)! : base, {
            optim: { lr: r.lr },
            weights: { kd: r.kd },
            kd: { T: r.T },
          });
          const opened = parseUrlState(`?backend=wasm${r.preset ? `&preset=${r.preset}` : ''}`, CATALOG).state;
          const link = fromLink(`?${writeUrlState(urlStateOfRun(opened, c, 'digits'))}`);
          expect(link.messages).toEqual([]);
          expect(link.error).toBeNull();
          expect(link.config).toEqual(c);
        },
      ),
      { numRuns: 200 },
    );
  });
});
