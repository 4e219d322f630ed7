import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { root } from './support/child-server.js';

/**
 * The built web app (`npm test` builds it before the suite): what a browser fetches first, and
 * what it gets compressed. Read from `apps/web/dist`, as the server serves it.
 */
describe('the web build', () => {
  const dist = join(root, 'apps/web/dist');
  const assets = readdirSync(join(dist, 'assets'));
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const linked = [...html.matchAll(/(?:src|href)="\/assets\/([^"]+)"/g)].map((m) => m[1] as string);

  it('has one stylesheet, linked from the page, so the cascade does not depend on which pages were opened', () => {
    const css = assets.filter((f) => f.endsWith('.css'));
    expect(css).toHaveLength(1);
    expect(linked).toContain(css[0]);
  });

  it('loads the pages other than home and join only when they are opened', () => {
    const first = linked.filter((f) => f.endsWith('.js'));
    const bytes = first.reduce((sum, f) => sum + statSync(join(dist, 'assets', f)).size, 0);
    console.log(`first load: ${first.length} scripts, ${(bytes / 1024).toFixed(0)} KB`);
    for (const page of ['session-page', 'coding-page', 'dashboard-page', 'chat-page', 'attributes-page']) {
      expect(
        assets.some((f) => f.startsWith(`${page}-`) && f.endsWith('.js')),
        `${page} has its own chunk`,
      ).toBe(true);
      expect(first.some((f) => f.startsWith(`${page}-`))).toBe(false);
    }
    // The board's sync (y-websocket's awareness handler) and the charts are not in what the join
    // page needs; they are in the chunks that load later.
    const code = (files: string[]) => files.map((f) => readFileSync(join(dist, 'assets', f), 'utf8')).join('\n');
    const later = assets.filter((f) => f.endsWith('.js') && !first.includes(f));
    for (const marker of ['awarenessUpdateHandler', 'recharts']) {
      expect(code(later)).toContain(marker);
      expect(code(first)).not.toContain(marker);
    }
    expect(bytes).toBeLessThan(700 * 1024);
  });

  it('has a Brotli and a gzip copy of every script and stylesheet, each the same file', () => {
    for (const file of assets.filter((f) => /\.(js|css)$/.test(f))) {
      const raw = readFileSync(join(dist, 'assets', file));
      if (raw.length < 1024) continue;
      expect(brotliDecompressSync(readFileSync(join(dist, 'assets', `${file}.br`))).equals(raw), file).toBe(true);
      expect(gunzipSync(readFileSync(join(dist, 'assets', `${file}.gz`))).equals(raw), file).toBe(true);
    }
  });
});
