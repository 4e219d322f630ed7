import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { BoardJournal, type BoardJournalOptions } from './board-journal.js';
import { type DataDirLock, lockDataDir } from './lock.js';
import { PgStatements } from './pg-statements.js';
import { PgliteStatements, type StatementParam } from './pglite-statements.js';
import * as schema from './schema.js';

/** The drizzle database both drivers provide; repositories take only this. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** Which driver is behind a {@link Db}; reported by `/api/health`. */
export type DbKind = 'pglite' | 'postgres';

/** How to reach the database: an embedded PGlite data directory, or a PostgreSQL URL. */
export type DbOptions =
  | {
      pglite: string | { memory: true };
      migrationsFolder?: string;
      /**
       * A data directory made by {@link createPgliteTemplate} (the server build ships one): a new
       * data directory starts as a copy of it instead of running initdb and the migrations.
       * Ignored when absent, or made by another PGlite version or for other migrations.
       */
      template?: string;
      /**
       * Let V8 optimise PGlite's hot WebAssembly as it warms up (its default), at ~50 MB more
       * resident memory; without it (Calma's default) PGlite runs on baseline code. See {@link openPglite}.
       */
      optimizeWasm?: boolean;
      /** When the board journal moves its updates into `board_updates` ({@link BoardJournal}). */
      boardJournal?: BoardJournalOptions;
    }
  | { url: string; poolSize?: number; migrationsFolder?: string };

/** An open database with its driver kind; `close` releases the pool or the embedded instance. */
export interface Db {
  readonly db: Database;
  readonly kind: DbKind;
  /**
   * A parameterised statement straight on the driver, for the statements every broadcast waits
   * for (a board's appends, a session's new state), where the query builder's overhead shows in
   * latency. Repositories only; never in routes. On PGlite the statement is prepared once and
   * bytes go in binary ({@link PgliteStatements}).
   */
  query(text: string, params: readonly StatementParam[]): Promise<Record<string, unknown>[]>;
  /** Applies every pending drizzle-kit migration (idempotent). */
  migrate(): Promise<void>;
  /**
   * Runs `task` while no other process runs its own `exclusive` on this database: nodes starting
   * together on one PostgreSQL migrate and seed one after the other (a session advisory lock).
   * PGlite has one process already.
   */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /**
   * PGlite only: where board updates are committed before they reach `board_updates` (a file
   * `write()` instead of a statement on the event loop). Flush it before reading that table.
   */
  readonly boardJournal?: BoardJournal;
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
 * PGlite's start parameters with a 16 MB buffer cache instead of initdb's 128 MB. The cache lives
 * in PGlite's WebAssembly memory, which never shrinks: at 128 MB it is most of an idle server's
 * resident memory, while Calma's working set (a few sessions' boards) fits in a fraction of it,
 * and pages not cached are one read of the host's file cache away. A command-line `-c` wins over
 * the data directory's postgresql.conf, so directories made before this get it too.
 */
export const pgliteStartParams: readonly string[] = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

/**
 * Opens PGlite, its WebAssembly compiled by V8's baseline compiler (Liftoff) alone unless
 * `optimizeWasm`. V8 otherwise recompiles PostgreSQL's hot functions with its optimizing compiler
 * as they warm up: measured on a server's statements (one-row appends, a session's state), that
 * kept ~50 MB more resident (222–230 against 172–186 MB after 5,000 appends) and spent the CPU
 * of the first minutes compiling (the first 5,000 appends 0.35 against 0.18–0.23 ms of CPU each),
 * for appends no faster once warm (0.12–0.15 against 0.12–0.18 ms) and a heavy query (a scan, a
 * 5,000-row JSON aggregate) 1.2–1.5× faster. The flag is V8's, process-wide, and read when a
 * module compiles: it is set only while PGlite compiles its own, and left alone when the process
 * was started with it.
 */
async function openPglite(dataDir: string | undefined, optimizeWasm: boolean): Promise<PGlite> {
  const baselineOnly = !optimizeWasm && !process.execArgv.includes('--liftoff-only');
  if (baselineOnly) setFlagsFromString('--liftoff-only');
  try {
    const options = { startParams: [...pgliteStartParams] };
    const client = dataDir === undefined ? new PGlite(options) : new PGlite(dataDir, options);
    await client.waitReady;
    return client;
  } finally {
    if (baselineOnly) setFlagsFromString('--no-liftoff-only');
  }
}

/** The board journal's folder inside a PGlite data directory (PostgreSQL leaves other names alone). */
export const boardJournalDir = 'calma-board-journal';

/** The advisory lock nodes take to start one at a time (any 64-bit number no one else uses). */
const startupLockKey = '7245366951837260901';

/** The file in a template directory that names the PGlite version that made it. */
const templateMetaFile = '.calma-template.json';

function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  // `dist/index.cjs` → the package root (its exports do not include package.json).
  return (JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** A digest of every file of a migrations folder: a template is migrated up to exactly these. */
function migrationsDigest(folder: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(`${relative(folder, path)}\0`).update(readFileSync(path));
    }
  };
  walk(folder);
  return hash.digest('hex');
}

/**
 * Whether `dir` is a complete template made by the PGlite version installed now and migrated
 * with exactly the migrations in `migrationsFolder` (a template from before a migration was
 * added, or from another branch, is not used: initdb runs instead).
 */
