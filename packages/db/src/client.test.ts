import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, createPgliteTemplate, defaultMigrationsFolder, pgliteTemplateIsCurrent } from './client.js';
import { freshDb } from './testing/fresh.js';

/**
 * How a new embedded data directory comes to be (PGlite only: PostgreSQL's are made by its
 * operator): from the build's template when it fits, else by initdb and the migrations.
 */
describe('a new PGlite data directory', { timeout: 120_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'calma-client-'));
  const template = join(work, 'template');
  const migrations = readdirSync(defaultMigrationsFolder()).filter((f) => f.endsWith('.sql'));
  beforeAll(() => createPgliteTemplate(template), 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const appliedMigrations = async (db: Awaited<ReturnType<typeof createDb>>) =>
    (await db.query('select count(*)::int as n from drizzle.__drizzle_migrations', []))[0]?.n;

  it('starts as a copy of a current template: migrated before migrate() runs, whole, without the template’s note', async () => {
    expect(pgliteTemplateIsCurrent(template)).toBe(true);
    const dir = join(work, 'from-template');
    const db = await createDb({ pglite: dir, template });
    try {
      expect(await appliedMigrations(db)).toBe(migrations.length);
      await db.migrate();
      expect(await appliedMigrations(db)).toBe(migrations.length);
      // The smaller buffer cache applies (the directory's postgresql.conf still says 128MB).
      expect(await db.query('show shared_buffers', [])).toEqual([{ shared_buffers: '16MB' }]);
    } finally {
      await db.close();
    }
    expect(existsSync(join(dir, 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dir, '.calma-template.json'))).toBe(false);
    expect(existsSync(`${dir}.creating`)).toBe(false);
  });

  it('is not made from a template for other migrations (another branch, a migration added since)', async () => {
    const otherMigrations = join(work, 'other-migrations');
    cpSync(defaultMigrationsFolder(), otherMigrations, { recursive: true });
    writeFileSync(join(otherMigrations, '9999_added.sql'), 'SELECT 1;\n');
    expect(pgliteTemplateIsCurrent(template, otherMigrations)).toBe(false);
    expect(pgliteTemplateIsCurrent(join(work, 'no-such-template'))).toBe(false);

    // With only a stale template, initdb runs: the directory opens empty, and migrate() fills it.
    const dir = join(work, 'stale-template');
    const db = await createDb({ pglite: dir, template, migrationsFolder: otherMigrations });
    try {
      expect(await db.query("select to_regclass('public.studies') as t", [])).toEqual([{ t: null }]);
      await db.migrate();
      expect(await db.query("select to_regclass('public.studies') as t", [])).toEqual([{ t: 'studies' }]);
    } finally {
      await db.close();
    }
  });

  it('reopens an existing directory as it is, whatever template is given', async () => {
    const dir = join(work, 'reopened');
    const db = await createDb({ pglite: dir, template });
    try {
      await db.query("insert into settings (key, value) values ('kept', '1'::jsonb)", []);
    } finally {
      await db.close();
    }
    const again = await createDb({ pglite: dir, template: join(work, 'no-such-template') });
    try {
      expect(await again.query("select value from settings where key = 'kept'", [])).toEqual([{ value: 1 }]);
    } finally {
      await again.close();
    }
  });
});

describe('nodes starting together on one PostgreSQL', () => {
  it('run their exclusive start-up (migrations, seed) one after the other', async () => {
    const test = await freshDb('postgres');
    const other = await createDb({ url: test.url ?? '' });
    try {
      const events: string[] = [];
      const step = (name: string, ms: number) => async () => {
        events.push(`${name} start`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        events.push(`${name} end`);
        return name;
      };
      const results = await Promise.all([test.exclusive(step('a', 150)), other.exclusive(step('b', 10))]);
      expect(results).toEqual(['a', 'b']);
      // Whichever got the lock first, the other started only after it ended.
      expect([events.slice(0, 2), events.slice(2)].map((pair) => pair.map((e) => e.split(' ')[1]))).toEqual([
        ['start', 'end'],
        ['start', 'end'],
      ]);
      // The lock is released: a third call does not wait forever.
      expect(await other.exclusive(async () => 'again')).toBe('again');
    } finally {
      await other.close();
      await test.close();
    }
  });
});
