import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../client.js';
import { newId } from '../ids.js';
import { interactions, labels } from '../schema.js';

/** An interaction row. */
export type InteractionRow = typeof interactions.$inferSelect;
/** A label row. */
export type LabelRow = typeof labels.$inferSelect;

/** An interaction to store; `id` keeps a source id when given. */
export interface NewInteraction {
  id?: string | undefined;
  participantId: string | null;
  baseline: boolean;
  messages: InteractionRow['messages'];
}

/**
 * Stores interactions for a group. An interaction whose id already exists in the same group is
 * replaced (re-importing is idempotent); the caller checks ids owned by other groups first.
 */
export function upsertInteractions(db: Database, groupId: string, items: NewInteraction[]): Promise<string[]> {
  return db.transaction(async (tx) => {
    const ids: string[] = [];
    for (const item of items) {
      const id = item.id ?? newId('in');
      await tx
        .insert(interactions)
        .values({ id, groupId, participantId: item.participantId, baseline: item.baseline, messages: item.messages })
        .onConflictDoUpdate({
          target: interactions.id,
          set: { participantId: item.participantId, baseline: item.baseline, messages: item.messages },
        });
      ids.push(id);
    }
    return ids;
  });
}

/** The groups that already own any of these interaction ids. */
export async function interactionOwners(db: Database, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: interactions.id, groupId: interactions.groupId })
    .from(interactions)
    .where(inArray(interactions.id, ids));
  return new Map(rows.map((r) => [r.id, r.groupId]));
}

/** A group's interactions, oldest first. */
export function listInteractions(db: Database, groupId: string): Promise<InteractionRow[]> {
  return db
    .select()
    .from(interactions)
    .where(eq(interactions.groupId, groupId))
    .orderBy(asc(interactions.createdAt), asc(interactions.id));
}

/** The given interactions of one group (to check label references). */
export function findInteractions(db: Database, groupId: string, ids: string[]): Promise<InteractionRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(interactions)
    .where(and(eq(interactions.groupId, groupId), inArray(interactions.id, ids)));
}

/** A label to store. */
export interface NewLabel {
  text: string;
  annotation: string | null;
  stage: 'initial' | 'focused';
  participantId: string | null;
  interactionId: string | null;
  messageIndex: number | null;
  /** A coded span of that message (UTF-16 offsets, checked by the caller); absent: the whole turn. */
  spanStart?: number | null;
  spanEnd?: number | null;
}

/** Stores labels for a group in one statement, keeping their order; returns their ids. */
export async function addLabels(db: Database, groupId: string, items: NewLabel[]): Promise<string[]> {
  const rows = items.map((item, seq) => ({ id: newId('lb'), groupId, seq, ...item }));
  // Chunked so that a 10k-label import stays under PostgreSQL's 65,535 bind parameters.
  await db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += 1000) {
      await tx.insert(labels).values(rows.slice(i, i + 1000));
    }
  });
  return rows.map((r) => r.id);
}

/** A group's labels in the order they were added. */
export function listLabels(db: Database, groupId: string): Promise<LabelRow[]> {
  return db
    .select()
    .from(labels)
    .where(eq(labels.groupId, groupId))
    .orderBy(asc(labels.createdAt), asc(labels.seq), asc(labels.id));
}

/** The given labels of one group (to check references). */
export function findLabels(db: Database, groupId: string, ids: string[]): Promise<LabelRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(labels)
    .where(and(eq(labels.groupId, groupId), inArray(labels.id, ids)));
}
