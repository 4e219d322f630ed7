import { type Card, CardKind, type SignedCode, systemAuthor } from '@calma/protocol/board';
import type { InteractionList, LabelList } from '../../lib/contract';

type Interaction = InteractionList['interactions'][number];
type Label = LabelList['labels'][number];

/** Who wrote something on the board, as the popover says it. */
export type Author =
  | { readonly type: 'person'; readonly name: string }
  | { readonly type: 'moderator' }
  /** Material of the study (the seeded pilot labels): no one on the board wrote it. */
  | { readonly type: 'study' }
  | { readonly type: 'unknown' };

/** Everything a card's popover shows, read from the card and what the page has loaded. */
export type CardInfo =
  | {
      readonly type: 'label';
      readonly text: string;
      readonly annotation: string | null;
      readonly author: Author;
      readonly stage: 'initial' | 'focused' | null;
      /** The interaction the label is about, numbered as the group's list numbers it (from 1). */
      readonly interaction: {
        readonly number: number;
        readonly baseline: boolean;
        /** The person's turns that led to the response (empty when only the response was recorded). */
        readonly prompt: readonly string[];
        /** The whole response the label is about. */
        readonly response: string;
      } | null;
      /** The card names an interaction the list does not hold (yet). */
      readonly interactionMissing: boolean;
    }
  | {
      readonly type: 'attribute';
      readonly text: string;
      readonly definition: string | null;
      readonly rank: number | null;
      readonly author: Author;
      /** A focused-coding attribute's codes, for and against (null: a segment-1 attribute). */
      readonly codes: readonly SignedCode[] | null;
    }
  | {
      readonly type: 'note';
      readonly text: string;
      readonly author: Author;
      /** The text of the card a comment is about (null: a note, or a card since removed). */
      readonly commentOn: string | null;
      readonly isComment: boolean;
    };

export interface CardContext {
  readonly cards: readonly Card[];
  readonly interactions: readonly Interaction[];
  readonly labels: readonly Label[];
  /** Participant id → display name. */
  readonly names: Readonly<Record<string, string>>;
}

export function authorOf(authorId: string | null, names: Readonly<Record<string, string>>): Author {
  if (!authorId) return { type: 'unknown' };
  if (authorId === systemAuthor) return { type: 'study' };
  if (authorId === 'moderator' || authorId === 'admin') return { type: 'moderator' };
  const name = names[authorId];
  return name ? { type: 'person', name } : { type: 'unknown' };
}

/**
 * The response a label is about and the prompt before it: the message at `messageIndex` when the
 * label names one (and it is the model's), else the interaction's last model message; the prompt
 * is the person's turns since the model's previous answer.
 */
export function promptAndResponse(
  interaction: Interaction,
  messageIndex: number | null,
): { prompt: string[]; response: string } {
  const { messages } = interaction;
  let at = messageIndex !== null && messages[messageIndex]?.role === 'assistant' ? messageIndex : -1;
  if (at < 0) at = messages.map((m) => m.role).lastIndexOf('assistant');
  if (at < 0) return { prompt: messages.map((m) => m.content), response: '' };
  const prompt: string[] = [];
  for (let i = at - 1; i >= 0 && messages[i]?.role === 'user'; i -= 1) prompt.unshift(messages[i]?.content ?? '');
  return { prompt, response: messages[at]?.content ?? '' };
}

/** What the popover of `card` shows. */
export function cardInfo(card: Card, context: CardContext): CardInfo {
  if (card.kind === CardKind.label) {
    const label = card.labelId ? context.labels.find((l) => l.id === card.labelId) : undefined;
    const interactionId = card.interactionId ?? label?.interactionId ?? null;
    const index = interactionId ? context.interactions.findIndex((i) => i.id === interactionId) : -1;
    const interaction = context.interactions[index];
    const authorId = label?.participantId ?? card.authorId;
    return {
      type: 'label',
      text: card.text,
      annotation: card.annotation ?? label?.annotation ?? null,
      author: authorOf(authorId, context.names),
      stage: label?.stage ?? null,
      interaction: interaction
        ? {
            number: index + 1,
            baseline: interaction.baseline,
            ...promptAndResponse(interaction, label?.messageIndex ?? null),
          }
        : null,
      interactionMissing: interactionId !== null && !interaction,
    };
  }
  if (card.kind === CardKind.attribute) {
    return {
      type: 'attribute',
      text: card.text,
      definition: card.definition,
      rank: card.rank,
      author: authorOf(card.authorId, context.names),
      codes: card.reflectAttributeId ? (card.codes ?? []) : null,
    };
  }
  const target = card.commentOn ? context.cards.find((c) => c.id === card.commentOn) : undefined;
  return {
    type: 'note',
    text: card.text,
    author: authorOf(card.authorId, context.names),
    commentOn: target?.text ?? null,
    isComment: card.commentOn !== null,
  };
}
