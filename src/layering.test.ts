// The layer rule of DESIGN §1 as a test: arrows point down only (core < model < worker < store < ui). Every import
// in src/**/*.ts(x) — static `import … from` / `import '…'`, `export … from`, dynamic `import('…')` and
// `new URL('…', import.meta.url)` workers — is classified by the layer it reaches (a src folder, or the lowest layer
// a package belongs to), and a file may only reach its own layer or one below. Tests and testing/ helpers obey the
// rule of the folder they sit in. A self-check feeds the classifier synthetic bad imports, so the test can fail.
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
    expect(violationsOf('model/fake.ts', `import * as tf from '@tensorflow/tfjs-core';\nimport { Rng } from '../core/rng';`)).toEqual([]);
    expect(violationsOf('worker/fake.ts', `import { useLab } from '../store/index';`)).toHaveLength(1);
    expect(violationsOf('store/fake.ts', `import { App } from '../ui/App';`)).toHaveLength(1);
    expect(violationsOf('ui/fake.tsx', `import { useLab } from '../store';\nimport wasm from '@tensorflow/tfjs-backend-wasm/dist/x.wasm?url';`)).toEqual([]);
    expect(violationsOf('main.tsx', `import { App } from './ui/App';`)).toEqual([]);
    expect(violationsOf('core/testing/fake.ts', `import { tinyModel } from '../../model/testing/tiny';`)).toHaveLength(1);
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
});
