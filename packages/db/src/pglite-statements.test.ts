import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, freshDb } from './testing/fresh.js';
import type { TestDb } from './testing/index.js';

/** `Db.query`, the board's hot path: on PGlite through prepared statements, on PostgreSQL through pg. */
describe.each(databaseKinds)('Db.query on %s', (kind) => {
  let test: TestDb;
  beforeAll(async () => {
    test = await freshDb(kind);
    await test.db.execute(sql`create table scratch (id bigserial primary key, label text, bytes bytea)`);
  });
  afterAll(() => test.close());

  it('stores bytes as they are and returns rows by column name, again and again', async () => {
    const bytes = new Uint8Array([0, 1, 92, 120, 255, 39]);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const [row] = await test.query('insert into scratch (label, bytes) values ($1, $2) returning id, label', [
        `row ${i}`,
        bytes,
      ]);
      expect(row?.label).toBe(`row ${i}`);
      ids.push(Number(row?.id));
    }
    expect(ids[1]).toBe((ids[0] as number) + 1);
    const stored = await test.db.execute<{ bytes: Uint8Array; n: number }>(
      sql`select bytes, octet_length(bytes) as n from scratch where id = ${ids[2]}`,
    );
    const row = (stored as unknown as { rows: { bytes: Uint8Array; n: number }[] }).rows[0];
    expect(Number(row?.n)).toBe(bytes.length);
    expect([...new Uint8Array(row?.bytes ?? [])]).toEqual([...bytes]);
    expect(await test.query('select label from scratch where id = $1 and label is not null', [null])).toEqual([]);
  });

  it('never runs inside another caller’s open transaction', async () => {
    let inserted: Promise<Record<string, unknown>[]> | undefined;
    await expect(
      test.db.transaction(async (tx) => {
        await tx.execute(sql`insert into scratch (label) values ('rolled back')`);
        inserted = test.query('insert into scratch (label) values ($1) returning id', ['kept']);
        // Give a query that did not wait for the transaction every chance to run inside it.
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const [row] = (await inserted) ?? [];
    const found = await test.query('select label from scratch where id = $1', [String(row?.id)]);
    expect(found).toEqual([{ label: 'kept' }]);
    expect(await test.query('select id from scratch where label = $1', ['rolled back'])).toEqual([]);
  });

  it('reports a bad value as the database’s error and goes on working', async () => {
    await expect(test.query('select $1::uuid as id', ['not-a-uuid'])).rejects.toThrow(/uuid/);
    const [row] = await test.query('select $1::uuid as id', ['8c6f1f5e-8b5a-4d2b-9d57-2b9b7c1e4a11']);
    expect(row?.id).toBe('8c6f1f5e-8b5a-4d2b-9d57-2b9b7c1e4a11');
  });

  it('runs more distinct statements than it keeps prepared, each still right', async () => {
    for (let n = 1; n <= 40; n++) {
      const columns = Array.from({ length: n }, (_, i) => `$${i + 1}::int as c${i}`).join(', ');
      const [row] = await test.query(
        `select ${columns}`,
        Array.from({ length: n }, (_, i) => String(i * n)),
      );
      expect(Object.keys(row ?? {})).toHaveLength(n);
      expect(row?.[`c${n - 1}`]).toBe((n - 1) * n);
    }
  });

  it('sees a table’s new column once its shape changed', async () => {
    await test.db.execute(sql`create table reshaped (a int)`);
    await test.db.execute(sql`insert into reshaped values (1)`);
    expect(await test.query('select * from reshaped where a = $1', ['1'])).toEqual([{ a: 1 }]);
    await test.db.execute(sql`alter table reshaped add column b int default 2`);
    // A prepared plan whose result type changed fails once (PostgreSQL's rule); the next run prepares anew.
    const again = await test.query('select * from reshaped where a = $1', ['1']).catch(() => null);
    const rows = again ?? (await test.query('select * from reshaped where a = $1', ['1']));
    expect(rows).toEqual([{ a: 1, b: 2 }]);
  });
});
