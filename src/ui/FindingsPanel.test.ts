// The "What matters" panel against study JSON (rendered to a string in Node): one finding-row per finding whose
// data-verdict is the JSON's verdict, the why sentence from the JSON's numbers, each paper number with its source.
import * as React from 'react';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { FINDINGS, provenanceText, textvqaText } from '../core/study/findings';
import { studyJson, type StudyJson, type StudyRun } from '../core/study/study';
import { FindingsPanel } from './FindingsPanel';
import { RecipeExport } from './RecipeExport';
import { FAIR_STUDIES, STUDIES } from './studyData';
import { DEFAULT_CONFIG } from '../core/config/config';

// vitest's esbuild compiles the .tsx with the classic runtime (React.createElement); Vite's build uses react-jsx.
(globalThis as { React?: typeof React }).React = React;

const rows = (html: string) =>
  [...html.matchAll(/data-testid="finding-row" data-finding="([^"]+)" data-verdict="([^"]+)"/g)].map((m) => ({
    id: m[1],
    verdict: m[2],
  }));
const render = (study: StudyJson | null) => renderToString(createElement(FindingsPanel, { study, onRace: () => {} }));

const fam = (x: number, sqa: number) => ({ gqa: x, pope: x, sqa });
function synthetic(): StudyJson {
  const runs: StudyRun[] = [];
  const add = (condition: string, xs: [number, number][]) =>
    xs.forEach(([o, s], i) =>
      runs.push({
        pack: 'shapes',
        condition,
        seed: i + 1,
        steps: 10,
        backend: 'wasm',
        overall: o,
        perFamily: fam(o, s),
      }),
    );
  add('rich-fkl', [
    [60, 40],
    [62, 42],
    [61, 41],
  ]);
  add('rich-ce', [
    [48, 30],
    [50, 31],
    [49, 29],
  ]); // F1 reproduces
  add('rich-fkl5', [
    [50, 25],
    [51, 62],
    [49, 30],
  ]); // F2 reversed against rich-fkl
  add('rich-hid5', [
    [40, 20],
    [80, 60],
  ]); // F5's first comparison: inconclusive (wide)
  return studyJson({ pack: 'shapes', steps: 10, backend: 'wasm', seeds: 5, families: ['gqa', 'pope', 'sqa'], runs });
}

describe('FindingsPanel', () => {
  it('one finding-row per finding, data-verdict from the study JSON', () => {
    const s = synthetic();
    const html = render(s);
    expect(html).toContain('data-testid="findings"');
    expect(rows(html)).toEqual(s.findings.map((f) => ({ id: f.id, verdict: f.verdict })));
    expect(rows(html).slice(0, 2)).toEqual([
      { id: 'F1', verdict: 'reproduces' },
      { id: 'F2', verdict: 'reversed' },
    ]);
    expect((html.match(/data-testid="finding-race"/g) ?? []).length).toBe(FINDINGS.length);
  });

  it('a reversed finding says why with the measured numbers (means, the family with the largest gap)', () => {
    const html = render(synthetic());
    const f2 = html.slice(html.indexOf('data-finding="F2"'), html.indexOf('data-finding="F3"'));
    expect(f2).toContain('Reversed: CE + fKL ×5 (data-rich) 50.0 ± 1.0 % against CE + fKL (data-rich) 61.0 ± 1.0 %');
    expect(f2).toContain('The gap is largest on gqa: 50.0 against 61.0 %'); // gqa −11 points, sqa 39 − 41 = −2
    const f1 = html.slice(html.indexOf('data-finding="F1"'), html.indexOf('data-finding="F2"'));
    expect(f1).not.toContain('finding-why');
    // a reproducing finding shows its decisive numbers instead: 61.0 ± 1.0 against 49.0 ± 1.0, +12.0 ± 0.8 SE
    expect(f1).toContain('CE + fKL 61.0 ± 1.0 &gt; CE + seqCE 49.0 ± 1.0 (+12.0 ± 0.8 SE)');
  });

  it('without a study every row is inconclusive and still races', () => {
    expect(rows(render(null)).every((r) => r.verdict === 'inconclusive')).toBe(true);
  });

  it.each(Object.keys(STUDIES))(
    'the shipped study/%s.json is valid and its verdicts are what the panel shows',
    (pack) => {
      const s = STUDIES[pack];
      expect(s.pack).toBe(pack);
      expect(s.findings.map((f) => f.id)).toEqual(FINDINGS.map((f) => f.id));
      for (const f of s.findings) expect(['reproduces', 'reversed', 'inconclusive']).toContain(f.verdict);
      for (const c of Object.values(s.conditions))
        for (const r of c.runs) expect(Number.isFinite(r.overall)).toBe(true);
      expect(rows(render(s))).toEqual(s.findings.map((f) => ({ id: f.id, verdict: f.verdict })));
    },
  );
});

