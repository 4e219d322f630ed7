import { and, desc, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { newId } from '../ids.js';
import { groups, type InteractionMessage, interactions, journeyEvents, type StudyModel, studies } from '../schema.js';

type InteractionRow = typeof interactions.$inferSelect;
type StudyRow = typeof studies.$inferSelect;

/** Replaces a study's models and assignment rule; returns the study, or undefined when unknown. */
export async function setStudyModels(
  db: Database,
  studyId: string,
  models: StudyModel[],
  assignment: StudyRow['assignment'],
): Promise<StudyRow | undefined> {
  const rows = await db.update(studies).set({ models, assignment }).where(eq(studies.id, studyId)).returning();
  return rows[0];
}

/**
 * Starts a chat conversation: an interaction with source `chat`, pinned to a model, not shared.
 * The assignment (which rule gave the model) is recorded as a `chat-assigned` journey event in
 * the same transaction, so the research record never lacks it.
 */
export function createConversation(
  db: Database,
  input: { groupId: string; participantId: string; modelId: string; assignment: StudyRow['assignment'] },
): Promise<InteractionRow> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(interactions)
      .values({
        id: newId('cv'),
        groupId: input.groupId,
        participantId: input.participantId,
        baseline: false,
        messages: [],
        source: 'chat',
        modelId: input.modelId,
        shared: false,
      })
      .returning();
    if (!row) throw new Error('insert returned no row');
    await tx.insert(journeyEvents).values({
      groupId: input.groupId,
      participantId: input.participantId,
      kind: 'chat-assigned',
      data: { interactionId: row.id, modelId: input.modelId, assignment: input.assignment },
    });
    return row;
  });
}

/** A chat conversation (source `chat`), or undefined. */
export async function findConversation(db: Database, id: string): Promise<InteractionRow | undefined> {
  const rows = await db
    .select()
    .from(interactions)
    .where(and(eq(interactions.id, id), eq(interactions.source, 'chat')));
  return rows[0];
}

/** Writes a conversation's messages (the whole list: one conversation answers one turn at a time). */
export async function saveConversationMessages(
  db: Database,
  id: string,
  messages: InteractionMessage[],
): Promise<void> {
  await db.update(interactions).set({ messages, updatedAt: new Date() }).where(eq(interactions.id, id));
}

/** A group's chat conversations, newest first; only one participant's when `participantId` is given. */
export function listConversations(db: Database, groupId: string, participantId?: string): Promise<InteractionRow[]> {
  const filter = participantId
    ? and(
        eq(interactions.groupId, groupId),
        eq(interactions.source, 'chat'),
        eq(interactions.participantId, participantId),
      )
    : and(eq(interactions.groupId, groupId), eq(interactions.source, 'chat'));
  return db.select().from(interactions).where(filter).orderBy(desc(interactions.createdAt), desc(interactions.id));
}

/**
 * The recorded assistant responses of a study's imported interactions (every group's), each with
 * the user turn before it when there is one: what the replay provider answers from.
 */
export async function recordedResponses(
  db: Database,
  studyId: string,
): Promise<{ prompt?: string; response: string }[]> {
  const rows = await db
    .select({ messages: interactions.messages })
    .from(interactions)
    .innerJoin(groups, eq(groups.id, interactions.groupId))
    .where(and(eq(groups.studyId, studyId), eq(interactions.source, 'import')));
  const seen = new Set<string>();
  const out: { prompt?: string; response: string }[] = [];
  for (const { messages } of rows) {
    messages.forEach((m, i) => {
      if (m.role !== 'assistant' || m.content.trim() === '' || seen.has(m.content)) return;
      seen.add(m.content);
      const before = messages[i - 1];
      out.push(before?.role === 'user' ? { prompt: before.content, response: m.content } : { response: m.content });
    });
  }
  return out;
}
