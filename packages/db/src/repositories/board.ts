import { and, asc, eq, inArray, lte, ne, sql } from 'drizzle-orm';
import type { BoardJournal } from '../board-journal.js';
import type { Database, Db } from '../client.js';
import { boardSnapshotParts, boardSnapshots, boardUpdates } from '../schema.js';

/** What a board is made of in storage: a snapshot (or none) and the updates after it, in order. */
export interface StoredBoard {
  snapshot: { state: Uint8Array; upToSeq: number } | null;
  updates: { seq: number; update: Uint8Array }[];
}

/**
 * Rows per INSERT: two parameters each, far below PostgreSQL's 65,535 bind parameters (a flood of
 * tiny updates once made one statement of 32,166 rows and failed).
 */
export const appendChunkRows = 1_000;

/**
 * Appends accepted updates of any number of boards, a tick's worth at a time (group commit), in
 * order: one INSERT per {@link appendChunkRows} rows. Returns their sequence numbers in input
 * order. Plain SQL on the driver: this runs before every broadcast, and the query builder doubled
 * its p99 on PGlite.
 */
export async function appendBoardUpdates(
  db: Pick<Db, 'query'>,
  rows: readonly { sessionId: string; update: Uint8Array }[],
): Promise<number[]> {
  const seqs: number[] = [];
  for (let start = 0; start < rows.length; start += appendChunkRows) {
    const chunk = rows.slice(start, start + appendChunkRows);
    const values = chunk.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ');
    const params = chunk.flatMap((r) => [
      r.sessionId,
      Buffer.from(r.update.buffer, r.update.byteOffset, r.update.byteLength),
    ]);
    const inserted = await db.query(
      `INSERT INTO board_updates (session_id, "update") VALUES ${values} RETURNING seq`,
      params,
    );
    // RETURNING follows the VALUES order for a single-statement multi-row insert.
    for (const r of inserted) seqs.push(Number(r.seq));
  }
  return seqs;
}

/**
 * Lets timers and I/O run. PGlite answers through promises alone, so a chain of awaited queries
 * never leaves the microtask queue: without this, writing a snapshot's parts held the event loop
 * as long as one big statement did.
 */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Bytes per stored snapshot part. */
export const snapshotPartBytes = 64 * 1024;

/**
 * Reads a board's snapshot and the updates after it. A snapshot in parts is read one part per
 * statement, so the event loop runs between them (PGlite decodes bytea in JavaScript).
 */
export async function loadBoard(db: Database, sessionId: string): Promise<StoredBoard> {
  const snapshot = await loadSnapshot(db, sessionId);
  // Every stored update, not only those after `upToSeq`: with several nodes writing one board,
  // an update may commit after a fold that took a later sequence number (its transaction began
  // first and ended last), and it is stored all the same. An update the snapshot folded and a
  // crash left behind is read again, which changes nothing (Yjs skips what a document has).
  const updates = await db
    .select({ seq: boardUpdates.seq, update: boardUpdates.update })
    .from(boardUpdates)
    .where(eq(boardUpdates.sessionId, sessionId))
    .orderBy(asc(boardUpdates.seq));
  return { snapshot: snapshot ? { state: snapshot.state, upToSeq: snapshot.upToSeq } : null, updates };
}

/** A board's stored snapshot, read one part per statement, with its generation; null when it has none. */
async function loadSnapshot(
  db: Database,
  sessionId: string,
): Promise<{ state: Uint8Array; upToSeq: number; generation: number } | null> {
  const [snapshot] = await db.select().from(boardSnapshots).where(eq(boardSnapshots.sessionId, sessionId));
  if (!snapshot) return null;
  if (snapshot.state !== null)
    return { state: snapshot.state, upToSeq: snapshot.upToSeq, generation: snapshot.generation };
  const parts: Uint8Array[] = [];
  for (let part = 0; ; part++) {
    await yieldToEventLoop();
    const [row] = await db
      .select({ data: boardSnapshotParts.data })
      .from(boardSnapshotParts)
      .where(
        and(
          eq(boardSnapshotParts.sessionId, sessionId),
          eq(boardSnapshotParts.generation, snapshot.generation),
          eq(boardSnapshotParts.part, part),
        ),
      );
    if (!row) break;
    parts.push(row.data);
  }
  return { state: Buffer.concat(parts), upToSeq: snapshot.upToSeq, generation: snapshot.generation };
}

