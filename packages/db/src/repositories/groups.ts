import { asc, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { newId } from '../ids.js';
import { groups, participants, tokens } from '../schema.js';

/** A group row. */
export type GroupRow = typeof groups.$inferSelect;
/** A participant row. */
export type ParticipantRow = typeof participants.$inferSelect;

/**
 * Creates a group with its invite code and the hashes of its moderator and analyst tokens, in
 * one transaction so a group never exists without its credentials.
 */
export function createGroup(
  db: Database,
  input: { studyId: string; name: string; inviteCode: string; moderatorTokenHash: string; analystTokenHash: string },
): Promise<GroupRow> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(groups)
      .values({ id: newId('gr'), studyId: input.studyId, name: input.name, inviteCode: input.inviteCode })
      .returning();
    if (!row) throw new Error('insert returned no row');
    await tx.insert(tokens).values([
      { hash: input.moderatorTokenHash, role: 'moderator', groupId: row.id },
      { hash: input.analystTokenHash, role: 'analyst', groupId: row.id },
    ]);
    return row;
  });
}

/** One group, or `undefined`. */
export async function findGroup(db: Database, id: string): Promise<GroupRow | undefined> {
  const rows = await db.select().from(groups).where(eq(groups.id, id));
  return rows[0];
}

/** The group an invite code opens, or `undefined`. */
export async function findGroupByInviteCode(db: Database, inviteCode: string): Promise<GroupRow | undefined> {
  const rows = await db.select().from(groups).where(eq(groups.inviteCode, inviteCode));
  return rows[0];
}

/** A study's groups, oldest first. */
export function listGroups(db: Database, studyId: string): Promise<GroupRow[]> {
  return db.select().from(groups).where(eq(groups.studyId, studyId)).orderBy(asc(groups.createdAt), asc(groups.id));
}

/** Adds a consenting participant and their token hash, atomically. */
export function addParticipant(
  db: Database,
  input: { groupId: string; displayName: string; tokenHash: string },
): Promise<ParticipantRow> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(participants)
      .values({ id: newId('pa'), groupId: input.groupId, displayName: input.displayName, consentAt: new Date() })
      .returning();
    if (!row) throw new Error('insert returned no row');
    await tx.insert(tokens).values({
      hash: input.tokenHash,
      role: 'participant',
      groupId: input.groupId,
      participantId: row.id,
    });
    return row;
  });
}

/** A group's participants in joining order. */
export function listParticipants(db: Database, groupId: string): Promise<ParticipantRow[]> {
  return db
    .select()
    .from(participants)
    .where(eq(participants.groupId, groupId))
    .orderBy(asc(participants.createdAt), asc(participants.id));
}
