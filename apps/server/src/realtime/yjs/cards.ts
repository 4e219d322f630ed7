import {
  BoardKey,
  type Card,
  type CardField,
  CardKind,
  readCards,
  readCluster,
  systemAuthor,
} from '@calma/protocol/board';
import * as Y from 'yjs';

/** A label to place on the board. */
export interface LabelForBoard {
  id: string;
  text: string;
  annotation: string | null;
  participantId: string | null;
  interactionId: string | null;
}

/** A revealed segment-1 attribute to place on the board. */
export interface AttributeForBoard {
  id: string;
  participantId: string;
  name: string;
  definition: string;
  rank: number;
}

const gap = { x: 220, y: 120 };

/** Where a label card goes when an affinity map exists: beside its nearest neighbours. */
export interface CardPosition {
  x: number;
  y: number;
  clusterId: number | null;
}

/** A card as a Y.Map holding `fields`. */
function newCard(fields: Partial<Record<CardField, unknown>>): Y.Map<unknown> {
  const card = new Y.Map<unknown>();
  for (const [key, value] of Object.entries(fields)) card.set(key, value);
  return card;
}

/**
 * Adds a card for every label not placed before: at `positions` when given (an affinity map
 * exists), else on the next cell of a grid. `labelCards` remembers placed labels, so a card
 * someone deleted on purpose does not come back when the board is next loaded.
 */
export function placeLabels(
  doc: Y.Doc,
  labels: readonly LabelForBoard[],
  positions: ReadonlyMap<string, CardPosition> | null = null,
): void {
  const cards = doc.getMap(BoardKey.cards);
  const placed = doc.getMap(BoardKey.labelCards);
  let n = placed.size;
  for (const label of labels) {
    if (placed.has(label.id)) continue;
    const position = positions?.get(label.id);
    const card = newCard({
      kind: CardKind.label,
      text: label.text,
      annotation: label.annotation,
      labelId: label.id,
      interactionId: label.interactionId,
      authorId: label.participantId ?? systemAuthor,
      x: position?.x ?? 40 + (n % 8) * gap.x,
      y: position?.y ?? 40 + Math.floor(n / 8) * gap.y,
      ...(position && position.clusterId !== null ? { clusterId: position.clusterId } : {}),
    });
    cards.set(`label-${label.id}`, card);
    placed.set(label.id, true);
    n += 1;
  }
}

/**
 * Adds a card for every revealed segment-1 attribute not placed before, a column per participant,
 * below the labels. `attributeCards` remembers placed ones, as `labelCards` does for labels.
 */
export function placeAttributes(doc: Y.Doc, attributes: readonly AttributeForBoard[]): void {
  const cards = doc.getMap(BoardKey.cards);
  const placed = doc.getMap(BoardKey.attributeCards);
  const top = 80 + Math.ceil(doc.getMap(BoardKey.labelCards).size / 8) * gap.y;
  const columns = [...new Set(attributes.map((a) => a.participantId))];
  for (const attribute of attributes) {
    if (placed.has(attribute.id)) continue;
    const card = newCard({
      kind: CardKind.attribute,
      text: attribute.name,
      definition: attribute.definition,
      rank: attribute.rank,
      segment1AttributeId: attribute.id,
      authorId: attribute.participantId,
      x: 40 + columns.indexOf(attribute.participantId) * gap.x,
      y: top + (attribute.rank - 1) * gap.y,
    });
    cards.set(`attribute-${attribute.id}`, card);
    placed.set(attribute.id, true);
  }
}

/** The cards of a board document, as they are now (the board contract's one reader). */
export function readBoardCards(doc: Y.Doc): Card[] {
  return readCards(doc.getMap(BoardKey.cards), (value): value is Y.Map<unknown> => value instanceof Y.Map);
}

/**
 * Moves cards to a layout's positions and records its suggested clusters in the `clusters` map
 * (cluster id → {name, size, suggested: true}), replacing an earlier layout's suggestions but not
 * the clusters people made. Cards deleted meanwhile stay deleted.
 */
export function applyLayout(
  doc: Y.Doc,
  points: readonly { cardId: string; x: number; y: number; clusterId: number }[],
  clusters: readonly { id: number; name: string; size: number }[],
): void {
  const cards = doc.getMap(BoardKey.cards);
  for (const point of points) {
    const card = cards.get(point.cardId);
    if (!(card instanceof Y.Map)) continue;
    card.set('x', point.x);
    card.set('y', point.y);
    card.set('clusterId', point.clusterId);
  }
  const named = doc.getMap(BoardKey.clusters);
  for (const [key, value] of [...named.entries()]) {
    if (readCluster(value instanceof Y.Map ? value.toJSON() : value)?.suggested) named.delete(key);
  }
  for (const cluster of clusters)
    named.set(String(cluster.id), { name: cluster.name, size: cluster.size, suggested: true });
}
