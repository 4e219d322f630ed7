import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { type DataDirLock, lockDataDir } from './lock.js';
import * as schema from './schema.js';

/** The drizzle database both drivers provide; repositories take only this. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** Which driver is behind a {@link Db}; reported by `/api/health`. */
export type DbKind = 'pglite' | 'postgres';

/** How to reach the database: an embedded PGlite data directory, or a PostgreSQL URL. */
export type DbOptions =
  | { pglite: string | { memory: true }; migrationsFolder?: string }
  | { url: string; poolSize?: number; migrationsFolder?: string };

/** An open database with its driver kind; `close` releases the pool or the embedded instance. */
export interface Db {
  readonly db: Database;
  readonly kind: DbKind;
  /**
   * A parameterised statement straight on the driver, for the one hot path (board updates) where
   * the query builder's overhead shows in tail latency. Repositories only; never in routes.
   */
  query(text: string, params: unknown[]): Promise<Record<string, unknown>[]>;
  /** Applies every pending drizzle-kit migration (idempotent). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Where the generated migrations live. Resolved through the package, not `import.meta.url`, so
 * that the bundled server (whose code runs from `apps/server/dist`) finds the same folder.
 */
export function defaultMigrationsFolder(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@calma/db/package.json')), 'drizzle');
}

/**
 * PGlite builds a new database in memory and copies it into its directory over some
 * milliseconds; a kill in that window leaves a directory that never opens again (seen here: data
 * files without pg_hba.conf). So a new directory is built beside the real one and renamed into
 * place only once complete: the real path is either absent or whole.
 */
async function createPgliteDirOnce(dir: string): Promise<void> {
  if (existsSync(dir) && readdirSync(dir).length > 0) return;
  const building = `${dir}.creating`;
  rmSync(building, { recursive: true, force: true });
  const fresh = new PGlite(building);
  await fresh.waitReady;
  await fresh.close();
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
}

/** Opens PGlite (embedded, data directory) or node-postgres (URL) behind one interface. */
export async function createDb(options: DbOptions): Promise<Db> {
  const migrationsFolder = options.migrationsFolder ?? defaultMigrationsFolder();
  if ('url' in options) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    // An idle client's error (the server restarting, say) must not become an uncaught exception.
    pool.on('error', () => {});
    const client = await pool.connect();
    client.release();
    const db = drizzleNodePg(pool, { schema });
    return {
      db: db as unknown as Database,
      kind: 'postgres',
      query: async (text, params) => (await pool.query(text, params)).rows,
      migrate: () => migrateNodePg(db, { migrationsFolder }),
      close: () => pool.end(),
    };
  }
  let lock: DataDirLock | undefined;
  let client: PGlite;
  if (typeof options.pglite === 'string') {
    mkdirSync(dirname(options.pglite), { recursive: true });
    // Two processes on one PGlite directory corrupt it: refuse rather than risk the data.
    lock = lockDataDir(`${options.pglite}.lock`);
    try {
      await createPgliteDirOnce(options.pglite);
      client = new PGlite(options.pglite);
      await client.waitReady;
    } catch (err) {
      lock.release();
      throw err;
    }
  } else {
    client = new PGlite();
    await client.waitReady;
  }
  const db = drizzlePglite(client, { schema });
  return {
    db: db as unknown as Database,
    kind: 'pglite',
    query: async (text, params) => (await client.query<Record<string, unknown>>(text, params)).rows,
    migrate: () => migratePglite(db, { migrationsFolder }),
    close: async () => {
      await client.close();
      lock?.release();
    },
  };
}
