import { and, eq, inArray, like, notInArray, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { groups, type InteractionMessage, interactions, studies } from '../schema.js';
import type { InteractionRow } from './material.js';

/** One item of a study's baseline set. */
export interface BaselineItem {
  id: string;
  messages: InteractionMessage[];
}

/**
 * The id of a group's copy of baseline item `itemId`: stable, so re-setting the baseline replaces
 * the copy (labels on it stay attached) and two groups' copies never share an id (interaction ids
 * are unique across groups).
 */
export function baselineCopyId(groupId: string, itemId: string): string {
  return `bl:${groupId}:${itemId}`;
}

/** One interaction by id, whatever its group. */
export async function findInteraction(db: Database, id: string): Promise<InteractionRow | undefined> {
  const [row] = await db.select().from(interactions).where(eq(interactions.id, id));
  return row;
}

/** Shares or withholds a chat; returns the row as it now is. */
export async function setInteractionShared(
  db: Database,
  id: string,
  shared: boolean,
): Promise<InteractionRow | undefined> {
  const [row] = await db
    .update(interactions)
    .set({ shared, updatedAt: sql`now()` })
    .where(eq(interactions.id, id))
    .returning();
  return row;
}

/**
 * Gives a group its copies of the baseline set (imports with `baseline` set, no participant).
 * A copy whose item left the baseline stays — labels may sit on it — but is no longer baseline.
 */
export function copyBaselineToGroup(db: Database, groupId: string, items: BaselineItem[]): Promise<string[]> {
  return db.transaction(async (tx) => {
    const ids = items.map((item) => baselineCopyId(groupId, item.id));
    for (const [i, item] of items.entries()) {
      const id = ids[i] as string;
      await tx
        .insert(interactions)
        .values({ id, groupId, participantId: null, baseline: true, source: 'import', messages: item.messages })
        .onConflictDoUpdate({
          target: interactions.id,
          set: { baseline: true, messages: item.messages, updatedAt: sql`now()` },
        });
    }
    const prefix = `${baselineCopyId(groupId, '').replace(/[\\%_]/g, '\\$&')}%`;
    const stale = and(eq(interactions.groupId, groupId), like(interactions.id, prefix));
    await tx
      .update(interactions)
      .set({ baseline: false })
      .where(ids.length > 0 ? and(stale, notInArray(interactions.id, ids)) : stale);
    return ids;
  });
}

/** Sets a study's baseline set and copies it into every group of the study, in one transaction. */
export async function setStudyBaseline(db: Database, studyId: string, items: BaselineItem[]): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [study] = await tx.update(studies).set({ baseline: items }).where(eq(studies.id, studyId)).returning();
    if (!study) return false;
    const rows = await tx.select({ id: groups.id }).from(groups).where(eq(groups.studyId, studyId));
    for (const group of rows) await copyBaselineToGroup(tx, group.id, items);
    return true;
  });
}

/** The interactions of a group with the given ids (exports of a chosen set). */
export function interactionsByIds(db: Database, groupId: string, ids: string[]): Promise<InteractionRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(interactions)
    .where(and(eq(interactions.groupId, groupId), inArray(interactions.id, ids)));
}
