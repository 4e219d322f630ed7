import { and, asc, desc, eq, lte } from 'drizzle-orm';
import type { Database } from '../client.js';
import { boardMoments, boardSnapshotParts, boardSnapshots, boardUpdates, sessionEvents } from '../schema.js';

/** One recorded event of a session's timeline: its type, when, and its fields. */
export interface SessionEventRow {
  readonly seq: number;
  readonly at: Date;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** Appends events to a session's timeline, in the order given (the sequence keeps it within one `at`). */
export async function appendSessionEvents(
  db: Database,
  sessionId: string,
  events: readonly { at: Date; type: string; data: Record<string, unknown> }[],
): Promise<void> {
  if (events.length === 0) return;
  await db.insert(sessionEvents).values(events.map((event) => ({ sessionId, ...event })));
}

/** A session's timeline, oldest first. */
export function listSessionEvents(db: Database, sessionId: string): Promise<SessionEventRow[]> {
  return db
    .select({ seq: sessionEvents.seq, at: sessionEvents.at, type: sessionEvents.type, data: sessionEvents.data })
    .from(sessionEvents)
    .where(eq(sessionEvents.sessionId, sessionId))
    .orderBy(asc(sessionEvents.at), asc(sessionEvents.seq));
}

/** Why a board moment was kept: a segment change, the 30 s interval while it changed, the end. */
export type BoardMomentReason = 'segment' | 'interval' | 'end';

/** Keeps the board as it stands (`state`: a Yjs update of the whole document) at `at`. */
export async function saveBoardMoment(
  db: Database,
  sessionId: string,
  moment: { at: Date; reason: BoardMomentReason; state: Uint8Array },
): Promise<void> {
  await db.insert(boardMoments).values({ sessionId, ...moment });
}

/** A session's board moments (when and why, not the board), oldest first. */
export function listBoardMoments(db: Database, sessionId: string): Promise<{ at: Date; reason: string }[]> {
  return db
    .select({ at: boardMoments.at, reason: boardMoments.reason })
    .from(boardMoments)
    .where(eq(boardMoments.sessionId, sessionId))
    .orderBy(asc(boardMoments.at), asc(boardMoments.seq));
}

/** The last board moment at or before `at`, with its state, or undefined. */
export async function findBoardMomentAt(
  db: Database,
  sessionId: string,
  at: Date,
): Promise<{ at: Date; state: Uint8Array } | undefined> {
  const [row] = await db
    .select({ at: boardMoments.at, state: boardMoments.state })
    .from(boardMoments)
    .where(and(eq(boardMoments.sessionId, sessionId), lte(boardMoments.at, at)))
    .orderBy(desc(boardMoments.at), desc(boardMoments.seq))
    .limit(1);
  return row;
}

/**
 * The board updates still stored (not folded into a snapshot yet) that were written at or before
 * `at`, in order: replayed over a moment, they give the board at `at` to the commit.
 */
export async function listBoardUpdatesUntil(db: Database, sessionId: string, at: Date): Promise<Uint8Array[]> {
  const rows = await db
    .select({ update: boardUpdates.update })
    .from(boardUpdates)
    .where(and(eq(boardUpdates.sessionId, sessionId), lte(boardUpdates.createdAt, at)))
    .orderBy(asc(boardUpdates.seq));
  return rows.map((row) => row.update);
}

/**
 * The board's current snapshot when it was written at or before `at` (everything it folds is
 * older than that), or undefined. Null when its parts are gone: a fold replaced it meanwhile.
 */
export async function findBoardSnapshotBefore(
  db: Database,
  sessionId: string,
  at: Date,
): Promise<Uint8Array | null | undefined> {
  const [snapshot] = await db
    .select({ state: boardSnapshots.state, generation: boardSnapshots.generation })
    .from(boardSnapshots)
    .where(and(eq(boardSnapshots.sessionId, sessionId), lte(boardSnapshots.updatedAt, at)));
  if (!snapshot) return undefined;
  if (snapshot.state) return snapshot.state;
  const parts = await db
    .select({ part: boardSnapshotParts.part, data: boardSnapshotParts.data })
    .from(boardSnapshotParts)
    .where(and(eq(boardSnapshotParts.sessionId, sessionId), eq(boardSnapshotParts.generation, snapshot.generation)))
    .orderBy(asc(boardSnapshotParts.part));
  if (parts.length === 0 || parts.some((row, i) => row.part !== i)) return null;
  return Buffer.concat(parts.map((row) => row.data));
}
