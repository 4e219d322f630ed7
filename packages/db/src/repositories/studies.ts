import { asc, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { newId } from '../ids.js';
import { studies } from '../schema.js';

/** A study row. */
export type StudyRow = typeof studies.$inferSelect;

/** Creates a study. */
export async function createStudy(
  db: Database,
  input: { title: string; context: StudyRow['context']; language?: StudyRow['language'] },
): Promise<StudyRow> {
  const [row] = await db
    .insert(studies)
    .values({ id: newId('st'), ...input })
    .returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

/** Every study, oldest first. */
export function listStudies(db: Database): Promise<StudyRow[]> {
  return db.select().from(studies).orderBy(asc(studies.createdAt), asc(studies.id));
}

/** One study, or `undefined`. */
export async function findStudy(db: Database, id: string): Promise<StudyRow | undefined> {
  const rows = await db.select().from(studies).where(eq(studies.id, id));
  return rows[0];
}
