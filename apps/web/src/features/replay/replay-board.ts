import { type Card, type NamedCluster, readCard } from '@calma/protocol/board';
import type { Board } from '../../lib/board';

const nothing = () => undefined;

/** The cards of `GET /api/sessions/:id/board?at=` (card id → fields) as the board reads them, in id order. */
export function replayCards(cards: Readonly<Record<string, Readonly<Record<string, unknown>>>>): Card[] {
  return Object.keys(cards)
    .sort()
    .map((id) => readCard(id, new Map(Object.entries(cards[id] ?? {}))));
}

/** Board units a moment's cards may shift by before the view fits them again. */
const regionStep = 400;

/**
 * A key of where a moment's cards lie (their bounding box, in steps of {@link regionStep}), for
 * the board's `refitKey`: scrubbing from the grid of codes at the start to the groups of a later
 * segment moves the view to the cards, while a card nudged within the same region keeps the view
 * the analyst chose. 0 (no fit) for an empty board.
 */
export function replayLayoutKey(cards: readonly Pick<Card, 'x' | 'y'>[]): number {
  if (cards.length === 0) return 0;
  const step = (v: number) => Math.round(v / regionStep);
  const box = [
    Math.min(...cards.map((c) => c.x)),
    Math.min(...cards.map((c) => c.y)),
    Math.max(...cards.map((c) => c.x)),
    Math.max(...cards.map((c) => c.y)),
  ].map(step);
  // A small positive number per box (never 0), as the key the board compares.
  return box.reduce((hash, v) => (Math.imul(hash, 31) + v) | 0, 17) >>> 0 || 1;
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
