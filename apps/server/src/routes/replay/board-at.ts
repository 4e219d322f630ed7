import { type Database, findBoardMomentAt, findBoardSnapshotBefore, listBoardUpdatesUntil } from '@calma/db';
import { BoardKey } from '@calma/protocol/board';
import * as Y from 'yjs';

/**
 * The board's `cards` as they stood at `at` (epoch ms): the last moment kept at or before it,
 * then, for precision to the commit, the board's current snapshot if it was folded before `at`
 * and the stored updates written up to `at` (those not folded yet). Yjs updates apply in any
 * order and twice without harm, so what the moment already holds costs nothing but the reading.
 * Before the session existed the board was empty.
 */
export async function boardCardsAt(
  db: Database,
  sessionId: string,
  createdAt: Date,
  at: number,
): Promise<Record<string, Record<string, unknown>>> {
  if (at < createdAt.getTime()) return {};
  const when = new Date(at);
  const [moment, snapshot, updates] = await Promise.all([
    findBoardMomentAt(db, sessionId, when),
    findBoardSnapshotBefore(db, sessionId, when),
    listBoardUpdatesUntil(db, sessionId, when),
  ]);
  const doc = new Y.Doc();
  try {
    if (moment) Y.applyUpdate(doc, moment.state);
    if (snapshot) Y.applyUpdate(doc, snapshot);
    for (const update of updates) Y.applyUpdate(doc, update);
    return doc.getMap(BoardKey.cards).toJSON() as Record<string, Record<string, unknown>>;
  } finally {
    doc.destroy();
  }
}