describe('FindingsPanel: the paper in plain words', () => {
  // renderToString escapes quotes and ampersands; compare against the same escaping
  const esc = (t: string) =>
    t
      .replace(/&/g, '&amp;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#x27;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;');
  const rowOf = (html: string, id: string) => {
    const i = html.indexOf(`data-finding="${id}"`);
    const j = html.indexOf('data-testid="finding-row"', i);
    return html.slice(i, j < 0 ? undefined : j);
  };

  it('every paper number is shown with its source: experiment, student, teacher, epochs, temperature', () => {
    const html = render(null);
    for (const f of FINDINGS) {
      const row = rowOf(html, f.id);
      for (const v of f.paper.values) {
        expect(row, `${f.id} ${v.label}`).toContain(`TextVQA ${textvqaText(v.textvqa)}`);
        expect(row, `${f.id} ${v.label}`).toContain(esc(provenanceText(v)));
      }
      if (!f.paper.inSources) expect(row, f.id).toContain(esc(f.paper.claimSource!));
    }
  });

  it('the corrected facts reach the page, with no internal phrase', () => {
    const html = render(null);
    expect(html).not.toMatch(/the issue names|issue/i);
    expect(rowOf(html, 'F8')).toContain(
      'exp17, 2.7B notes line 90. Student: 20-layer LLaVA student initialised from alternate layers of LLaVA-13B',
    );
    expect(rowOf(html, 'F8')).toContain('exp38, 2.7B notes line 136');
    expect(rowOf(html, 'F6')).toContain('TextVQA 44.75');
    expect(rowOf(html, 'F10')).toContain('Not in the sources as a number');
    expect(rowOf(html, 'F4')).toContain('removed: all of the student’s own loss');
    expect(rowOf(html, 'F1')).toContain('MobileVLM');
    expect(html).toContain('T 0.7 with T² (the trainer’s code; the notes give no T)');
    expect(rowOf(html, 'F8')).toContain('+ attention, image → answer: TextVQA 54.0'); // as the notes write it
    expect(rowOf(html, 'F4')).toContain('T 0.1 (from the notes; T² not stated)');
  });

  it('chart labels are HTML text at the row’s 12 px, not SVG text scaled down', () => {
    const html = render(synthetic());
    expect(html).toContain('class="finding-chart"');
    expect(html).not.toContain('<text');
    expect(html).not.toMatch(/font-size="[0-9]"|font-size:\s*[0-9](px)?;/);
    expect(html).toMatch(/font-size:12px/);
  });
});

describe('FindingsPanel, the fair study (issue 28)', () => {
  it.each(Object.keys(FAIR_STUDIES).filter((p) => STUDIES[p]))(
    'every %s row carries both verdicts of study/fair-<pack>.json, data-verdict the paper one',
    (pack) => {
      const fair = FAIR_STUDIES[pack];
      const html = renderToString(createElement(FindingsPanel, { study: STUDIES[pack], fair, onRace: () => {} }));
      const got = [
        ...html.matchAll(
          /data-finding="([^"]+)" data-verdict="([^"]+)" data-verdict-paper="([^"]+)" data-verdict-best="([^"]+)"/g,
        ),
      ].map((m) => [m[1], m[2], m[3], m[4]]);
      expect(got).toEqual(
        fair.findings.map((f) => [f.id, f.verdicts.paper.verdict, f.verdicts.paper.verdict, f.verdicts.best.verdict]),
      );
      for (const f of fair.findings) expect(f.verdict).toBe(f.verdicts.paper.verdict);
      expect((html.match(/data-testid="verdict-paper"/g) ?? []).length).toBe(FINDINGS.length);
      expect(html).toContain('Words used here');
    },
  );
});

describe('RecipeExport', () => {
  it('renders the export button (the text appears on click)', () => {
    const html = renderToString(createElement(RecipeExport, { config: DEFAULT_CONFIG }));
    expect(html).toContain('data-testid="export-recipe"');
    expect(html).not.toContain('data-testid="recipe-text"');
  });
});
