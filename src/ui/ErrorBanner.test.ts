// The banner list rendered to a string in Node: newest first, four shown then "+N more", a dismiss button each, an
// alert role for errors and a status role for warnings and notes, a class per severity, the field named once.
import * as React from 'react';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/config/config';
import type { Banner, BannerSeverity } from '../store/banners';
import { serializeError } from '../worker/protocol';
import { BannerList, BANNERS_SHOWN } from './ErrorBanner';

// vitest's esbuild compiles the .tsx with the classic runtime (React.createElement); Vite's build uses react-jsx.
(globalThis as { React?: typeof React }).React = React;

const banner = (id: number, severity: BannerSeverity = 'error'): Banner => ({
  id,
  source: 'lab',
  severity,
  title: `Banner ${id}`,
  error: { name: 'E', message: `message ${id}` },
});
const render = (banners: Banner[]) => renderToString(createElement(BannerList, { banners, onDismiss: () => {} }));
const items = (html: string) =>
  [
    ...html.matchAll(
      /<div class="banner ([a-z]+)" role="([a-z]+)" data-testid="banner"[^>]*>.*?<b>(Banner \d+)(?:<!-- -->)?\.<\/b>/g,
    ),
  ].map((m) => ({ severity: m[1], role: m[2], title: m[3] }));

describe('BannerList', () => {
  it('renders nothing without banners', () => {
    expect(render([])).toBe('');
  });

  it('newest first, at most four, the rest as "+N more"; one dismiss button per banner shown', () => {
    const html = render([1, 2, 3, 4, 5, 6].map((i) => banner(i)));
    expect(items(html).map((b) => b.title)).toEqual(['Banner 6', 'Banner 5', 'Banner 4', 'Banner 3']);
    expect(BANNERS_SHOWN).toBe(4);
    expect(html).toContain('+<!-- -->2<!-- --> more');
    expect(html.match(/data-testid="banner-dismiss"/g)).toHaveLength(4);
    expect(html.match(/aria-label="Dismiss"/g)).toHaveLength(4);
    expect(html).toMatch(/^<div class="banners" data-testid="error-banner">/);
  });

  it('an error is an alert; a warning and a note are status messages, each with its severity class', () => {
    const html = render([banner(1, 'error'), banner(2, 'warning'), banner(3, 'info')]);
    expect(items(html)).toEqual([
      { severity: 'info', role: 'status', title: 'Banner 3' },
      { severity: 'warning', role: 'status', title: 'Banner 2' },
      { severity: 'error', role: 'alert', title: 'Banner 1' },
    ]);
    expect(html).not.toContain('more');
  });

  it('a config error shows its field once, as code, then what was expected', () => {
    const html = render([
      {
        id: 1,
        source: 'config',
        severity: 'error',
        title: 'That setting was refused',
        error: serializeError(new ConfigError('kd.T', 'a number > 0', -1)),
      },
    ]);
    expect(html.split('config.kd.T')).toHaveLength(2);
    expect(html).toContain('<code>config.kd.T</code>:');
    expect(html).toContain('expected a number &gt; 0, got -1');
  });
});
