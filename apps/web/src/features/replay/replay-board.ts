import { type Card, type NamedCluster, readCard } from '@calma/protocol/board';
import type { Board } from '../../lib/board';

const nothing = () => undefined;

/** The cards of `GET /api/sessions/:id/board?at=` (card id → fields) as the board reads them, in id order. */
export function replayCards(cards: Readonly<Record<string, Readonly<Record<string, unknown>>>>): Card[] {
  return Object.keys(cards)
    .sort()
    .map((id) => readCard(id, new Map(Object.entries(cards[id] ?? {}))));
}

/**
 * A board that stood still: the cards and named clusters of one moment, with no one on it and
 * nothing anyone can do, for the board's own read-only drawing (`BoardCanvas` with a read-only reason).
 */
export function replayBoard(cards: readonly Card[], clusters: Readonly<Record<string, NamedCluster>> = {}): Board {
  return {
    status: 'synced',
    closeReason: null,
    cards,
    clusters,
    peers: [],
    canUndo: false,
    canRedo: false,
    generation: 0,
    move: nothing,
    addNote: () => '',
    setText: nothing,
    group: nothing,
    undo: nothing,
    redo: nothing,
    setCursor: nothing,
  };
}
