import { databaseKinds, freshDb } from '@calma/db/testing/fresh';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../app.js';
import { DrainState } from '../../cluster/drain.js';
import { startTestApp } from '../../testing.js';
import { hashToken, newToken } from '../../tokens.js';

describe.each(databaseKinds)('readiness on %s', (kind) => {
  it('answers 503 NOT_READY once the database is gone, while liveness still answers', async () => {
    const t = await startTestApp(kind);
    try {
      expect((await t.app.inject({ url: '/api/health/ready' })).statusCode).toBe(200);
      // The node's database goes away under it (a PostgreSQL pool ended, a PGlite closed).
      await t.db.close();
      const res = await t.app.inject({ url: '/api/health/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('NOT_READY');
      expect(res.json().error.message).toMatch(/database/);
      expect((await t.app.inject({ url: '/api/health' })).statusCode).toBe(200);
    } finally {
      await t.app.close();
    }
  });
});

describe('readiness while draining', () => {
  it('answers 503 NOT_READY once the shutdown has begun, while liveness still answers', async () => {
    const db = await freshDb('pglite');
    const drain = new DrainState();
    const app = await buildApp(
      { logLevel: 'silent', webDir: null, bodyLimit: 1024 * 1024, joinRateLimit: 1000 },
      { db, adminTokenHash: hashToken(newToken()), version: 'test', drain },
    );
    try {
      expect((await app.inject({ url: '/api/health/ready' })).json()).toEqual({
        status: 'ready',
        checks: { database: 'ok' },
      });
      drain.begin();
      const res = await app.inject({ url: '/api/health/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toEqual({ code: 'NOT_READY', message: 'This node is shutting down' });
      expect((await app.inject({ url: '/api/health' })).statusCode).toBe(200);
    } finally {
      await app.close();
      await db.close();
    }
  });
});
