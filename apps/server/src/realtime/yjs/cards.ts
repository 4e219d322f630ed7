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
function newCard(fields: Record<string, unknown>): Y.Map<unknown> {
  const card = new Y.Map<unknown>();
  for (const [key, value] of Object.entries(fields)) card.set(key, value);
  return card;
}

/** Author of cards the server adds for material nobody on the board wrote. */
export const systemAuthor = 'system';

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
  const cards = doc.getMap('cards');
  const placed = doc.getMap('labelCards');
  let n = placed.size;
  for (const label of labels) {
    if (placed.has(label.id)) continue;
    const position = positions?.get(label.id);
    const card = newCard({
      kind: 'label',
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
  const cards = doc.getMap('cards');
  const placed = doc.getMap('attributeCards');
  const top = 80 + Math.ceil(doc.getMap('labelCards').size / 8) * gap.y;
  const columns = [...new Set(attributes.map((a) => a.participantId))];
  for (const attribute of attributes) {
    if (placed.has(attribute.id)) continue;
    const card = newCard({
      kind: 'attribute',
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

/** A card as the affinity map reads it. */
export interface BoardCard {
  cardId: string;
  kind: string;
  text: string;
  /** A label's annotation or an attribute's definition. */
  detail: string | null;
  labelId?: string;
  segment1AttributeId?: string;
  x: number;
  y: number;
  clusterId: number | null;
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** The cards of a board (those with text), as they are now. */
export function readCards(doc: Y.Doc): BoardCard[] {
  const out: BoardCard[] = [];
  for (const [cardId, value] of doc.getMap('cards').entries()) {
    if (!(value instanceof Y.Map)) continue;
    const text = str(value.get('text'));
    const kind = str(value.get('kind'));
    if (!text || !kind) continue;
    const labelId = str(value.get('labelId'));
    const segment1AttributeId = str(value.get('segment1AttributeId'));
    out.push({
      cardId,
      kind,
      text,
      detail: str(value.get(kind === 'label' ? 'annotation' : 'definition')),
      ...(labelId ? { labelId } : {}),
      ...(segment1AttributeId ? { segment1AttributeId } : {}),
      x: num(value.get('x')) ?? 0,
      y: num(value.get('y')) ?? 0,
      clusterId: num(value.get('clusterId')),
    });
  }
  return out;
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
  const cards = doc.getMap('cards');
  for (const point of points) {
    const card = cards.get(point.cardId);
    if (!(card instanceof Y.Map)) continue;
    card.set('x', point.x);
    card.set('y', point.y);
    card.set('clusterId', point.clusterId);
  }
  const named = doc.getMap('clusters');
  for (const [key, value] of [...named.entries()]) {
    const suggested =
      value instanceof Y.Map ? value.get('suggested') : (value as { suggested?: unknown } | null)?.suggested;
    if (suggested === true) named.delete(key);
  }
  for (const cluster of clusters)
    named.set(String(cluster.id), { name: cluster.name, size: cluster.size, suggested: true });
}
