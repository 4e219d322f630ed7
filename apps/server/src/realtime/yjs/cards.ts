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

/** A focused-coding attribute to place on the board when the session starts. */
export interface ReflectAttributeForBoard {
  id: string;
  /** Null: the moderator's. */
  participantId: string | null;
  name: string;
  definition: string;
  codes: readonly { text: string; sign: 1 | -1 }[];
}

const gap = { x: 220, y: 120 };
/** Label cards sit in a grid this many columns wide. */
const labelColumns = 8;

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
      x: position?.x ?? 40 + (n % labelColumns) * gap.x,
      y: position?.y ?? 40 + Math.floor(n / labelColumns) * gap.y,
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
  const top = 80 + Math.ceil(doc.getMap(BoardKey.labelCards).size / labelColumns) * gap.y;
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

/** Whether the group's focused-coding attributes were taken into this board already. */
export const reflectTaken = (doc: Y.Doc): boolean => doc.getMap(BoardKey.taken).has('reflectTakenAt');

/**
 * Takes the group's focused-coding attributes into the board, once: a card per attribute as it
 * stands now (name, definition, signed codes), a column per author to the right of the label
 * grid. Later edits of an attribute do not reach the board: it holds what the session started
 * with, and people move, cluster and discuss the cards from there.
 */
export function takeReflectAttributes(doc: Y.Doc, attributes: readonly ReflectAttributeForBoard[], at: number): void {
  if (reflectTaken(doc)) return;
  const cards = doc.getMap(BoardKey.cards);
  const left = 40 + labelColumns * gap.x + 80;
  const columns = [...new Set(attributes.map((a) => a.participantId))];
  const rows = new Map<string | null, number>();
  for (const attribute of attributes) {
    const row = rows.get(attribute.participantId) ?? 0;
    rows.set(attribute.participantId, row + 1);
    const card = newCard({
      kind: CardKind.attribute,
      text: attribute.name,
      definition: attribute.definition,
      reflectAttributeId: attribute.id,
      codes: attribute.codes.map((c) => ({ text: c.text, sign: c.sign })),
      authorId: attribute.participantId ?? 'moderator',
      x: left + columns.indexOf(attribute.participantId) * gap.x,
      y: 40 + row * gap.y,
    });
    cards.set(`reflect-${attribute.id}`, card);
  }
  doc.getMap(BoardKey.taken).set('reflectTakenAt', at);
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
