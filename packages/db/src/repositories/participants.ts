import { keptSubmission } from '@calma/core';
import { and, eq, inArray, max } from 'drizzle-orm';
import type { Database } from '../client.js';
import { newId } from '../ids.js';
import {
  attributes,
  interactions,
  journeyEvents,
  labels,
  participantDevices,
  participants,
  segment1Attributes,
  segment5Ratings,
  tokens,
} from '../schema.js';
import type { ParticipantRow } from './groups.js';

/** What {@link joinGroup} did: a new person, or the one this device joined as before. */
export interface JoinResult {
  participant: ParticipantRow;
  resumed: boolean;
}

/** Thrown inside the join transaction to roll it back when another join took this device first. */
class DeviceTaken extends Error {}

async function findByDevice(db: Database, groupId: string, keyHash: string): Promise<ParticipantRow | undefined> {
  const rows = await db
    .select({ participant: participants })
    .from(participantDevices)
    .innerJoin(participants, eq(participants.id, participantDevices.participantId))
    .where(and(eq(participantDevices.groupId, groupId), eq(participantDevices.keyHash, keyHash)));
  return rows[0]?.participant;
}

async function resume(db: Database, participant: ParticipantRow, tokenHash: string): Promise<JoinResult> {
  await db
    .insert(tokens)
    .values({ hash: tokenHash, role: 'participant', groupId: participant.groupId, participantId: participant.id });
  return { participant, resumed: true };
}

/**
 * Joins a group. With a device key hash that already belongs to a participant of the group, no
 * one new is made: that participant gets another token (`resumed`). Otherwise a consenting
 * participant, their token and their device are stored atomically. Two joins racing from one
 * device both end as that one participant: the device is unique per group, so the second insert
 * waits for the first, finds the device taken, rolls back its new person and resumes the first.
 */
export async function joinGroup(
  db: Database,
  input: { groupId: string; displayName: string; tokenHash: string; deviceKeyHash: string | null },
): Promise<JoinResult> {
  const { groupId, displayName, tokenHash, deviceKeyHash } = input;
  if (deviceKeyHash !== null) {
    const known = await findByDevice(db, groupId, deviceKeyHash);
    if (known) return resume(db, known, tokenHash);
  }
  try {
    const participant = await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(participants)
        .values({ id: newId('pa'), groupId, displayName, consentAt: new Date() })
        .returning();
      if (!row) throw new Error('insert returned no row');
      if (deviceKeyHash !== null) {
        const device = await tx
          .insert(participantDevices)
          .values({ groupId, keyHash: deviceKeyHash, participantId: row.id })
          .onConflictDoNothing()
          .returning({ participantId: participantDevices.participantId });
        if (device.length === 0) throw new DeviceTaken();
      }
      await tx.insert(tokens).values({ hash: tokenHash, role: 'participant', groupId, participantId: row.id });
      return row;
    });
    return { participant, resumed: false };
  } catch (err) {
    if (!(err instanceof DeviceTaken) || deviceKeyHash === null) throw err;
    const known = await findByDevice(db, groupId, deviceKeyHash);
    if (!known) throw new Error('device taken by a join that is gone');
    return resume(db, known, tokenHash);
  }
}

/** One participant of a group, or `undefined`. */
export async function findParticipant(
  db: Database,
  groupId: string,
  participantId: string,
): Promise<ParticipantRow | undefined> {
  const rows = await db
    .select()
    .from(participants)
    .where(and(eq(participants.groupId, groupId), eq(participants.id, participantId)));
  return rows[0];
}

/** Renames a participant of a group; `undefined` when there is no such participant. */
export async function renameParticipant(
  db: Database,
  groupId: string,
  participantId: string,
  displayName: string,
): Promise<ParticipantRow | undefined> {
  const rows = await db
    .update(participants)
    .set({ displayName })
    .where(and(eq(participants.groupId, groupId), eq(participants.id, participantId)))
    .returning();
  return rows[0];
}

