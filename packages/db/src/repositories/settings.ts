import { eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { settings } from '../schema.js';

/** Reads one server setting, or `undefined`. */
export async function getSetting<T>(db: Database, key: string): Promise<T | undefined> {
  const rows = await db.select().from(settings).where(eq(settings.key, key));
  return rows[0]?.value as T | undefined;
}

/** Writes one server setting (insert or replace). */
export async function putSetting(db: Database, key: string, value: unknown): Promise<void> {
  await db
    .insert(settings)
    .values({ key, value })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: new Date() } });
}
