import { and, asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { newId } from '../ids.js';
import { attributes, attributeVersions } from '../schema.js';

/** An attribute row. */
export type AttributeRow = typeof attributes.$inferSelect;
/** An attribute version row. */
export type AttributeVersionRow = typeof attributeVersions.$inferSelect;

/** The fields of an attribute people edit (and a version keeps). */
export interface AttributeFields {
  name: string;
  definition: string;
  codes: AttributeRow['codes'];
  examples: AttributeRow['examples'];
}

/** What a version keeps: the attribute as the change left it. */
export const attributeSnapshot = (
  row: Pick<AttributeRow, 'participantId' | 'name' | 'definition' | 'codes' | 'examples' | 'shared'>,
) => ({
  participantId: row.participantId,
  name: row.name,
  definition: row.definition,
  codes: row.codes,
  examples: row.examples,
  shared: row.shared,
});

/**
 * Creates an attribute of `groupId` (`participantId` null: the moderator's) and its version 1 in
 * one transaction; `changedBy` is the participant id or the staff role that made it.
 */
export function createAttribute(
  db: Database,
  groupId: string,
  participantId: string | null,
  fields: AttributeFields,
  changedBy: string,
): Promise<AttributeRow> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(attributes)
      .values({ id: newId('at'), groupId, participantId, ...fields, shared: false, version: 1 })
      .returning();
    if (!row) throw new Error('the attribute was not stored');
    await tx
      .insert(attributeVersions)
      .values({ attributeId: row.id, groupId, version: 1, changedBy, snapshot: attributeSnapshot(row) });
    return row;
  });
}

/** One attribute, or undefined. */
export async function getAttribute(db: Database, id: string): Promise<AttributeRow | undefined> {
  const [row] = await db.select().from(attributes).where(eq(attributes.id, id));
  return row;
}

/** A group's attributes, oldest first. */
export function listAttributes(db: Database, groupId: string): Promise<AttributeRow[]> {
  return db
    .select()
    .from(attributes)
    .where(eq(attributes.groupId, groupId))
    .orderBy(asc(attributes.createdAt), asc(attributes.id));
}

/** What an update came to: the attribute as it now stands, or why not. */
export type AttributeUpdate = { ok: true; row: AttributeRow } | { ok: false; reason: 'missing' | 'stale' };

/**
 * Changes an attribute and writes its next version in one transaction. The version is bumped in
 * the same UPDATE that checks `expectedVersion` (when given), so of two concurrent edits naming
 * the same version exactly one wins; without one, edits apply in turn and each gets its version.
 */
export function updateAttribute(
  db: Database,
  id: string,
  changes: Partial<AttributeFields> & { shared?: boolean },
  changedBy: string,
  expectedVersion?: number,
): Promise<AttributeUpdate> {
  return db.transaction(async (tx): Promise<AttributeUpdate> => {
    const [row] = await tx
      .update(attributes)
      .set({ ...changes, version: sql`${attributes.version} + 1`, updatedAt: new Date() })
      .where(
        expectedVersion === undefined
          ? eq(attributes.id, id)
          : and(eq(attributes.id, id), eq(attributes.version, expectedVersion)),
      )
      .returning();
    if (!row) {
      const [exists] = await tx.select({ id: attributes.id }).from(attributes).where(eq(attributes.id, id));
      return { ok: false, reason: exists ? 'stale' : 'missing' };
    }
    await tx.insert(attributeVersions).values({
      attributeId: id,
      groupId: row.groupId,
      version: row.version,
      changedBy,
      snapshot: attributeSnapshot(row),
    });
    return { ok: true, row };
  });
}

/**
 * Deletes an attribute, keeping its history: a last version with a null snapshot says who deleted
 * it and when.
 */
export async function deleteAttribute(db: Database, id: string, changedBy: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx.delete(attributes).where(eq(attributes.id, id)).returning();
    if (!row) return false;
    await tx
      .insert(attributeVersions)
      .values({ attributeId: id, groupId: row.groupId, version: row.version + 1, changedBy, snapshot: null });
    return true;
  });
}

/** Every version of an attribute, oldest first. */
export function listAttributeVersions(db: Database, id: string): Promise<AttributeVersionRow[]> {
  return db
    .select()
    .from(attributeVersions)
    .where(eq(attributeVersions.attributeId, id))
    .orderBy(asc(attributeVersions.version));
}
