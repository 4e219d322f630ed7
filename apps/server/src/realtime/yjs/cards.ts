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

/** A card as a Y.Map holding `fields`. */
function newCard(fields: Record<string, unknown>): Y.Map<unknown> {
  const card = new Y.Map<unknown>();
  for (const [key, value] of Object.entries(fields)) card.set(key, value);
  return card;
}

/** Author of cards the server adds for material nobody on the board wrote. */
export const systemAuthor = 'system';

/**
 * Adds a card for every label not placed before. `labelCards` remembers placed labels, so a card
 * someone deleted on purpose does not come back when the board is next loaded.
 */
export function placeLabels(doc: Y.Doc, labels: readonly LabelForBoard[]): void {
  const cards = doc.getMap('cards');
  const placed = doc.getMap('labelCards');
  let n = placed.size;
  for (const label of labels) {
    if (placed.has(label.id)) continue;
    const card = newCard({
      kind: 'label',
      text: label.text,
      annotation: label.annotation,
      labelId: label.id,
      interactionId: label.interactionId,
      authorId: label.participantId ?? systemAuthor,
      x: 40 + (n % 8) * gap.x,
      y: 40 + Math.floor(n / 8) * gap.y,
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
