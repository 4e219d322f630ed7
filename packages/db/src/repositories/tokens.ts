import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../client.js';
import { participants, tokens } from '../schema.js';

/** What a stored token grants. */
export interface TokenGrant {
  role: 'admin' | 'moderator' | 'analyst' | 'participant';
  groupId: string | null;
  participantId: string | null;
  displayName: string | null;
}

/** Looks up an unrevoked token by its hash. */
export async function findTokenGrant(db: Database, hash: string): Promise<TokenGrant | undefined> {
  const rows = await db
    .select({
      role: tokens.role,
      groupId: tokens.groupId,
      participantId: tokens.participantId,
      displayName: participants.displayName,
    })
    .from(tokens)
    .leftJoin(participants, eq(participants.id, tokens.participantId))
    .where(and(eq(tokens.hash, hash), isNull(tokens.revokedAt)));
  return rows[0];
}
