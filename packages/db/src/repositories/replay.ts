import { and, asc, desc, eq, lt, lte, sql } from 'drizzle-orm';
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

/**
 * Bytes of a moment written or read per statement. PGlite encodes and decodes bytea in JavaScript:
 * a 1.5 MB moment (10,000 cards) in one statement held the event loop ~1.1 s, the board's
 * broadcasts with it. In parts, with the loop free between them, no statement holds it for long.
 */
export const momentPartBytes = 64 * 1024;

/**
 * Where a moment being written in parts sits in time: past any moment anyone asks for, so that
 * no reader takes a half-written one. The last statement moves it to its real time.
 */
const writingAt = new Date('9999-12-31T00:00:00Z');

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Keeps the board as it stands (`state`: a Yjs update of the whole document) at `at`. A large one
 * is written in parts of {@link momentPartBytes} (appended to the row one statement each), then
 * given its time; a write cut short leaves a row no reader sees, removed by the next write.
 */
export async function saveBoardMoment(
  db: Database,
  sessionId: string,
  moment: { at: Date; reason: BoardMomentReason; state: Uint8Array },
): Promise<void> {
  const { at, reason, state } = moment;
  if (state.byteLength <= momentPartBytes) {
    await db.insert(boardMoments).values({ sessionId, at, reason, state });
    return;
  }
  await db.delete(boardMoments).where(and(eq(boardMoments.sessionId, sessionId), eq(boardMoments.at, writingAt)));
  const [row] = await db
    .insert(boardMoments)
    .values({ sessionId, at: writingAt, reason, state: state.subarray(0, momentPartBytes) })
    .returning({ seq: boardMoments.seq });
  if (!row) throw new Error('insert returned no row');
  for (let offset = momentPartBytes; offset < state.byteLength; offset += momentPartBytes) {
    await yieldToEventLoop();
    const part = asBuffer(state.subarray(offset, offset + momentPartBytes));
    await db
      .update(boardMoments)
      .set({ state: sql`${boardMoments.state} || ${part}::bytea` })
      .where(eq(boardMoments.seq, row.seq));
  }
  await db.update(boardMoments).set({ at }).where(eq(boardMoments.seq, row.seq));
}

/** A session's board moments (when and why, not the board), oldest first. */
export function listBoardMoments(db: Database, sessionId: string): Promise<{ at: Date; reason: string }[]> {
  return db
    .select({ at: boardMoments.at, reason: boardMoments.reason })
    .from(boardMoments)
    .where(and(eq(boardMoments.sessionId, sessionId), lt(boardMoments.at, writingAt)))
    .orderBy(asc(boardMoments.at), asc(boardMoments.seq));
}

/**
 * The last board moment at or before `at`, with its state, or undefined. A large one is read in
 * parts of {@link momentPartBytes}, one statement each, with the event loop free between them.
 */
export async function findBoardMomentAt(
  db: Database,
  sessionId: string,
  at: Date,
): Promise<{ at: Date; state: Uint8Array } | undefined> {
  const [row] = await db
    .select({ seq: boardMoments.seq, at: boardMoments.at, bytes: sql<number>`octet_length(${boardMoments.state})` })
    .from(boardMoments)
    .where(and(eq(boardMoments.sessionId, sessionId), lte(boardMoments.at, at), lt(boardMoments.at, writingAt)))
    .orderBy(desc(boardMoments.at), desc(boardMoments.seq))
    .limit(1);
  if (!row) return undefined;
  const bytes = Number(row.bytes);
  const parts: Uint8Array[] = [];
  for (let offset = 0; offset < bytes || offset === 0; offset += momentPartBytes) {
    if (offset > 0) await yieldToEventLoop();
    // substring() on bytea counts bytes, from 1.
    const [part] = await db
      .select({ data: sql<Uint8Array>`substring(${boardMoments.state} from ${offset + 1} for ${momentPartBytes})` })
      .from(boardMoments)
      .where(eq(boardMoments.seq, row.seq));
    if (!part) return undefined;
    parts.push(new Uint8Array(part.data));
  }
  return { at: row.at, state: parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts) };
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