/**
 * Folds a board's updates up to `upToSeq` into a snapshot, as a few short statements, each on its
 * own and with the event loop free between them (a 2.4 MB snapshot took ~0.5 s of the event loop
 * as one PGlite statement, and a transaction would hold PGlite's only connection while the board
 * journal's next move waits). The parts of the new
 * snapshot are written first; then one statement points the snapshot at them and `upToSeq`, which
 * is the fold's commit: loading reads only updates after `upToSeq` and parts of the current
 * generation. Deleting the folded updates and the previous parts comes after, and a crash before
 * (or between) them leaves parts that nothing reads, and updates read again for nothing, which the
 * next fold deletes. Given the board `journal` (PGlite), the folded updates still in it are dropped
 * there once the fold is committed, instead of being moved into the table and deleted. For one
 * node only: see {@link compactSharedBoard} when several write a board.
 */
export async function compactBoard(
  db: Database,
  sessionId: string,
  state: Uint8Array,
  upToSeq: number,
  journal?: Pick<BoardJournal, 'forget'>,
): Promise<void> {
  await yieldToEventLoop();
  const [current] = await db
    .select({ generation: boardSnapshots.generation })
    .from(boardSnapshots)
    .where(eq(boardSnapshots.sessionId, sessionId));
  const generation = (current?.generation ?? 0) + 1;
  // Parts a fold that crashed before its pointer left under this generation: never read, but
  // in the way (and extra parts would be read after the new ones).
  await yieldToEventLoop();
  await db
    .delete(boardSnapshotParts)
    .where(and(eq(boardSnapshotParts.sessionId, sessionId), eq(boardSnapshotParts.generation, generation)));
  for (let part = 0, offset = 0; offset < state.byteLength || part === 0; part++, offset += snapshotPartBytes) {
    await yieldToEventLoop();
    await db
      .insert(boardSnapshotParts)
      .values({ sessionId, generation, part, data: state.subarray(offset, offset + snapshotPartBytes) });
  }
  await yieldToEventLoop();
  await db
    .insert(boardSnapshots)
    .values({ sessionId, state: null, generation, upToSeq })
    .onConflictDoUpdate({
      target: boardSnapshots.sessionId,
      set: { state: null, generation, upToSeq, updatedAt: new Date() },
    });
  // The fold is committed: what it holds need not move out of the board journal (PGlite).
  journal?.forget(sessionId, upToSeq);
  await yieldToEventLoop();
  await db.delete(boardUpdates).where(and(eq(boardUpdates.sessionId, sessionId), lte(boardUpdates.seq, upToSeq)));
  await yieldToEventLoop();
  await db
    .delete(boardSnapshotParts)
    .where(and(eq(boardSnapshotParts.sessionId, sessionId), ne(boardSnapshotParts.generation, generation)));
}

/** Rows per DELETE of folded updates (one parameter each). */
const deleteChunkRows = 1_000;

/**
 * Folds a board that several nodes write (PostgreSQL only): under a lock of the board, in one
 * transaction, `fold` gets the stored snapshot (another node's fold may have replaced this node's)
 * and returns the new one, which must contain it; then exactly the updates `seqs` are deleted,
 * those this node folded in. An update another node committed meanwhile, whatever its sequence
 * number, stays stored until a fold that has it deletes it, and no fold drops what another folded.
 */
export async function compactSharedBoard(
  db: Database,
  sessionId: string,
  fold: (stored: Uint8Array | null) => Promise<Uint8Array>,
  seqs: readonly number[],
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`calma-board:${sessionId}`}, 0))`);
    const stored = await loadSnapshot(tx, sessionId);
    const state = await fold(stored?.state ?? null);
    const generation = (stored?.generation ?? 0) + 1;
    await tx
      .delete(boardSnapshotParts)
      .where(
        and(eq(boardSnapshotParts.sessionId, sessionId), ne(boardSnapshotParts.generation, stored?.generation ?? 0)),
      );
    for (let part = 0, offset = 0; offset < state.byteLength || part === 0; part++, offset += snapshotPartBytes) {
      await tx
        .insert(boardSnapshotParts)
        .values({ sessionId, generation, part, data: state.subarray(offset, offset + snapshotPartBytes) });
    }
    const upToSeq = Math.max(stored?.upToSeq ?? 0, ...seqs);
    await tx
      .insert(boardSnapshots)
      .values({ sessionId, state: null, generation, upToSeq })
      .onConflictDoUpdate({
        target: boardSnapshots.sessionId,
        set: { state: null, generation, upToSeq, updatedAt: new Date() },
      });
    for (let start = 0; start < seqs.length; start += deleteChunkRows) {
      await tx
        .delete(boardUpdates)
        .where(
          and(
            eq(boardUpdates.sessionId, sessionId),
            inArray(boardUpdates.seq, seqs.slice(start, start + deleteChunkRows)),
          ),
        );
    }
    await tx
      .delete(boardSnapshotParts)
      .where(and(eq(boardSnapshotParts.sessionId, sessionId), ne(boardSnapshotParts.generation, generation)));
  });
}
