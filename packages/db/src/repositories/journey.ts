import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { interactions, journeyEvents, labels, type StudyOrientation, type StudyStages, studies } from '../schema.js';

/** A stored journey event. */
export type JourneyEventRow = typeof journeyEvents.$inferSelect;

/** Appends one of a participant's Familiarize steps (a page read, a practice, a check attempt). */
export async function appendJourneyEvent(
  db: Database,
  event: { groupId: string; participantId: string; kind: string; data: Record<string, unknown> },
): Promise<JourneyEventRow> {
  const [row] = await db.insert(journeyEvents).values(event).returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

/** A participant's journey events, oldest first. */
export function listJourneyEvents(db: Database, participantId: string): Promise<JourneyEventRow[]> {
  return db
    .select()
    .from(journeyEvents)
    .where(eq(journeyEvents.participantId, participantId))
    .orderBy(asc(journeyEvents.seq));
}

/** The journey events of every participant of a group, oldest first. */
export function listGroupJourneyEvents(db: Database, groupId: string): Promise<JourneyEventRow[]> {
  return db.select().from(journeyEvents).where(eq(journeyEvents.groupId, groupId)).orderBy(asc(journeyEvents.seq));
}

/** Sets (or, with null, clears back to the shipped default) a study's orientation; false when there is no such study. */
export async function setStudyOrientation(
  db: Database,
  studyId: string,
  orientation: StudyOrientation | null,
): Promise<boolean> {
  const rows = await db
    .update(studies)
    .set({ orientation })
    .where(eq(studies.id, studyId))
    .returning({ id: studies.id });
  return rows.length > 0;
}

/** Sets a study's stage settings; false when there is no such study. */
export async function setStudyStages(db: Database, studyId: string, stages: StudyStages): Promise<boolean> {
  const rows = await db.update(studies).set({ stages }).where(eq(studies.id, studyId)).returning({ id: studies.id });
  return rows.length > 0;
}

/** What a participant did in Interact and Reflect: chat conversations, user turns in them, labels. */
export interface ParticipantActivity {
  conversations: number;
  userTurns: number;
  labels: number;
}

/**
 * Per participant of a group (or only `participantId`): their chat conversations, the user turns
 * in them, and the labels they wrote. Participants with none of these are absent from the map.
 */
export async function participantActivity(
  db: Database,
  groupId: string,
  participantId?: string,
): Promise<Map<string, ParticipantActivity>> {
  const chatWhere = and(
    eq(interactions.groupId, groupId),
    eq(interactions.source, 'chat'),
    participantId === undefined ? undefined : eq(interactions.participantId, participantId),
  );
  const chats = await db
    .select({
      participantId: interactions.participantId,
      conversations: count(),
      userTurns: sql<number>`coalesce(sum((select count(*) from jsonb_array_elements(${interactions.messages}) m where m->>'role' = 'user')), 0)`,
    })
    .from(interactions)
    .where(chatWhere)
    .groupBy(interactions.participantId);
  const labelRows = await db
    .select({ participantId: labels.participantId, labels: count() })
    .from(labels)
    .where(
      and(
        eq(labels.groupId, groupId),
        participantId === undefined ? undefined : eq(labels.participantId, participantId),
      ),
    )
    .groupBy(labels.participantId);
  const activity = new Map<string, ParticipantActivity>();
  const entry = (id: string) => {
    let found = activity.get(id);
    if (!found) {
      found = { conversations: 0, userTurns: 0, labels: 0 };
      activity.set(id, found);
    }
    return found;
  };
  for (const row of chats) {
    if (row.participantId === null) continue;
    const e = entry(row.participantId);
    e.conversations = Number(row.conversations);
    e.userTurns = Number(row.userTurns);
  }
  for (const row of labelRows) {
    if (row.participantId === null) continue;
    entry(row.participantId).labels = Number(row.labels);
  }
  return activity;
}
