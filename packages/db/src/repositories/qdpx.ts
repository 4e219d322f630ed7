import { asc, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { newId } from '../ids.js';
import {
  attributes,
  attributeVersions,
  type InteractionMessage,
  interactions,
  labels,
  participants,
} from '../schema.js';
import { attributeSnapshot } from './attributes.js';

/** A project to store, people and interactions referred to by key and index (core's `CalmaImport`). */
export interface QdpxImport {
  users: { guid: string; name: string }[];
  interactions: { participant: string | null; baseline: boolean; messages: InteractionMessage[] }[];
  labels: {
    text: string;
    annotation: string | null;
    participant: string | null;
    interaction: number;
    messageIndex: number | null;
    span: { start: number; end: number } | null;
  }[];
  attributes: {
    participant: string | null;
    name: string;
    definition: string;
    codes: { label: number; sign: 1 | -1 }[];
  }[];
}

/** What an import stored. */
export interface QdpxImportResult {
  participantIds: string[];
  interactionIds: string[];
  labelIds: string[];
  attributeIds: string[];
}

/**
 * Stores an imported project in one transaction, so a failure leaves nothing behind. A coder
 * becomes the group's participant of the same display name, or a new participant of that name
 * (pseudonyms such as `P1` stay pseudonyms); the moderator's work stays unowned. Each attribute
 * gets its first version, changed by `moderator`.
 */
export function importQdpx(db: Database, groupId: string, data: QdpxImport): Promise<QdpxImportResult> {
  return db.transaction(async (tx) => {
    const existing = await tx
      .select({ id: participants.id, displayName: participants.displayName })
      .from(participants)
      .where(eq(participants.groupId, groupId))
      .orderBy(asc(participants.createdAt), asc(participants.id));
    const byName = new Map<string, string>();
    for (const p of existing) if (!byName.has(p.displayName)) byName.set(p.displayName, p.id);
    const people = new Map<string, string>();
    const created: string[] = [];
    const now = new Date();
    for (const user of data.users) {
      let id = byName.get(user.name);
      if (id === undefined) {
        id = newId('pa');
        await tx.insert(participants).values({ id, groupId, displayName: user.name, consentAt: now });
        byName.set(user.name, id);
        created.push(id);
      }
      people.set(user.guid, id);
    }
    const person = (guid: string | null) => (guid === null ? null : (people.get(guid) ?? null));

    const interactionIds = data.interactions.map(() => newId('in'));
    const interactionRows = data.interactions.map((item, i) => ({
      id: interactionIds[i] as string,
      groupId,
      participantId: person(item.participant),
      baseline: item.baseline,
      messages: item.messages,
      source: 'import' as const,
      shared: true,
      // One transaction stamps one time; a millisecond apart keeps the project's source order.
      createdAt: new Date(now.getTime() + i),
      updatedAt: now,
    }));
    const labelIds = data.labels.map(() => newId('lb'));
    const labelRows = data.labels.map((item, seq) => ({
      id: labelIds[seq] as string,
      groupId,
      seq,
      participantId: person(item.participant),
      interactionId: interactionIds[item.interaction] ?? null,
      messageIndex: item.messageIndex,
      spanStart: item.span?.start ?? null,
      spanEnd: item.span?.end ?? null,
      text: item.text,
      annotation: item.annotation,
      stage: 'initial' as const,
    }));
    const attributeRows = data.attributes.map((item, i) => ({
      id: newId('at'),
      createdAt: new Date(now.getTime() + i),
      updatedAt: now,
      groupId,
      participantId: person(item.participant),
      name: item.name,
      definition: item.definition,
      codes: item.codes.flatMap((c) => {
        const labelId = labelIds[c.label];
        return labelId ? [{ labelId, sign: c.sign }] : [];
      }),
      examples: [],
    }));
    // Chunked so that a large project stays under PostgreSQL's 65,535 bind parameters.
    for (let i = 0; i < interactionRows.length; i += 500)
      await tx.insert(interactions).values(interactionRows.slice(i, i + 500));
    for (let i = 0; i < labelRows.length; i += 1000) await tx.insert(labels).values(labelRows.slice(i, i + 1000));
    for (let i = 0; i < attributeRows.length; i += 500) {
      const chunk = attributeRows.slice(i, i + 500);
      await tx.insert(attributes).values(chunk);
      await tx.insert(attributeVersions).values(
        chunk.map((a) => ({
          attributeId: a.id,
          groupId,
          version: 1,
          changedBy: 'moderator',
          snapshot: attributeSnapshot({ ...a, shared: false }),
        })),
      );
    }
    return {
      participantIds: created,
      interactionIds,
      labelIds,
      attributeIds: attributeRows.map((a) => a.id),
    };
  });
}
