import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPlugin } from './web.js';

describe('the web app as served', () => {
  const dir = mkdtempSync(join(tmpdir(), 'calma-web-'));
  const script = `console.log(${JSON.stringify('calma '.repeat(2_000))});`;
  const html = `<!doctype html><title>Calma</title><script type="module" src="/assets/index-Ab12.js"></script>`;
  let app: FastifyInstance;

  beforeAll(async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), html);
    writeFileSync(join(dir, 'assets', 'index-Ab12.js'), script);
    writeFileSync(join(dir, 'assets', 'index-Ab12.js.br'), brotliCompressSync(script));
    writeFileSync(join(dir, 'assets', 'index-Ab12.js.gz'), gzipSync(script));
    writeFileSync(join(dir, 'assets', 'small-Cd34.css'), 'body{margin:0}');
    app = Fastify();
    await app.register(webPlugin, { webDir: dir });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, acceptEncoding?: string) =>
    app.inject({ method: 'GET', url, headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} });

  it('sends the Brotli copy to a browser that takes it, gzip to one that takes only gzip, and the file to any other', async () => {
    const br = await get('/assets/index-Ab12.js', 'gzip, deflate, br');
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers.vary).toMatch(/accept-encoding/);
    expect(br.rawPayload.length).toBeLessThan(script.length / 10);
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(script);

    const gz = await get('/assets/index-Ab12.js', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(script);

    const plain = await get('/assets/index-Ab12.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(script);

    // A file the build did not compress is sent as it is, whatever the browser takes.
    const css = await get('/assets/small-Cd34.css', 'br');
    expect(css.headers['content-encoding']).toBeUndefined();
    expect(css.body).toBe('body{margin:0}');
  });

  it('caches hashed assets for a year and makes the page itself revalidate, deep links included', async () => {
    for (const encoding of ['br', undefined]) {
      const asset = await get('/assets/index-Ab12.js', encoding);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
    for (const url of ['/', '/index.html', '/join/ABC-123', '/sessions/s1/analysis']) {
      const page = await get(url, 'br');
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type'], url).toMatch(/text\/html/);
      expect(page.headers['cache-control'], url).toBe('no-cache');
      expect(page.body, url).toBe(html);
    }
  });

  it('keeps API misses and missing assets as 404s, never the page', async () => {
    const api = await get('/api/nothing-here');
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: { code: expect.any(String) } });
    const asset = await get('/assets/gone-Zz99.js', 'br');
    expect(asset.statusCode).toBe(404);
  });
});
