// The layer rule of DESIGN §1 as a test: arrows point down only (core < model < worker < store < ui). Every import
// in src/**/*.ts(x) — static `import … from` / `import '…'`, `export … from`, dynamic `import('…')` and
// `new URL('…', import.meta.url)` workers — is classified by the layer it reaches (a src folder, or the lowest layer
// a package belongs to), and a file may only reach its own layer or one below. Tests and testing/ helpers obey the
// rule of the folder they sit in. No file reaches itself through its imports (a depth-first search over the graph,
// type-only imports included). Self-checks feed the classifier and the search synthetic bad cases, so the test can fail.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LAYERS = ['core', 'model', 'worker', 'store', 'ui'] as const;
type Layer = (typeof LAYERS)[number];
const rank = (l: Layer) => LAYERS.indexOf(l);

/** The lowest layer allowed to import a package; packages not listed (fflate, float16, vitest, node:*) go anywhere. */
const PACKAGE_LAYER: [RegExp, Layer][] = [
  [/^@tensorflow\//, 'model'], // tfjs: model and above (core is pure TypeScript)
  [/^zustand(\/|$)/, 'store'],
  [/^idb(\/|$)/, 'store'], // IndexedDB persistence: a DOM-side concern
  [/^react(-dom)?(\/|$)/, 'ui'],
  [/^recharts(\/|$)/, 'ui'],
  [/^d3-/, 'ui'],
];

const SRC = dirname(fileURLToPath(import.meta.url));

/** Every module specifier a source file names, with the kind of reference. */
function importsOf(source: string): { spec: string; kind: 'static' | 'dynamic' | 'worker-url' }[] {
  const out: { spec: string; kind: 'static' | 'dynamic' | 'worker-url' }[] = [];
  // import x from 'a'; import type { X } from 'a'; import 'a'; export * from 'a'; export { x } from 'a' (multi-line too)
  const staticRe = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s*)?['"]([^'"\n]+)['"]/g;
  const dynamicRe = /\bimport\s*\(\s*['"`]([^'"`\n]+)['"`]\s*\)/g;
  const urlRe = /\bnew\s+URL\s*\(\s*['"`]([^'"`\n]+)['"`]\s*,\s*import\.meta\.url\s*\)/g;
  for (const m of source.matchAll(staticRe)) out.push({ spec: m[1], kind: 'static' });
  for (const m of source.matchAll(dynamicRe)) out.push({ spec: m[1], kind: 'dynamic' });
  for (const m of source.matchAll(urlRe)) out.push({ spec: m[1], kind: 'worker-url' });
  return out;
}

/** The layer of a file given by its path relative to src (posix); null for files outside the layers. */
function layerOfFile(rel: string): Layer | null {
  if (rel === 'main.tsx') return 'ui'; // the SPA entry sits on top
  const top = rel.split('/')[0];
  return (LAYERS as readonly string[]).includes(top) ? (top as Layer) : null;
}

/** What an import reaches: a layer, a path outside src (an error for src code), or a free package (null). */
function targetOf(fromRel: string, spec: string): Layer | 'outside-src' | null {
  const bare = spec.replace(/\?.*$/, ''); // vite suffixes (?url, ?worker)
  if (bare.startsWith('.')) {
    const to = posix.normalize(posix.join(posix.dirname(fromRel), bare));
    if (/^\.\.\/study\/[\w-]+\.json$/.test(to)) return null; // the shipped study results (data, DESIGN §6b), no code
    if (to.startsWith('../')) return 'outside-src';
    return layerOfFile(to);
  }
  for (const [re, layer] of PACKAGE_LAYER) if (re.test(bare)) return layer;
  return null;
}

/** The layering violations of one file (path relative to src) with the given source. */
function violationsOf(fromRel: string, source: string): string[] {
  const layer = layerOfFile(fromRel);
  if (!layer) return [];
  const bad: string[] = [];
  for (const { spec, kind } of importsOf(source)) {
    const t = targetOf(fromRel, spec);
    if (t === 'outside-src') bad.push(`${fromRel} (${layer}) imports '${spec}' outside src (${kind})`);
    else if (t && rank(t) > rank(layer)) bad.push(`${fromRel} (${layer}) imports '${spec}' of layer ${t} (${kind})`);
  }
  return bad;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The src file (relative, posix) a relative specifier names from `fromRel`, or null (a package, a file outside src, data). */
function resolveIn(files: ReadonlySet<string>, fromRel: string, spec: string): string | null {
  const bare = spec.replace(/\?.*$/, '');
  if (!bare.startsWith('.')) return null;
  const to = posix.normalize(posix.join(posix.dirname(fromRel), bare));
  for (const c of [to, `${to}.ts`, `${to}.tsx`, `${to}/index.ts`, `${to}/index.tsx`]) if (files.has(c)) return c;
  return null;
}

/** Every import circle of a graph (file → files it imports), each once, as [a, b, …, a]; found by a depth-first search. */
function circlesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const found = new Map<string, string[]>();
  const visit = (f: string) => {
    state.set(f, 'open');
    path.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 'open') {
        const loop = path.slice(path.indexOf(g));
        const start = loop.indexOf([...loop].sort()[0]); // one name per circle, whichever file the search met first
        const key = [...loop.slice(start), ...loop.slice(0, start)];
        found.set(key.join(' → '), [...key, key[0]]);
      } else if (!state.has(g)) visit(g);
    }
    path.pop();
    state.set(f, 'done');
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return [...found.values()];
}

/** The import graph of src: each file's static and dynamic imports of other src files (type-only ones too). */
function importGraph(): Map<string, string[]> {
  const files = sourceFiles(SRC).map((f) => relative(SRC, f).split(/[\\/]/).join('/'));
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const rel of files) {
    const source = readFileSync(join(SRC, rel), 'utf8');
    const to = importsOf(source)
      .filter((i) => i.kind !== 'worker-url')
      .map((i) => resolveIn(known, rel, i.spec));
    graph.set(rel, [...new Set(to.filter((x): x is string => x !== null))]);
  }
  return graph;
}

describe('layering (DESIGN §1: core < model < worker < store < ui)', () => {
  it('the classifier finds every kind of import and flags bad ones (self-check)', () => {
    const src = [
      `import * as tf from '@tensorflow/tfjs-core';`,
      `import type {`,
      `  A,`,
      `  B,`,
      `} from '../store/index';`,
      `export { x } from "../ui/App";`,
      `export * from './rng';`,
      `import './side';`,
      `const m = await import('../worker/client');`,
      `const w = new Worker(new URL('../worker/train.worker.ts', import.meta.url), { type: 'module' });`,
      `import { create } from 'zustand';`,
      `import React from 'react';`,
      `import { x } from '../../scripts/lib/thing';`,
      `import { strToU8 } from 'fflate';`,
    ].join('\n');
    expect(importsOf(src).map((i) => `${i.kind}:${i.spec}`)).toEqual([
      'static:@tensorflow/tfjs-core',
      'static:../store/index',
      'static:../ui/App',
      'static:./rng',
      'static:./side',
      'static:zustand',
      'static:react',
      'static:../../scripts/lib/thing',
      'static:fflate',
      'dynamic:../worker/client',
      'worker-url:../worker/train.worker.ts',
    ]);
    const bad = violationsOf('core/fake.ts', src);
    expect(bad).toHaveLength(8); // all but './rng', './side' and fflate
    expect(bad.join('\n')).toMatch(/'@tensorflow\/tfjs-core' of layer model/);
    expect(bad.join('\n')).toMatch(/'\.\.\/\.\.\/scripts\/lib\/thing' outside src/);
    expect(violationsOf('model/fake.ts', `import { useLab } from '../store';`)).toHaveLength(1);
    expect(violationsOf('model/fake.ts', `import { createRoot } from 'react-dom/client';`)).toHaveLength(1);
    expect(
      violationsOf('model/fake.ts', `import * as tf from '@tensorflow/tfjs-core';\nimport { Rng } from '../core/rng';`),
    ).toEqual([]);
    expect(violationsOf('worker/fake.ts', `import { useLab } from '../store/index';`)).toHaveLength(1);
    expect(violationsOf('store/fake.ts', `import { App } from '../ui/App';`)).toHaveLength(1);
    expect(
      violationsOf(
        'ui/fake.tsx',
        `import { useLab } from '../store';\nimport wasm from '@tensorflow/tfjs-backend-wasm/dist/x.wasm?url';`,
      ),
    ).toEqual([]);
    expect(violationsOf('main.tsx', `import { App } from './ui/App';`)).toEqual([]);
    expect(violationsOf('core/testing/fake.ts', `import { tinyModel } from '../../model/testing/tiny';`)).toHaveLength(
      1,
    );
  });

  it('no file in src imports a layer above its own', () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(50);
    const bad: string[] = [];
    let seen = 0;
    for (const f of files) {
      const rel = relative(SRC, f).split(/[\\/]/).join('/');
      const source = readFileSync(f, 'utf8');
      seen += importsOf(source).length;
      bad.push(...violationsOf(rel, source));
    }
    expect(seen).toBeGreaterThan(100); // the scanner did read imports
    expect(bad).toEqual([]);
  });

  it('the circle finder finds a circle and only circles (self-check)', () => {
    const g = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts', 'd.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
      ['f.ts', ['d.ts', 'b.ts']],
    ]);
    expect(circlesOf(g)).toEqual([
      ['a.ts', 'b.ts', 'c.ts', 'a.ts'],
      ['e.ts', 'e.ts'],
    ]);
    expect(
      circlesOf(
        new Map([
          ['x.ts', ['y.ts']],
          ['y.ts', []],
        ]),
      ),
    ).toEqual([]);
    const known = new Set(['core/pack.ts', 'core/packSummary.ts', 'worker/index.ts']);
    expect(resolveIn(known, 'core/pack.ts', './packSummary')).toBe('core/packSummary.ts');
    expect(resolveIn(known, 'ui/App.tsx', '../worker')).toBe('worker/index.ts');
    expect(resolveIn(known, 'core/pack.ts', 'fflate')).toBeNull();
  });

  it('no import circle in src (a file never reaches itself through its imports, type-only ones included)', () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(50);
    expect(circlesOf(graph).map((c) => c.join(' → '))).toEqual([]);
  });
});
