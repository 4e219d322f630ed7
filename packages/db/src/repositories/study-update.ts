import { eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { studies } from '../schema.js';
import type { StudyRow } from './studies.js';

/** What the study set-up may change of a study after it is created; absent fields stay. */
export type StudyChanges = Partial<Pick<StudyRow, 'title' | 'context' | 'language'>>;

/** Changes a study's title, context or language; `undefined` when it does not exist. */
export async function updateStudy(db: Database, id: string, changes: StudyChanges): Promise<StudyRow | undefined> {
  const set = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  if (Object.keys(set).length === 0) {
    const rows = await db.select().from(studies).where(eq(studies.id, id));
    return rows[0];
  }
  const [row] = await db.update(studies).set(set).where(eq(studies.id, id)).returning();
  return row;
}
