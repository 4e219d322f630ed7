import { and, asc, eq, isNotNull } from 'drizzle-orm';
import type { Database } from '../client.js';
import { type InteractionMessage, interactions, labels } from '../schema.js';

/** What agreement on a group's baseline set is computed from. */
export interface AgreementMaterial {
  /** The group's baseline interactions, oldest first (their messages' roles are the units). */
  readonly interactions: { id: string; messages: Pick<InteractionMessage, 'role'>[] }[];
  /** Labels on those interactions that name their coder, in the order they were added. */
  readonly labels: { text: string; participantId: string; interactionId: string; messageIndex: number | null }[];
}

/**
 * Reads a group's baseline interactions and the participants' labels on them. Labels elsewhere
 * (chats, other imports, or naming no participant) never count towards agreement, so they are not
 * read at all.
 */
export async function agreementMaterial(db: Database, groupId: string): Promise<AgreementMaterial> {
  const baseline = and(eq(interactions.groupId, groupId), eq(interactions.baseline, true));
  const [interactionRows, labelRows] = await Promise.all([
    db
      .select({ id: interactions.id, messages: interactions.messages })
      .from(interactions)
      .where(baseline)
      .orderBy(asc(interactions.createdAt), asc(interactions.id)),
    db
      .select({
        text: labels.text,
        participantId: labels.participantId,
        interactionId: labels.interactionId,
        messageIndex: labels.messageIndex,
      })
      .from(labels)
      .innerJoin(interactions, eq(labels.interactionId, interactions.id))
      .where(and(eq(labels.groupId, groupId), isNotNull(labels.participantId), baseline))
      .orderBy(asc(labels.createdAt), asc(labels.seq), asc(labels.id)),
  ]);
  return {
    interactions: interactionRows.map((row) => ({ id: row.id, messages: row.messages.map(({ role }) => ({ role })) })),
    labels: labelRows.flatMap((row) =>
      row.participantId !== null && row.interactionId !== null
        ? [{ ...row, participantId: row.participantId, interactionId: row.interactionId }]
        : [],
    ),
  };
}
