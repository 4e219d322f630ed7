import { inject } from 'vitest';
import type { DbKind } from '../client.js';
import { openTestDb, type TestDb } from './index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated, closed PGlite data directory (`<dir>/db`) that test files copy. */
    pgliteTemplateDir: string;
    /** Admin URL of the PostgreSQL server the tests use. */
    postgresUrl: string;
  }
}

/** Both drivers: every database test runs once on each. */
export const databaseKinds: readonly DbKind[] = ['pglite', 'postgres'];

/** A fresh migrated database of `kind`, isolated from every other test file (needs the global setup). */
export function freshDb(kind: DbKind): Promise<TestDb> {
  return openTestDb(kind, { pgliteTemplateDir: inject('pgliteTemplateDir'), postgresUrl: inject('postgresUrl') });
}