export function pgliteTemplateIsCurrent(
  dir: string | undefined,
  migrationsFolder: string = defaultMigrationsFolder(),
): dir is string {
  if (dir === undefined || !existsSync(join(dir, templateMetaFile))) return false;
  try {
    const meta = JSON.parse(readFileSync(join(dir, templateMetaFile), 'utf8')) as {
      pglite?: string;
      migrations?: string;
    };
    return meta.pglite === pgliteVersion() && meta.migrations === migrationsDigest(migrationsFolder);
  } catch {
    return false;
  }
}

/**
 * Runs PGlite's initdb on the empty directory `dir` in a child process. In this process it would
 * keep ~500 MB for good: initdb runs in two extra WebAssembly instances whose memory is not given
 * back after they close (nor after a worker thread running them exits), while a child's is
 * returned to the system when it exits.
 */
function initdbInChild(dir: string): Promise<void> {
  const entry = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href;
  const script = `const { PGlite } = await import(${JSON.stringify(entry)});
const db = new PGlite(process.argv[1]);
await db.waitReady;
await db.close();`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`PGlite initdb in ${dir} failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
}

/**
 * Makes a PGlite template at `dir` (replacing what is there): a data directory after initdb and
 * every migration, plus what made it (the PGlite version, the migrations' digest), for
 * {@link createDb}'s `template`. The server build runs this once, so that a first start copies
 * ~40 MB of files instead of spending seconds on initdb and the migrations.
 */
export async function createPgliteTemplate(
  dir: string,
  migrationsFolder: string = defaultMigrationsFolder(),
): Promise<void> {
  const building = `${dir}.creating`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  const db = await createDb({ pglite: building, migrationsFolder });
  try {
    await db.migrate();
  } finally {
    await db.close();
  }
  const meta = { pglite: pgliteVersion(), migrations: migrationsDigest(migrationsFolder) };
  writeFileSync(join(building, templateMetaFile), `${JSON.stringify(meta)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
}

/**
 * A new data directory, from the template when there is a usable one, else by initdb (in a child
 * process). PGlite writes a new database over some milliseconds; a kill in that window used to
 * leave a directory that never opened again (data files without pg_hba.conf). So it is built
 * beside the real one and renamed into place only once complete: the real path is either absent
 * or whole. Either way this process opens the directory once, afterwards.
 */
async function createPgliteDirOnce(dir: string, template: string | undefined, migrationsFolder: string): Promise<void> {
  if (existsSync(dir) && readdirSync(dir).length > 0) return;
  const building = `${dir}.creating`;
  rmSync(building, { recursive: true, force: true });
  if (pgliteTemplateIsCurrent(template, migrationsFolder)) {
    cpSync(template, building, { recursive: true, filter: (source) => !source.endsWith(templateMetaFile) });
  } else {
    await initdbInChild(building);
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
}

/** Opens PGlite (embedded, data directory) or node-postgres (URL) behind one interface. */
export async function createDb(options: DbOptions): Promise<Db> {
  const migrationsFolder = options.migrationsFolder ?? defaultMigrationsFolder();
  if ('url' in options) {
    const poolSize = options.poolSize ?? 10;
    const pool = new pg.Pool({ connectionString: options.url, max: poolSize });
    // An idle client's error (the server restarting, say) must not become an uncaught exception.
    pool.on('error', () => {});
    const client = await pool.connect();
    client.release();
    const db = drizzleNodePg(pool, { schema });
    const statements = new PgStatements(pool, poolSize > 1);
    return {
      db: db as unknown as Database,
      kind: 'postgres',
      query: (text, params) => statements.query(text, params),
      migrate: () => migrateNodePg(db, { migrationsFolder }),
      exclusive: async (task) => {
        const holder = await pool.connect();
        try {
          await holder.query('select pg_advisory_lock($1)', [startupLockKey]);
          return await task();
        } finally {
          await holder.query('select pg_advisory_unlock($1)', [startupLockKey]).catch(() => undefined);
          holder.release();
        }
      },
      close: () => {
        statements.close();
        return pool.end();
      },
    };
  }
  let lock: DataDirLock | undefined;
  let client: PGlite;
  if (typeof options.pglite === 'string') {
    mkdirSync(dirname(options.pglite), { recursive: true });
    // Two processes on one PGlite directory corrupt it: refuse rather than risk the data.
    lock = lockDataDir(`${options.pglite}.lock`);
    try {
      await createPgliteDirOnce(options.pglite, options.template, migrationsFolder);
      client = await openPglite(options.pglite, options.optimizeWasm ?? false);
    } catch (err) {
      lock.release();
      throw err;
    }
  } else {
    client = await openPglite(undefined, options.optimizeWasm ?? false);
  }
  const db = drizzlePglite(client, { schema });
  const statements = new PgliteStatements(client);
  const query: Db['query'] = (text, params) => statements.query(text, params);
  let journal: BoardJournal;
  try {
    // What a killed server left in the journal is in the table before anyone reads it.
    journal = await BoardJournal.open(
      query,
      typeof options.pglite === 'string' ? join(options.pglite, boardJournalDir) : null,
      options.boardJournal,
    );
  } catch (err) {
    await client.close();
    lock?.release();
    throw err;
  }
  return {
    db: db as unknown as Database,
    kind: 'pglite',
    query,
    migrate: () => migratePglite(db, { migrationsFolder }),
    exclusive: (task) => task(),
    boardJournal: journal,
    close: async () => {
      try {
        await journal.close();
      } finally {
        await client.close();
        lock?.release();
      }
    },
  };
}
