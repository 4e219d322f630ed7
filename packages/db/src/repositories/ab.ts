import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { newId } from '../ids.js';
import { abItems, abRounds, finalAttributes, groups, sessions } from '../schema.js';

/** A stored A/B round. */
export type AbRoundRow = typeof abRounds.$inferSelect;
/** A stored A/B item. */
export type AbItemRow = typeof abItems.$inferSelect;

/**
 * Opens a round unless the group already has an open one (one at a time, so a participant's page
 * has one round to offer). The check and the insert run in one transaction holding the group's
 * row lock, so two moderators' clicks cannot both open one; returns null when an open round exists.
 */
export function openAbRound(
  db: Database,
  values: Pick<AbRoundRow, 'groupId' | 'sessionId' | 'modelA' | 'modelB' | 'axes' | 'prompts'>,
): Promise<AbRoundRow | null> {
  return db.transaction(async (tx) => {
    await tx.select({ id: groups.id }).from(groups).where(eq(groups.id, values.groupId)).for('update');
    const open = await tx
      .select({ id: abRounds.id })
      .from(abRounds)
      .where(and(eq(abRounds.groupId, values.groupId), eq(abRounds.status, 'open')));
    if (open.length > 0) return null;
    const [row] = await tx
      .insert(abRounds)
      .values({ ...values, id: newId('ab'), status: 'open' })
      .returning();
    return row ?? null;
  });
}

/** A group's rounds, newest first. */
export function listAbRounds(db: Database, groupId: string): Promise<AbRoundRow[]> {
  return db
    .select()
    .from(abRounds)
    .where(eq(abRounds.groupId, groupId))
    .orderBy(desc(abRounds.createdAt), desc(abRounds.id));
}

/** One round of a group, or undefined. */
export async function findAbRound(db: Database, groupId: string, roundId: string): Promise<AbRoundRow | undefined> {
  const [row] = await db
    .select()
    .from(abRounds)
    .where(and(eq(abRounds.groupId, groupId), eq(abRounds.id, roundId)));
  return row;
}

/** Closes an open round; undefined when it was not open (already closed, or not there). */
export async function closeAbRound(db: Database, roundId: string): Promise<AbRoundRow | undefined> {
  const [row] = await db
    .update(abRounds)
    .set({ status: 'closed', closedAt: new Date() })
    .where(and(eq(abRounds.id, roundId), eq(abRounds.status, 'open')))
    .returning();
  return row;
}

/** Items, voted items and distinct participants per round. */
export async function abRoundCounts(
  db: Database,
  roundIds: string[],
): Promise<Map<string, { items: number; voted: number; participants: number }>> {
  if (roundIds.length === 0) return new Map();
  const rows = await db
    .select({
      roundId: abItems.roundId,
      items: sql<number>`count(*)::int`,
      voted: sql<number>`count(${abItems.votedAt})::int`,
      participants: sql<number>`count(distinct ${abItems.participantId})::int`,
    })
    .from(abItems)
    .where(inArray(abItems.roundId, roundIds))
    .groupBy(abItems.roundId);
  return new Map(rows.map((r) => [r.roundId, { items: r.items, voted: r.voted, participants: r.participants }]));
}

/** A participant's items in a round, oldest first (what order they saw and what they were asked). */
export function participantAbItems(db: Database, roundId: string, participantId: string): Promise<AbItemRow[]> {
  return db
    .select()
    .from(abItems)
    .where(and(eq(abItems.roundId, roundId), eq(abItems.participantId, participantId)))
    .orderBy(asc(abItems.createdAt), asc(abItems.id));
}

/** Stores a new item (both answers already generated). */
export async function createAbItem(
  db: Database,
  values: Pick<AbItemRow, 'roundId' | 'participantId' | 'prompt' | 'baselineId' | 'firstModel' | 'answers'>,
): Promise<AbItemRow> {
  const [row] = await db
    .insert(abItems)
    .values({ ...values, id: newId('abi') })
    .returning();
  if (!row) throw new Error('inserting an A/B item returned nothing');
  return row;
}

/** One item of a round, or undefined. */
export async function findAbItem(db: Database, roundId: string, itemId: string): Promise<AbItemRow | undefined> {
  const [row] = await db
    .select()
    .from(abItems)
    .where(and(eq(abItems.roundId, roundId), eq(abItems.id, itemId)));
  return row;
}

/**
 * Stores the votes of an item not voted on yet; undefined when it already was. The condition is in
 * the update itself, so two racing votes cannot both land.
 */
export async function voteAbItem(
  db: Database,
  itemId: string,
  votes: Record<string, 'a' | 'b' | 'equal'>,
): Promise<AbItemRow | undefined> {
  const [row] = await db
    .update(abItems)
    .set({ votes, votedAt: new Date() })
    .where(and(eq(abItems.id, itemId), isNull(abItems.votedAt)))
    .returning();
  return row;
}

/** Every item of a round, oldest first. */
export function listAbItems(db: Database, roundId: string): Promise<AbItemRow[]> {
  return db.select().from(abItems).where(eq(abItems.roundId, roundId)).orderBy(asc(abItems.createdAt), asc(abItems.id));
}

/**
 * The final attributes of the group's latest ended session that has any, in the moderator's order,
 * with that session's id; null when no ended session has final attributes.
 */
export async function latestEndedSessionAxes(
  db: Database,
  groupId: string,
): Promise<{ sessionId: string; axes: { id: string; name: string; definition: string }[] } | null> {
  const rows = await db
    .select({ id: sessions.id, state: sessions.state })
    .from(sessions)
    .where(eq(sessions.groupId, groupId))
    .orderBy(desc(sessions.createdAt), desc(sessions.id));
  for (const session of rows) {
    if (session.state.status !== 'ended') continue;
    const axes = await db
      .select({ id: finalAttributes.id, name: finalAttributes.name, definition: finalAttributes.definition })
      .from(finalAttributes)
      .where(eq(finalAttributes.sessionId, session.id))
      .orderBy(asc(finalAttributes.position));
    if (axes.length > 0) return { sessionId: session.id, axes };
  }
  return null;
}
