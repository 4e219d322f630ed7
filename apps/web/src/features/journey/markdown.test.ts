import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { OrientationMarkdown } from './markdown';

describe('OrientationMarkdown', () => {
  it('renders Markdown structure and never raw HTML or script links', () => {
    const html = renderToStaticMarkup(
      createElement(OrientationMarkdown, {
        text: '### Worked example\n\n- *one*\n- **two**\n\n<script>alert(1)</script>\n\nHi <b>bold</b> <img src=x onerror=alert(1)> [link](javascript:alert(1))',
      }),
    );
    expect(html).toContain('<h3>Worked example</h3>');
    expect(html).toContain('<li><em>one</em></li>');
    expect(html).toContain('<strong>two</strong>');
    expect(html).not.toMatch(/<script|<b>|<img|onerror|javascript:/);
    expect(html).toContain('dir="auto"');
  });
});
