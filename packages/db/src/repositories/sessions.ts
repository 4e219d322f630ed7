import type { SessionState } from '@calma/core';
import { and, asc, count, countDistinct, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Database, Db } from '../client.js';
import { newId } from '../ids.js';
import { finalAttributes, segment1Attributes, segment5Ratings, sessions } from '../schema.js';

/** A session row; `state` is the domain's session state, stored as JSON. */
export type SessionRow = typeof sessions.$inferSelect;
/** A segment-1 attribute row. */
export type Segment1Row = typeof segment1Attributes.$inferSelect;
/** A final attribute row. */
export type FinalAttributeRow = typeof finalAttributes.$inferSelect;
/** A segment-5 ratings row. */
export type Segment5Row = typeof segment5Ratings.$inferSelect;

/** Creates a session for a group with its initial state. */
export async function createSession(db: Database, groupId: string, state: SessionState): Promise<SessionRow> {
  const [row] = await db
    .insert(sessions)
    .values({ id: newId('se'), groupId, state })
    .returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

/** One session, or `undefined`. */
export async function findSession(db: Database, id: string): Promise<SessionRow | undefined> {
  const rows = await db.select().from(sessions).where(eq(sessions.id, id));
  return rows[0];
}

/** A group's sessions, oldest first. */
export function listSessions(db: Database, groupId: string): Promise<SessionRow[]> {
  return db
    .select()
    .from(sessions)
    .where(eq(sessions.groupId, groupId))
    .orderBy(asc(sessions.createdAt), asc(sessions.id));
}

/**
 * Stores a new state if the row is still at `expectedVersion` (optimistic locking: two servers,
 * or a stale cache, cannot overwrite each other's transitions). Returns the new version, or null
 * when someone else got there first.
 */
export async function saveSessionState(
  db: Pick<Db, 'query'>,
  id: string,
  state: SessionState,
  expectedVersion: number,
): Promise<number | null> {
  // Plain SQL on the driver, as the board's appends: a moderator's every action waits for this
  // statement before anyone is told, and on PGlite the query builder's path took ~2 ms of a cold
  // event loop where the prepared statement takes ~0.9 ms.
  const rows = await db.query(
    'UPDATE sessions SET state = $1, version = $2, updated_at = now() WHERE id = $3 AND version = $4 RETURNING version',
    [JSON.stringify(state), String(expectedVersion + 1), id, String(expectedVersion)],
  );
  const version = rows[0]?.version;
  return version === undefined || version === null ? null : Number(version);
}

/** Replaces a participant's segment-1 attributes (ranks 1… in the given order), atomically. */
export function replaceSegment1(
  db: Database,
  sessionId: string,
  participantId: string,
  attributes: { name: string; definition: string }[],
): Promise<Segment1Row[]> {
  return db.transaction(async (tx) => {
    await tx
      .delete(segment1Attributes)
      .where(and(eq(segment1Attributes.sessionId, sessionId), eq(segment1Attributes.participantId, participantId)));
    return tx
      .insert(segment1Attributes)
      .values(attributes.map((a, i) => ({ id: newId('s1'), sessionId, participantId, rank: i + 1, ...a })))
      .returning();
  });
}

/** A session's segment-1 attributes (optionally one participant's), by participant then rank. */
export function listSegment1(db: Database, sessionId: string, participantId?: string): Promise<Segment1Row[]> {
  const where =
    participantId === undefined
      ? eq(segment1Attributes.sessionId, sessionId)
      : and(eq(segment1Attributes.sessionId, sessionId), eq(segment1Attributes.participantId, participantId));
  return db
    .select()
    .from(segment1Attributes)
    .where(where)
    .orderBy(asc(segment1Attributes.participantId), asc(segment1Attributes.rank));
}

/** A final attribute to store; `id` is kept when given. */
export interface NewFinalAttribute {
  id: string;
  name: string;
  definition: string;
  exampleInteractionIds: string[];
  sourceLabelIds: string[];
}

/**
 * Replaces a session's final attributes and group top lists in one transaction. An attribute
 * listed again (same id) is updated in place, not deleted and re-made, so what hangs on it (the
 * analyst's rubric versions) survives a moderator's re-save; one no longer listed goes, with what
 * hangs on it. Mapping entries that pointed at an attribute no longer listed are set to null, so
 * the mapping never dangles.
 */
export function replaceFinalAttributes(
  db: Database,
  sessionId: string,
  attributes: NewFinalAttribute[],
  groupTop3: string[],
  groupTop5: string[],
): Promise<FinalAttributeRow[]> {
  return db.transaction(async (tx) => {
    const kept = new Set(attributes.map((a) => a.id));
    await tx
      .delete(finalAttributes)
      .where(and(eq(finalAttributes.sessionId, sessionId), notInArray(finalAttributes.id, [...kept, ''])));
    const rows =
      attributes.length === 0
        ? []
        : await tx
            .insert(finalAttributes)
            .values(attributes.map((a, position) => ({ ...a, sessionId, position })))
            .onConflictDoUpdate({
              target: finalAttributes.id,
              // Only a row of this session: the caller checked that no id belongs to another.
              setWhere: eq(finalAttributes.sessionId, sessionId),
              set: {
                name: sql`excluded.name`,
                definition: sql`excluded.definition`,
                exampleInteractionIds: sql`excluded.example_interaction_ids`,
                sourceLabelIds: sql`excluded.source_label_ids`,
                position: sql`excluded.position`,
              },
            })
            .returning();
    const [session] = await tx.select({ mapping: sessions.mapping }).from(sessions).where(eq(sessions.id, sessionId));
    const mapping = Object.fromEntries(
      Object.entries(session?.mapping ?? {}).map(([from, to]) => [from, to !== null && kept.has(to) ? to : null]),
    );
    await tx
      .update(sessions)
      .set({ groupTop3, groupTop5, mapping, updatedAt: new Date() })
      .where(eq(sessions.id, sessionId));
    return rows.sort((a, b) => a.position - b.position);
  });
}

/** A session's final attributes in the moderator's order. */
export function listFinalAttributes(db: Database, sessionId: string): Promise<FinalAttributeRow[]> {
  return db
    .select()
    .from(finalAttributes)
    .where(eq(finalAttributes.sessionId, sessionId))
    .orderBy(asc(finalAttributes.position));
}

/** The sessions that already own any of these final attribute ids. */
export async function finalAttributeOwners(db: Database, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: finalAttributes.id, sessionId: finalAttributes.sessionId })
    .from(finalAttributes)
    .where(inArray(finalAttributes.id, ids));
  return new Map(rows.map((r) => [r.id, r.sessionId]));
}

