// The panel error boundary (Node, no DOM): a thrown error becomes the fallback state, the fallback names the panel and
// the message with a retry button, and retry clears it (the children render again).
import * as React from 'react';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { errorMessage, PanelBoundary } from './PanelBoundary';

// vitest's esbuild compiles the .tsx with the classic runtime (React.createElement); Vite's build uses react-jsx.
(globalThis as { React?: typeof React }).React = React;

describe('PanelBoundary', () => {
  it('shows the panel name and the message, with retry; retry brings the children back', () => {
    const b = new PanelBoundary({ name: 'Loss chart', children: createElement('p', null, 'chart') });
    expect(renderToStaticMarkup(b.render() as never)).toBe('<p>chart</p>');
    b.state = PanelBoundary.getDerivedStateFromError(new TypeError('t.toFixed is not a function'));
    const html = renderToStaticMarkup(b.render() as never);
    expect(html).toContain('data-testid="panel-error"');
    expect(html).toContain('<b>Loss chart failed</b>: t.toFixed is not a function.');
    expect(html).toContain('data-testid="panel-error-retry"');
    let next: unknown = null;
    b.setState = ((s: unknown) => (next = s)) as never;
    (b as unknown as { retry: () => void }).retry();
    expect(next).toEqual({ error: null });
  });

  it('anything thrown gets a message', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage({ a: 1 })).toBe('{"a":1}');
    expect(PanelBoundary.getDerivedStateFromError(42).error!.message).toBe('42');
  });
});
