import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Database } from '../client.js';
import { attributes, type InteractionMessage, interactions, labels } from '../schema.js';

/** What agreement on a group's baseline set is computed from. */
export interface AgreementMaterial {
  /** The group's baseline interactions, oldest first (their messages' roles are the units). */
  readonly interactions: { id: string; messages: Pick<InteractionMessage, 'role'>[] }[];
  /** Labels on those interactions that name their coder, in the order they were added. */
  readonly labels: { text: string; participantId: string; interactionId: string; messageIndex: number | null }[];
  /** The group's attributes (everyone's), oldest first, each code as the text of the label it names. */
  readonly attributes: {
    id: string;
    name: string;
    participantId: string | null;
    codes: { text: string; sign: 1 | -1 }[];
  }[];
}

/**
 * Reads a group's baseline interactions, the participants' labels on them and the group's attributes. Labels elsewhere
 * (chats, other imports, or naming no participant) never count towards agreement, so they are not
 * read at all.
 */
export async function agreementMaterial(db: Database, groupId: string): Promise<AgreementMaterial> {
  const baseline = and(eq(interactions.groupId, groupId), eq(interactions.baseline, true));
  const [interactionRows, labelRows, attributeRows] = await Promise.all([
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
    db
      .select({
        id: attributes.id,
        name: attributes.name,
        participantId: attributes.participantId,
        codes: attributes.codes,
      })
      .from(attributes)
      .where(eq(attributes.groupId, groupId))
      .orderBy(asc(attributes.createdAt), asc(attributes.id)),
  ]);
  // An attribute's codes name labels, possibly ones outside the baseline set: their texts are what count.
  const named = [...new Set(attributeRows.flatMap((a) => a.codes.map((c) => c.labelId)))];
  const texts = new Map<string, string>();
  for (let i = 0; i < named.length; i += 1000) {
    const rows = await db
      .select({ id: labels.id, text: labels.text })
      .from(labels)
      .where(and(eq(labels.groupId, groupId), inArray(labels.id, named.slice(i, i + 1000))));
    for (const row of rows) texts.set(row.id, row.text);
  }
  return {
    interactions: interactionRows.map((row) => ({ id: row.id, messages: row.messages.map(({ role }) => ({ role })) })),
    labels: labelRows.flatMap((row) =>
      row.participantId !== null && row.interactionId !== null
        ? [{ ...row, participantId: row.participantId, interactionId: row.interactionId }]
        : [],
    ),
    attributes: attributeRows.map((a) => ({
      id: a.id,
      name: a.name,
      participantId: a.participantId,
      codes: a.codes.flatMap((c) => {
        const text = texts.get(c.labelId);
        return text === undefined ? [] : [{ text, sign: c.sign }];
      }),
    })),
  };
}
