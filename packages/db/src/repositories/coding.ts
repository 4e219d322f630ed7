import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { attributes, labels } from '../schema.js';
import { updateAttribute } from './attributes.js';
import type { LabelRow } from './material.js';

/** One label, or undefined. */
export async function getLabel(db: Database, id: string): Promise<LabelRow | undefined> {
  const [row] = await db.select().from(labels).where(eq(labels.id, id));
  return row;
}

/** Changes a label's note (its `annotation`); the label as it now stands, or undefined when gone. */
export async function setLabelAnnotation(
  db: Database,
  id: string,
  annotation: string | null,
): Promise<LabelRow | undefined> {
  const [row] = await db.update(labels).set({ annotation }).where(eq(labels.id, id)).returning();
  return row;
}

/**
 * Deletes a label and, in the same transaction, drops it from its author's attributes that hold
 * it, each as a new attribute version (`changedBy` names who removed it). Returns the ids of the
 * attributes changed, or null when the label was already gone.
 */
export function deleteLabel(db: Database, label: LabelRow, changedBy: string): Promise<string[] | null> {
  return db.transaction(async (tx) => {
    const [gone] = await tx.delete(labels).where(eq(labels.id, label.id)).returning({ id: labels.id });
    if (!gone) return null;
    const holding = await tx
      .select()
      .from(attributes)
      .where(
        and(
          eq(attributes.groupId, label.groupId),
          label.participantId === null
            ? isNull(attributes.participantId)
            : eq(attributes.participantId, label.participantId),
          sql`${attributes.codes} @> ${JSON.stringify([{ labelId: label.id }])}::jsonb`,
        ),
      );
    const changed: string[] = [];
    for (const row of holding) {
      const codes = row.codes.filter((c) => c.labelId !== label.id);
      // A savepoint inside this transaction: the version is written with the label's removal or not at all.
      const result = await updateAttribute(tx as unknown as Database, row.id, { codes }, changedBy);
      if (result.ok) changed.push(row.id);
    }
    return changed;
  });
}

/** The texts of a group's labels (for its distinct codes). */
export async function labelTexts(db: Database, groupId: string): Promise<string[]> {
  const rows = await db.select({ text: labels.text }).from(labels).where(eq(labels.groupId, groupId));
  return rows.map((r) => r.text);
}
