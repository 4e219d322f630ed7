import type { BoardChange } from '@calma/core';
import { BoardKey, CardField } from '@calma/protocol/board';
import * as Y from 'yjs';

/** Card id → author, as accepted so far; kept beside the probe document. */
export type AuthorIndex = Map<string, string | null>;

const authorOf = (value: unknown): string | null => {
  if (!(value instanceof Y.Map)) return null;
  const author = value.get(CardField.authorId);
  return typeof author === 'string' ? author : null;
};

/** Rebuilds the author index from a document's `cards`. */
export function indexAuthors(doc: Y.Doc): AuthorIndex {
  const index: AuthorIndex = new Map();
  for (const [id, card] of doc.getMap(BoardKey.cards).entries()) index.set(id, authorOf(card));
  return index;
}

/** Any shared type, as Yjs hands them out in a transaction. */
type SharedType = Y.Transaction['changed'] extends Map<infer K, unknown> ? K : never;

/** The name a root type is shared under in its document. */
function rootName(doc: Y.Doc, type: SharedType): string {
  for (const [name, shared] of doc.share) if ((shared as unknown) === type) return name;
  return '(unknown)';
}

/** A list of board changes that keeps each distinct change once, in the order first seen. */
export function changeList(): { changes: BoardChange[]; add: (change: BoardChange) => void } {
  const changes: BoardChange[] = [];
  const seen = new Set<string>();
  return {
    changes,
    add(change) {
      const key = JSON.stringify(change);
      if (seen.has(key)) return;
      seen.add(key);
      changes.push(change);
    },
  };
}

/**
 * Applies `update` to `probe` and describes what it changed, card by card, against the board as
 * it was. `authors` (the accepted card authors) supplies "as it was", so deleted cards need not be
 * read after the fact. The caller decides; on refusal it must rebuild the probe.
 */
export function applyAndDescribe(probe: Y.Doc, authors: AuthorIndex, update: Uint8Array): BoardChange[] {
  const cardsMap = probe.getMap(BoardKey.cards);
  const cards = cardsMap as unknown as SharedType;
  const { changes, add } = changeList();
  const onTransaction = (transaction: Y.Transaction) => {
    for (const [type, keys] of transaction.changed) {
      if (type === cards) {
        for (const key of keys) {
          if (key === null) continue;
          const now = cardsMap.get(key);
          // An id that existed lost its card (deleted, or replaced by another value).
          if (authors.has(key)) add({ type: 'card-removed', cardId: key, authorId: authors.get(key) ?? null });
          if (now !== undefined) {
            add({
              type: 'card-added',
              cardId: key,
              card:
                now instanceof Y.Map ? { kind: now.get(CardField.kind), authorId: now.get(CardField.authorId) } : null,
            });
          }
        }
        continue;
      }
      // Walk up to the top: a field of a card is a key of a Y.Map whose parent is `cards`.
      let child: SharedType = type;
      let field: string | null = keys.values().next().value ?? null;
      let parent = child._item?.parent as SharedType | null | undefined;
      while (parent && parent !== cards && parent._item) {
        field = child._item?.parentSub ?? field;
        child = parent;
        parent = child._item?.parent as SharedType | null | undefined;
      }
      if (parent === cards) {
        const cardId = child._item?.parentSub ?? '';
        // A field of a card added by this same update belongs to the addition, checked above.
        if (!authors.has(cardId)) continue;
        const author = authors.get(cardId) ?? null;
        const fields = child === type ? [...keys] : [field];
        for (const f of fields) {
          if (f !== null) add({ type: 'card-field', cardId, field: f, authorId: author });
        }
        continue;
      }
      const root = parent ?? child;
      add({ type: 'other', root: rootName(probe, root) });
    }
  };
  probe.on('afterTransaction', onTransaction);
  try {
    Y.applyUpdate(probe, update);
  } finally {
    probe.off('afterTransaction', onTransaction);
  }
  return changes;
}

/** Brings the author index up to date for the cards an accepted update touched. */
export function refreshAuthors(probe: Y.Doc, authors: AuthorIndex, changes: readonly BoardChange[]): void {
  const cards = probe.getMap(BoardKey.cards);
  for (const change of changes) {
    if (change.type === 'other') continue;
    const card = cards.get(change.cardId);
    if (card === undefined) authors.delete(change.cardId);
    else authors.set(change.cardId, authorOf(card));
  }
}
