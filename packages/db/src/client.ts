import { mkdirSync } from 'node:fs';
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
      migrate: () => migrateNodePg(db, { migrationsFolder }),
      close: () => pool.end(),
    };
  }
  let lock: DataDirLock | undefined;
  let client: PGlite;
  if (typeof options.pglite === 'string') {
    mkdirSync(options.pglite, { recursive: true });
    // Two processes on one PGlite directory corrupt it: refuse rather than risk the data.
    lock = lockDataDir(`${options.pglite}.lock`);
    try {
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
    migrate: () => migratePglite(db, { migrationsFolder }),
    close: async () => {
      await client.close();
      lock?.release();
    },
  };
}