/** Replaces the segment-1 → final mapping. */
export async function setMapping(
  db: Database,
  sessionId: string,
  mapping: Record<string, string | null>,
): Promise<void> {
  await db.update(sessions).set({ mapping, updatedAt: new Date() }).where(eq(sessions.id, sessionId));
}

/** Stores (or replaces) a participant's segment-5 ratings and ranking. */
export async function upsertSegment5(
  db: Database,
  input: { sessionId: string; participantId: string; likert: Record<string, number>; ranking: string[] },
): Promise<Segment5Row> {
  const [row] = await db
    .insert(segment5Ratings)
    .values(input)
    .onConflictDoUpdate({
      target: [segment5Ratings.sessionId, segment5Ratings.participantId],
      set: { likert: input.likert, ranking: input.ranking, submittedAt: new Date() },
    })
    .returning();
  if (!row) throw new Error('upsert returned no row');
  return row;
}

/** A session's segment-5 submissions (optionally one participant's). */
export function listSegment5(db: Database, sessionId: string, participantId?: string): Promise<Segment5Row[]> {
  const where =
    participantId === undefined
      ? eq(segment5Ratings.sessionId, sessionId)
      : and(eq(segment5Ratings.sessionId, sessionId), eq(segment5Ratings.participantId, participantId));
  return db.select().from(segment5Ratings).where(where).orderBy(asc(segment5Ratings.participantId));
}

/** How many participants have submitted segment 1 or segment 5 (a count, never content). */
export async function countSubmitters(db: Database, sessionId: string, segment: 1 | 5): Promise<number> {
  const [row] =
    segment === 1
      ? await db
          .select({ n: countDistinct(segment1Attributes.participantId) })
          .from(segment1Attributes)
          .where(eq(segment1Attributes.sessionId, sessionId))
      : await db.select({ n: count() }).from(segment5Ratings).where(eq(segment5Ratings.sessionId, sessionId));
  return row?.n ?? 0;
}