/**
 * Removes a participant of a group: their tokens, devices and private submissions go with them
 * (the foreign keys cascade), so they no longer count anywhere; labels and interactions they
 * wrote stay in the group's material without an author. Returns whether anyone was removed.
 */
export async function removeParticipant(db: Database, groupId: string, participantId: string): Promise<boolean> {
  const rows = await db
    .delete(participants)
    .where(and(eq(participants.groupId, groupId), eq(participants.id, participantId)))
    .returning({ id: participants.id });
  return rows.length > 0;
}

/**
 * Merges participant `fromId` into `intoId` (both of `groupId`, checked by the caller) in one
 * transaction: labels, interactions, attributes, tokens and devices move to `intoId`; per session, segment-1
 * and segment-5 submissions follow core's {@link keptSubmission} (the later one stands); then
 * `fromId` is deleted. Their tokens now sign in as `intoId`.
 */
export function mergeParticipants(db: Database, fromId: string, intoId: string): Promise<void> {
  return db.transaction(async (tx) => {
    await tx.update(labels).set({ participantId: intoId }).where(eq(labels.participantId, fromId));
    await tx.update(interactions).set({ participantId: intoId }).where(eq(interactions.participantId, fromId));
    // Their attributes hold their codes, which moved just above: both stay one person's.
    await tx.update(attributes).set({ participantId: intoId }).where(eq(attributes.participantId, fromId));
    // Their Familiarize steps too: a check passed under either sign-in stays passed.
    await tx.update(journeyEvents).set({ participantId: intoId }).where(eq(journeyEvents.participantId, fromId));
    await tx.update(tokens).set({ participantId: intoId }).where(eq(tokens.participantId, fromId));
    await tx
      .update(participantDevices)
      .set({ participantId: intoId })
      .where(eq(participantDevices.participantId, fromId));

    // Segment 1: a submission is the set of a person's rows in a session, made at once.
    const s1 = await tx
      .select({
        sessionId: segment1Attributes.sessionId,
        participantId: segment1Attributes.participantId,
        at: max(segment1Attributes.createdAt),
      })
      .from(segment1Attributes)
      .where(inArray(segment1Attributes.participantId, [fromId, intoId]))
      .groupBy(segment1Attributes.sessionId, segment1Attributes.participantId);
    for (const sessionId of new Set(s1.filter((r) => r.participantId === fromId).map((r) => r.sessionId))) {
      const at = (who: string) => s1.find((r) => r.sessionId === sessionId && r.participantId === who)?.at ?? null;
      const dropped = keptSubmission(at(intoId), at(fromId)) === 'from' ? intoId : fromId;
      await tx
        .delete(segment1Attributes)
        .where(and(eq(segment1Attributes.sessionId, sessionId), eq(segment1Attributes.participantId, dropped)));
      await tx
        .update(segment1Attributes)
        .set({ participantId: intoId })
        .where(and(eq(segment1Attributes.sessionId, sessionId), eq(segment1Attributes.participantId, fromId)));
    }

    const s5 = await tx
      .select({
        sessionId: segment5Ratings.sessionId,
        participantId: segment5Ratings.participantId,
        at: segment5Ratings.submittedAt,
      })
      .from(segment5Ratings)
      .where(inArray(segment5Ratings.participantId, [fromId, intoId]));
    for (const { sessionId } of s5.filter((r) => r.participantId === fromId)) {
      const at = (who: string) => s5.find((r) => r.sessionId === sessionId && r.participantId === who)?.at ?? null;
      const dropped = keptSubmission(at(intoId), at(fromId)) === 'from' ? intoId : fromId;
      await tx
        .delete(segment5Ratings)
        .where(and(eq(segment5Ratings.sessionId, sessionId), eq(segment5Ratings.participantId, dropped)));
      await tx
        .update(segment5Ratings)
        .set({ participantId: intoId })
        .where(and(eq(segment5Ratings.sessionId, sessionId), eq(segment5Ratings.participantId, fromId)));
    }

    await tx.delete(participants).where(eq(participants.id, fromId));
  });
}
