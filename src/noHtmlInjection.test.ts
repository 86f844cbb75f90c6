// No HTML is built from pack or run text (issue 16 item 7): the sources never assign innerHTML/outerHTML, call
// insertAdjacentHTML or document.write, or use React's dangerouslySetInnerHTML; text reaches the page as text nodes.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname);
const BANNED =
  /\b(innerHTML|outerHTML|dangerouslySetInnerHTML|insertAdjacentHTML|document\.write|createContextualFragment)\b/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|tsx)$/.test(n) && !n.endsWith('noHtmlInjection.test.ts') ? [p] : [];
  });
}

describe('no HTML from text', () => {
  it('no source under src/ builds HTML from strings', () => {
    const files = sources(ROOT);
    expect(files.length).toBeGreaterThan(50);
    const hits = files.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (BANNED.test(line) ? [`${f.slice(ROOT.length + 1)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(hits).toEqual([]);
  });
  it('the pattern catches what it is meant to', () => {
    for (const s of [
      'el.innerHTML = x',
      '<div dangerouslySetInnerHTML={{ __html: t }} />',
      'n.insertAdjacentHTML("a", s)',
      'document.write(s)',
    ])
      expect(BANNED.test(s)).toBe(true);
    expect(BANNED.test('el.textContent = x')).toBe(false);
  });
});
