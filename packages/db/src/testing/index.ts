import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDb, type Db, type DbKind } from '../client.js';
import { newId } from '../ids.js';

export { freePort, startThrowawayPostgres, type ThrowawayPostgres } from './postgres-server.js';

/** Template names the global test setup prepares once per run. */
export const templateDatabaseName = 'calma_template';

/** What the global setup hands every test file: where the migrated templates are. */
export interface TestDatabaseTemplates {
  /** A migrated, closed PGlite data directory to copy. */
  pgliteTemplateDir: string;
  /** The throwaway server's admin URL; `calma_template` on it is migrated. */
  postgresUrl: string;
}

/**
 * Builds both migrated templates once per test run: a PGlite data directory (a fresh PGlite costs
 * seconds and a gigabyte; copying a closed one and reopening it costs a fraction of a second) and a
 * PostgreSQL template database that `CREATE DATABASE … TEMPLATE` clones in milliseconds.
 */
export async function prepareTemplates(postgresUrl: string): Promise<{ pgliteTemplateDir: string; cleanup(): void }> {
  const pgliteTemplateDir = mkdtempSync(join(tmpdir(), 'calma-pglite-template-'));
  const embedded = await createDb({ pglite: join(pgliteTemplateDir, 'db') });
  await embedded.migrate();
  await embedded.close();

  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${templateDatabaseName}`);
  await admin.query(`CREATE DATABASE ${templateDatabaseName}`);
  await admin.end();
  const template = await createDb({ url: withDatabase(postgresUrl, templateDatabaseName), poolSize: 1 });
  await template.migrate();
  await template.close();
  return { pgliteTemplateDir, cleanup: () => rmSync(pgliteTemplateDir, { recursive: true, force: true }) };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A fresh, migrated, isolated database for one test file; `close` throws it away. */
export interface TestDb extends Db {
  /** For PostgreSQL, the URL of this database (child-process tests connect to it). */
  readonly url: string | null;
  /** For PGlite, the data directory (child-process tests reopen it). */
  readonly dataDir: string | null;
}

/** Opens a fresh database of `kind` cloned from the run's migrated template. */
export async function openTestDb(kind: DbKind, templates: TestDatabaseTemplates): Promise<TestDb> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'calma-pglite-'));
    const dataDir = join(dir, 'db');
    cpSync(join(templates.pgliteTemplateDir, 'db'), dataDir, { recursive: true });
    const db = await createDb({ pglite: dataDir });
    return {
      ...db,
      db: db.db,
      kind: db.kind,
      url: null,
      dataDir,
      close: async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = newId('t')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  const admin = new pg.Client({ connectionString: templates.postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabaseName}`);
  await admin.end();
  const url = withDatabase(templates.postgresUrl, name);
  const db = await createDb({ url, poolSize: 4 });
  return {
    ...db,
    db: db.db,
    kind: db.kind,
    url,
    dataDir: null,
    close: async () => {
      await db.close();
      const dropper = new pg.Client({ connectionString: templates.postgresUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}
