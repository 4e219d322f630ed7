import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from './client.js';
import { freshDb } from './testing/fresh.js';
import type { TestDb } from './testing/index.js';

/** The hot statements on PostgreSQL: named, on a kept connection while it is free (see PgStatements). */
describe('hot statements on PostgreSQL', () => {
  let test: TestDb;
  beforeAll(async () => {
    test = await freshDb('postgres');
  });
  afterAll(() => test.close());

  const pid = async (text = 'select pg_backend_pid() as pid') => Number((await test.query(text, []))[0]?.pid);
  const prepared = async () =>
    (await test.query('select statement from pg_prepared_statements', [])).map((r) => String(r.statement));

  it('run on one connection, each text parsed once there, as a named statement', async () => {
    const first = await pid();
    expect(await pid()).toBe(first);
    expect(await prepared()).toContain('select pg_backend_pid() as pid');
    // A long text (a multi-row INSERT of many rows) runs unnamed: no statement kept for it.
    const long = `select pg_backend_pid() as pid /* ${'x'.repeat(1100)} */`;
    expect(await pid(long)).toBe(first);
    expect((await prepared()).some((s) => s.includes('xxxx'))).toBe(false);
  });

  it('go through the pool while the kept connection is busy, side by side', async () => {
    const slow = test.query('select pg_backend_pid() as pid, pg_sleep(0.3)', []);
    // Had it waited for the kept connection, it would have run there, after the slow one.
    const quick = await pid();
    const slowPid = Number((await slow)[0]?.pid);
    expect(quick).not.toBe(slowPid);
  });

  it('keep the connection after a statement fails, and replace it once it is lost', async () => {
    const before = await pid();
    await expect(test.query('select 1 / 0 as x', [])).rejects.toThrow(/division by zero/);
    expect(await pid()).toBe(before);

    const admin = new pg.Client({ connectionString: test.url ?? '' });
    await admin.connect();
    try {
      await admin.query('select pg_terminate_backend($1)', [before]);
    } finally {
      await admin.end();
    }
    // The statement that meets the closed connection may fail (the server's notice can come after
    // it was sent); the one after runs on a fresh connection. Nothing is thrown unhandled.
    let after: number | null = null;
    let failures = 0;
    for (let attempt = 0; attempt < 3 && after === null; attempt++) {
      try {
        after = await pid();
      } catch {
        failures += 1;
      }
    }
    expect(failures).toBeLessThanOrEqual(1);
    expect(after).not.toBeNull();
    expect(after).not.toBe(before);
    expect(await pid()).toBe(after);
  });

  it('keep no connection from a pool of one, which the query builder needs too', async () => {
    const one = await createDb({ url: test.url ?? '', poolSize: 1 });
    try {
      const [rows, built] = await Promise.all([
        one.query('select 1 as x', []),
        one.db.execute(sql`select 2 as y`),
        one.query('select 3 as z', []),
      ]);
      expect(rows).toEqual([{ x: 1 }]);
      expect((built as unknown as { rows: unknown[] }).rows).toEqual([{ y: 2 }]);
    } finally {
      await one.close();
    }
  });
});
