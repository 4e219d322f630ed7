import { databaseKinds } from '@calma/db/testing/fresh';
import { describe, expect, it } from 'vitest';
import { startTestApp } from '../../testing.js';

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
