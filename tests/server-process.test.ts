import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDb } from '@calma/db/testing/fresh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './support/board-clients.js';
import { adminToken, api, buildServer, mainJs, root, startServer, stop } from './support/child-server.js';

/**
 * Boots the built server (apps/server/dist/main.js) as a child process, the way `pnpm start`
 * runs it, and talks to it over real HTTP.
 */

beforeAll(() => {
  // Always test the current sources: bundling takes well under a second.
  const build = buildServer();
  expect(build.status, build.stderr).toBe(0);
});

// Each test starts server processes (two or three, one after another): on a loaded 2-core
// machine that can take well over the default 30 s.
describe('the built server on the embedded database', { timeout: 90_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'calma-process-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves health over HTTP, seeds the demo, stops cleanly on SIGTERM and keeps its data', async () => {
    const started = Date.now();
    const first = await startServer({ CALMA_DATA_DIR: dataDir, CALMA_ADMIN_TOKEN: adminToken });
    const health = await api(first, '/api/health');
    expect(health).toEqual({ status: 200, body: { status: 'ok', db: 'pglite', version: expect.any(String) } });
    console.log(`embedded start to healthy: ${Date.now() - started} ms`);
    expect(first.output()).toMatch(/invite code\s+[0-9A-Z]{10}/);
    // Where the start-up's time went, and the offline model left for its first use.
    expect(first.output()).toMatch(
      /^Started in [\d.]+ s \(loading code [\d.]+ s, database [\d.]+ s, .*listen [\d.]+ s\)$/m,
    );
    await until(
      () => /Embeddings: calma\/glove-wordnet-100d \(100 dimensions, loaded on first use\)/.test(first.output()),
      'the embeddings line',
    );
    // A first start copies the build's template whole, without the template's own note.
    expect(readdirSync(dataDir)).toContain('pglite');
    expect(readdirSync(dataDir).filter((f) => f.endsWith('.creating'))).toEqual([]);
    expect(readdirSync(join(dataDir, 'pglite'))).not.toContain('.calma-template.json');

    // The built web app: the page names its script; the script comes compressed and cached.
    const page = await fetch(`${first.url}/`, { headers: { 'accept-encoding': 'br' } });
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const script = (await page.text()).match(/src="(\/assets\/index-[\w-]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${first.url}${script}`, { headers: { 'accept-encoding': 'br' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-encoding')).toBe('br');
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    expect(await asset.text()).toBe(readFileSync(join(root, 'apps/web/dist', script as string), 'utf8'));

    const studies = await api(first, '/api/studies');
    expect((studies.body.studies as { title: string }[]).map((s) => s.title)).toEqual([
      'History Educational Assistant',
    ]);
    const created = await api(first, '/api/studies', {
      method: 'POST',
      body: JSON.stringify({ title: 'Kept', context: { name: 'n', description: '', systemPrompt: '' } }),
    });
    expect(created.status).toBe(201);

    // A second process on the same data directory is refused, not allowed to corrupt it.
    const second = spawnSync(process.execPath, [mainJs], {
      cwd: root,
      env: { ...process.env, PORT: '0', CALMA_DATA_DIR: dataDir },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(/embedded database is in use .* by another Calma process/);

    expect(await stop(first)).toBe(0);

    const again = await startServer({ CALMA_DATA_DIR: dataDir, CALMA_ADMIN_TOKEN: adminToken });
    const titles = ((await api(again, '/api/studies')).body.studies as { title: string }[]).map((s) => s.title);
    expect(titles).toEqual(['History Educational Assistant', 'Kept']);
    expect(await stop(again)).toBe(0);
  });

  it("computes the seeded demo's affinity map offline, with the model shipped in the bundle", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'calma-map-'));
    try {
      // A hub model with downloads off (and no network here): Calma must fall back by itself.
      const server = await startServer({
        CALMA_DATA_DIR: dir,
        CALMA_ADMIN_TOKEN: adminToken,
        CALMA_EMBEDDING_MODEL: 'Xenova/all-MiniLM-L6-v2',
      });
      const demo = JSON.parse(readFileSync(join(dir, 'demo-credentials.json'), 'utf8')) as {
        groups: { id: string; moderatorToken: string }[];
      };
      const group = demo.groups[0] as { id: string; moderatorToken: string };
      const moderator = { authorization: `Bearer ${group.moderatorToken}` };
      const session = await api(server, `/api/groups/${group.id}/sessions`, { method: 'POST', headers: moderator });
      const map = await api(server, `/api/sessions/${session.body.id}/affinity-map`, {
        method: 'POST',
        headers: moderator,
        body: '{}',
      });
      expect(map.status).toBe(200);
      expect(map.body).toMatchObject({ model: 'calma/glove-wordnet-100d', fallbackFrom: 'Xenova/all-MiniLM-L6-v2' });
      const labels = await api(server, `/api/groups/${group.id}/labels`, { headers: moderator });
      expect((map.body.points as unknown[]).length).toBe((labels.body.labels as unknown[]).length);
      // One line says so.
      await until(() => /Embeddings: calma\/glove-wordnet-100d/.test(server.output()), 'the embeddings line');
      const lines = server
        .output()
        .split('\n')
        .filter((line) => line.includes('Xenova/all-MiniLM-L6-v2 could not be loaded'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/using the offline model calma\/glove-wordnet-100d instead/);
      expect(await stop(server)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('generates an admin token on first start, prints it once and keeps working with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'calma-admin-'));
    try {
      const first = await startServer({ CALMA_DATA_DIR: dir, CALMA_SEED_DEMO: '0', CALMA_ADMIN_TOKEN: '' });
      const token = /Admin token \(printed once[^:]*\): (\S+)/.exec(first.output())?.[1];
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const list = await fetch(`${first.url}/api/studies`, { headers: { authorization: `Bearer ${token}` } });
      expect(await list.json()).toEqual({ studies: [] });
      expect(await stop(first)).toBe(0);

      const second = await startServer({ CALMA_DATA_DIR: dir, CALMA_SEED_DEMO: '0', CALMA_ADMIN_TOKEN: '' });
      expect(second.output()).not.toContain(token as string);
      const still = await fetch(`${second.url}/api/studies`, { headers: { authorization: `Bearer ${token}` } });
      expect(still.status).toBe(200);
      expect(await stop(second)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a running session across restarts', { timeout: 90_000 }, () => {
  it.each(['SIGTERM', 'SIGKILL'] as const)('keeps its clock running after %s and a restart', async (signal) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'calma-clock-'));
    try {
      const env = { CALMA_DATA_DIR: dataDir, CALMA_ADMIN_TOKEN: adminToken, CALMA_SEED_DEMO: '0' };
      const first = await startServer(env);
      const study = await api(first, '/api/studies', {
        method: 'POST',
        body: JSON.stringify({ title: 'Clock', context: { name: 'n', description: '', systemPrompt: '' } }),
      });
      const group = await api(first, `/api/studies/${study.body.id}/groups`, { method: 'POST', body: '{"name":"G"}' });
      const moderator = { authorization: `Bearer ${group.body.moderatorToken}` };
      const session = await api(first, `/api/groups/${group.body.id}/sessions`, { method: 'POST', headers: moderator });
      const started = await api(first, `/api/sessions/${session.body.id}/control`, {
        method: 'POST',
        headers: moderator,
        body: JSON.stringify({ action: 'start', segment: 1, durationMs: 600_000 }),
      });
      const before = started.body.state as { endsAt: number; serverNow: number; remainingMs: number };
      expect(await stop(first, signal)).toBe(signal === 'SIGTERM' ? 0 : null);

      const again = await startServer(env);
      const after = (await api(again, `/api/sessions/${session.body.id}`, { headers: moderator })).body.state as {
        status: string;
        segment: number;
        endsAt: number;
        serverNow: number;
        remainingMs: number;
      };
      expect(after).toMatchObject({ status: 'running', segment: 1, endsAt: before.endsAt });
      // The clock kept running while the server was down.
      expect(after.remainingMs).toBe(before.remainingMs - (after.serverNow - before.serverNow));
      expect(after.remainingMs).toBeLessThan(before.remainingMs);
      expect(await stop(again)).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the built server on PostgreSQL', { timeout: 90_000 }, () => {
  it('reports "postgres", applies migrations and keeps data across restarts', async () => {
    const db = await freshDb('postgres');
    const dataDir = mkdtempSync(join(tmpdir(), 'calma-process-pg-'));
    try {
      const env = { DATABASE_URL: db.url as string, CALMA_DATA_DIR: dataDir, CALMA_ADMIN_TOKEN: adminToken };
      const first = await startServer(env);
      expect((await api(first, '/api/health')).body.db).toBe('postgres');
      // No demo on PostgreSQL unless asked.
      expect((await api(first, '/api/studies')).body.studies).toEqual([]);
      await api(first, '/api/studies', {
        method: 'POST',
        body: JSON.stringify({ title: 'On Postgres', context: { name: 'n', description: '', systemPrompt: '' } }),
      });
      expect(await stop(first)).toBe(0);
      const again = await startServer(env);
      const titles = ((await api(again, '/api/studies')).body.studies as { title: string }[]).map((s) => s.title);
      expect(titles).toEqual(['On Postgres']);
      expect(await stop(again)).toBe(0);
    } finally {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
