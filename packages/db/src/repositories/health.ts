import { sql } from 'drizzle-orm';
import type { Database } from '../client.js';

/** Resolves once the database answers a trivial statement; rejects when it cannot (the readiness check). */
export async function pingDatabase(db: Database): Promise<void> {
  await db.execute(sql`select 1`);
}
