import type { BoardChange } from '@calma/core';
import { BoardKey, CardField } from '@calma/protocol/board';
import * as Y from 'yjs';
import { type AuthorIndex, changeList } from './inspect.js';

/**
 * Describes what an update would do to the board *before* it is applied, from the update's own
 * structs and delete set and look-ups of the items they refer to: the cost is the update's size
 * (times a log of the board's), not the board's. A refused update then needs no undoing, where
 * applying it first meant rebuilding the whole accepted document (~0.4 s at 10,000 cards).
 *
 * The description is conservative: what cannot be placed (a reference to something missing, an
 * unexpected shape) is reported as a change to `(unknown)`, which only moderators may make. The
 * room still applies an accepted update through {@link applyAndDescribe}, Yjs's own account, as a
 * second check.
 */
export type Prejudged = { readonly ok: true; readonly changes: BoardChange[] } | { readonly ok: false };

type AnyItem = Y.Item;
/** Where an item sits: a key (or the sequence) of a root type, or inside another item's type. */
type Place =
  | { readonly root: string; readonly sub: string | null }
  | { readonly inside: AnyItem; readonly sub: string | null }
  | { readonly gone: true };

const unknownRoot = '(unknown)';

/** Describes `update` against `board` (the accepted document) and its card authors. */
export function prejudge(board: Y.Doc, authors: AuthorIndex, update: Uint8Array): Prejudged {
  const { structs, ds } = Y.decodeUpdate(update);
  const store = board.store;
  const fresh = new Map<number, AnyItem[]>(); // client → this update's new items, by clock
  const freshGc: Y.GC[] = [];
  for (const struct of structs) {
    if (struct instanceof Y.GC && struct.id.clock + struct.length > Y.getState(store, struct.id.client))
      freshGc.push(struct);
    if (!(struct instanceof Y.Item)) continue;
    if (struct.id.clock + struct.length <= Y.getState(store, struct.id.client)) continue; // already here
    const list = fresh.get(struct.id.client) ?? [];
    list.push(struct);
    fresh.set(struct.id.client, list);
  }
  const freshItems = new Set([...fresh.values()].flat());
  const isFresh = (item: AnyItem) => freshItems.has(item);
  /** This update's item holding `id` (binary search: an update's structs come in clock order). */
  const freshAt = (id: Y.ID): AnyItem | null => {
    const list = fresh.get(id.client) ?? [];
    let low = 0;
    let high = list.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const item = list[middle] as AnyItem;
      if (id.clock < item.id.clock) high = middle - 1;
      else if (id.clock >= item.id.clock + item.length) low = middle + 1;
      else return item;
    }
    return null;
  };
  /** The item holding `id`: this update's or the board's; null when neither has it. */
  const find = (id: Y.ID): AnyItem | null => {
    const own = freshAt(id);
    if (own) return own;
    if (id.clock >= Y.getState(store, id.client)) return null;
    const struct = Y.getItem(store, id);
    return struct instanceof Y.Item ? struct : null;
  };
  /** Whether `id` is one the board has only as garbage (a GC struct: deleted content collected). */
  const gone = (id: Y.ID) =>
    !freshAt(id) && id.clock < Y.getState(store, id.client) && !(Y.getItem(store, id) instanceof Y.Item);
  const places = new Map<AnyItem, Place | null>();
  const placeOf = (item: AnyItem, depth = 0): Place | null => {
    if (places.has(item)) return places.get(item) ?? null;
    let place: Place | null = null;
    if (!isFresh(item)) {
      const parent = item.parent as Y.AbstractType<unknown> | null;
      if (parent?._item) place = { inside: parent._item, sub: item.parentSub };
      else if (parent) place = { root: Y.findRootTypeKey(parent), sub: item.parentSub };
    } else if (typeof item.parent === 'string') {
      place = { root: item.parent, sub: item.parentSub };
    } else if (
      (item.parent instanceof Y.ID && gone(item.parent)) ||
      (item.origin && gone(item.origin)) ||
      (item.rightOrigin && gone(item.rightOrigin))
    ) {
      place = { gone: true };
    } else if (item.parent instanceof Y.ID) {
      const inside = find(item.parent);
      place = inside ? { inside, sub: item.parentSub } : null;
    } else if (depth < 64) {
      // Neighbours share the parent: a map entry's origin is the entry it overwrites.
      const neighbourId = item.origin ?? item.rightOrigin;
      const neighbour = neighbourId ? find(neighbourId) : null;
      const around = neighbour ? placeOf(neighbour, depth + 1) : null;
      // The neighbour's place already names the key: a neighbour this update adds has no
      // `parentSub` of its own until Yjs integrates it.
      place = around && neighbour ? around : null;
    }
    places.set(item, place);
    return place;
  };
  /** The card an item belongs to (the item under `cards`), and the card's field it is in. */
  const cardOf = (item: AnyItem): { card: AnyItem; field: string | null } | { root: string } | { gone: true } => {
    let node = item;
    let place = placeOf(node);
    let field: string | null = null;
    for (let depth = 0; place && 'inside' in place && depth < 64; depth++) {
      field = place.sub;
      node = place.inside;
      place = placeOf(node);
    }
    if (place && 'gone' in place) return { gone: true };
    if (!place || 'inside' in place) return { root: unknownRoot };
    if (place.root === BoardKey.cards && place.sub !== null)
      return node === item ? { card: item, field: null } : { card: node, field };
    return { root: place.root };
  };

  const { changes, add } = changeList();
  const deletedHere = (item: AnyItem) => Y.isDeleted(ds, item.id);
  /** Per item of this update, its fields' last values set by this update (built once, on first need). */
  let fieldsOf: Map<AnyItem, Map<string, AnyItem>> | null = null;
  /** A new card's `kind` and `authorId`: this update's last value of each. */
  const newCard = (card: AnyItem): { kind: unknown; authorId: unknown } | null => {
    if (!(card.content instanceof Y.ContentType) || !(card.content.type instanceof Y.Map)) return null;
    if (!fieldsOf) {
      fieldsOf = new Map();
      for (const item of freshItems) {
        const place = placeOf(item);
        if (!place || !('inside' in place) || place.sub === null || deletedHere(item)) continue;
        const fields = fieldsOf.get(place.inside) ?? new Map<string, AnyItem>();
        const last = fields.get(place.sub);
        if (!last || item.id.clock > last.id.clock) fields.set(place.sub, item);
        fieldsOf.set(place.inside, fields);
      }
    }
    const value = (field: string) => fieldsOf?.get(card)?.get(field)?.content.getContent()[0];
    return { kind: value(CardField.kind), authorId: value(CardField.authorId) };
  };
  const describe = (item: AnyItem, removal: boolean) => {
    const where = cardOf(item);
    if ('gone' in where) return;
    if ('root' in where) return add({ type: 'other', root: where.root });
    const place = placeOf(where.card);
    const cardId = (place && 'sub' in place ? place.sub : null) ?? '';
    if (where.field === null) {
      if (removal) {
        if (authors.has(cardId)) add({ type: 'card-removed', cardId, authorId: authors.get(cardId) ?? null });
        return;
      }
      // A new card under an existing id replaces that card, even if this update deletes the new one.
      if (authors.has(cardId)) add({ type: 'card-removed', cardId, authorId: authors.get(cardId) ?? null });
      // Added and deleted by the same update (a note made and removed offline): no card results.
      if (isFresh(item) && deletedHere(item)) return;
      return add({ type: 'card-added', cardId, card: newCard(item) });
    }
    // Inside a card this update adds: part of the addition. Inside a card that is deleted, or that
    // this update deletes: no effect of its own (Yjs reports changes to live types only).
    if (isFresh(where.card) || where.card.deleted || deletedHere(where.card)) return;
    add({ type: 'card-field', cardId, field: where.field, authorId: authors.get(cardId) ?? null });
  };

  for (const list of fresh.values()) for (const item of list) describe(item, false);
  for (const [client, ranges] of ds.clients) {
    for (const { clock, len } of ranges) {
      let at = clock;
      while (at < clock + len) {
        const collected = freshGc.find((g) => g.id.client === client && at >= g.id.clock && at < g.id.clock + g.length);
        if (collected) {
          at = collected.id.clock + collected.length;
          continue;
        }
        const own = freshAt(Y.createID(client, at));
        if (own) {
          at = own.id.clock + own.length; // deleting what this update adds: part of the update
          continue;
        }
        if (at >= Y.getState(store, client)) return { ok: false }; // deletes what the board lacks
        const struct = Y.getItem(store, Y.createID(client, at));
        if (struct instanceof Y.Item && !struct.deleted) describe(struct, true);
        at = struct.id.clock + struct.length;
      }
    }
  }
  return { ok: true, changes };
}
