import type { DbKind } from '@calma/db';
import type { TestDb } from '@calma/db/testing';
import { freshDb } from '@calma/db/testing/fresh';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { hashToken, newToken } from './tokens.js';

/** A built app on a fresh database, with a known admin token. For route tests. */
export interface TestApp {
  app: FastifyInstance;
  db: TestDb;
  adminToken: string;
  close(): Promise<void>;
}

/** Builds the app on a fresh, migrated database of `kind` (see the global test setup). */
export async function startTestApp(kind: DbKind, overrides: { joinRateLimit?: number } = {}): Promise<TestApp> {
  const db = await freshDb(kind);
  const adminToken = newToken();
  const app = await buildApp(
    { logLevel: 'silent', bodyLimit: 1024 * 1024, joinRateLimit: overrides.joinRateLimit ?? 1000, webDir: null },
    { db, adminTokenHash: hashToken(adminToken), version: 'test' },
  );
  await app.ready();
  return {
    app,
    db,
    adminToken,
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}

/** `authorization` header for a token. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
