import { type Database, findBoardMomentAt, findBoardSnapshotBefore, listBoardUpdatesUntil } from '@calma/db';
import { BoardKey, type NamedCluster, readCluster } from '@calma/protocol/board';
import * as Y from 'yjs';

/** The board at a moment: its cards (card id → fields) and its named clusters. */
export interface BoardAtMoment {
  readonly cards: Record<string, Record<string, unknown>>;
  readonly clusters: Record<string, NamedCluster>;
}

/**
 * The board as it stood at `at` (epoch ms): the last moment kept at or before it, then, for
 * precision to the commit, the board's current snapshot if it was folded before `at` and the
 * stored updates written up to `at` (those not folded yet). Yjs updates apply in any order and
 * twice without harm, so what the moment already holds costs nothing but the reading. Before the
 * session's first moment and first update, nothing is stored, so the board is empty.
 */
export async function boardAt(db: Database, sessionId: string, at: number): Promise<BoardAtMoment> {
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
    const clusters: Record<string, NamedCluster> = {};
    for (const [id, value] of doc.getMap(BoardKey.clusters).entries()) {
      const cluster = readCluster(value instanceof Y.Map ? value.toJSON() : value);
      if (cluster) clusters[id] = cluster;
    }
    return { cards: doc.getMap(BoardKey.cards).toJSON() as Record<string, Record<string, unknown>>, clusters };
  } finally {
    doc.destroy();
  }
}
