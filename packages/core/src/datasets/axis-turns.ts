import { type BoardLinkCard, boardSourceLabelIds } from '../analysis/export.js';
import { codeKey } from '../coding/codes.js';
import type { RubricAxis, RubricTurn } from '../judge/rubric.js';

/**
 * Why a turn counts for or against an axis:
 * - `moderator-example`: an assistant turn of an interaction the moderator chose as the axis's example;
 * - `source-code`: coded with one of the axis's source labels (any label of the same code, as
 *   agreement compares codes: trimmed, case-insensitive);
 * - `reflect-example`: an example (of that polarity) of a Reflect attribute linked to the axis;
 * - `reflect-code`: coded with a code that counts for (+1) or against (-1) a linked Reflect attribute.
 */
export type AxisTurnSource = 'moderator-example' | 'source-code' | 'reflect-example' | 'reflect-code';

/** A turn tied to an axis, with why. */
export interface AxisTurn extends RubricTurn {
  readonly codes: readonly string[];
  readonly from: readonly AxisTurnSource[];
}

/** An axis with its turns: the shape rubrics, judges and datasets are built from. */
export interface AxisTurns extends RubricAxis {
  readonly positive: readonly AxisTurn[];
  readonly negative: readonly AxisTurn[];
  /** The Reflect attributes linked to the axis (see {@link collectAxisTurns}). */
  readonly reflectAttributeIds: readonly string[];
}

/** A board card as far as it places a segment-1 or Reflect attribute in a cluster. */
export interface AxisBoardCard extends BoardLinkCard {
  readonly reflectAttributeId: string | null;
}

/** What {@link collectAxisTurns} reads. */
export interface AxisTurnsInput {
  /** The session's final attributes, in the moderator's order. */
  readonly finalAttributes: readonly {
    readonly id: string;
    readonly name: string;
    readonly definition: string;
    readonly exampleInteractionIds: readonly string[];
    readonly sourceLabelIds: readonly string[];
  }[];
  /** Segment-1 attribute id → final attribute id (the session's confirmed mapping). */
  readonly mapping: Readonly<Record<string, string | null>>;
  readonly board: readonly AxisBoardCard[];
  /** The group's labels (codes), in the group's order. */
  readonly labels: readonly {
    readonly id: string;
    readonly text: string;
    readonly interactionId: string | null;
    readonly messageIndex: number | null;
  }[];
  /** The group's Reflect (focused-coding) attributes. */
  readonly reflectAttributes: readonly {
    readonly id: string;
    readonly codes: readonly { readonly labelId: string; readonly sign: 1 | -1 }[];
    readonly examples: readonly {
      readonly interactionId: string;
      readonly messageIndex: number;
      readonly polarity: 'positive' | 'negative';
    }[];
  }[];
  /**
   * The interactions that may be quoted, as they may be quoted (masked): a turn of any other
   * interaction is left out, so an unshared chat never becomes an example.
   */
  readonly interactions: ReadonlyMap<
    string,
    { readonly messages: readonly { readonly role: 'user' | 'assistant'; readonly content: string }[] }
  >;
}

type Messages = readonly { readonly role: 'user' | 'assistant'; readonly content: string }[];

/**
 * The question an assistant turn answers: the user messages since the previous answer (several
 * when the person wrote twice before it answered), joined by a blank line; null when there are
 * none. The one rule rubrics, judges and datasets quote a turn's prompt by.
 */
export function axisTurnPrompt(messages: Messages, messageIndex: number): string | null {
  const asked: string[] = [];
  for (let i = messageIndex - 1; i >= 0; i -= 1) {
    const message = messages[i];
    if (!message || message.role === 'assistant') break;
    asked.unshift(message.content);
  }
  return asked.length > 0 ? asked.join('\n\n') : null;
}

/** The assistant turn a label is on: its message, or the first answer when it names none; null for a user message. */
function labelTurn(messages: Messages, messageIndex: number | null): number | null {
  const index = messageIndex ?? messages.findIndex((m) => m.role === 'assistant');
  return index >= 0 && messages[index]?.role === 'assistant' ? index : null;
}

/** Collects turns of one side, merging the same turn's codes and sources, in first-seen order. */
class TurnSet {
  private readonly turns = new Map<string, { turn: RubricTurn; codes: Set<string>; from: Set<AxisTurnSource> }>();

  constructor(private readonly interactions: AxisTurnsInput['interactions']) {}

  add(interactionId: string, messageIndex: number | null, from: AxisTurnSource, code?: string): void {
    const messages = this.interactions.get(interactionId)?.messages;
    if (!messages) return;
    const index = labelTurn(messages, messageIndex);
    if (index === null || !messages[index]?.content.trim()) return;
    const key = `${interactionId}#${index}`;
    let entry = this.turns.get(key);
    if (!entry) {
      entry = {
        turn: {
          interactionId,
          messageIndex: index,
          prompt: axisTurnPrompt(messages, index),
          response: messages[index]?.content ?? '',
        },
        codes: new Set(),
        from: new Set(),
      };
      this.turns.set(key, entry);
    }
    if (code?.trim()) entry.codes.add(code.trim());
    entry.from.add(from);
  }

  list(): AxisTurn[] {
    return [...this.turns.values()].map(({ turn, codes, from }) => ({ ...turn, codes: [...codes], from: [...from] }));
  }
}

/**
 * Each final attribute's positive and negative turns.
 *
 * Source labels are the moderator's when they named any, else the board's (labels in a cluster
 * with a segment-1 attribute mapped to the axis), as the axes export has them.
 *
 * A Reflect attribute is linked to an axis when (a) its card sits in a board cluster that also
 * holds a card of a segment-1 attribute mapped to the axis, or (b) one of the codes counting for
 * it (+1) is one of the axis's source labels' codes. Both links are ones the group made itself;
 * no similarity guess is involved, so the same session always gives the same turns.
 *
 * Positive: the assistant turns of the moderator's example interactions, turns coded with a
 * source label's code, and the linked attributes' positive examples and turns coded with their +1
 * codes. Negative: the linked attributes' negative examples and turns coded with their −1 codes.
 * A turn may be on both sides (people disagreed); it is kept on both.
 */
export function collectAxisTurns(input: AxisTurnsInput): AxisTurns[] {
  const labelsById = new Map(input.labels.map((l) => [l.id, l]));
  const labelsByKey = new Map<string, AxisTurnsInput['labels'][number][]>();
  for (const label of input.labels) {
    const key = codeKey(label.text);
    if (key) labelsByKey.set(key, [...(labelsByKey.get(key) ?? []), label]);
  }
  const byBoard = boardSourceLabelIds(input.mapping, input.board);
  // Clusters holding a segment-1 attribute mapped to each axis, and the Reflect attributes per cluster.
  const axisClusters = new Map<string, Set<string>>();
  const reflectInCluster = new Map<string, Set<string>>();
  for (const card of input.board) {
    if (card.kind !== 'attribute' || card.clusterId === null) continue;
    const cluster = String(card.clusterId);
    if (card.segment1AttributeId !== null) {
      const target = Object.hasOwn(input.mapping, card.segment1AttributeId)
        ? input.mapping[card.segment1AttributeId]
        : undefined;
      if (typeof target === 'string') axisClusters.set(target, (axisClusters.get(target) ?? new Set()).add(cluster));
    }
    if (card.reflectAttributeId !== null)
      reflectInCluster.set(cluster, (reflectInCluster.get(cluster) ?? new Set()).add(card.reflectAttributeId));
  }

  const turnsOfCode = (key: string) => labelsByKey.get(key) ?? [];
  return input.finalAttributes.map((axis) => {
    const named = axis.sourceLabelIds.filter((id) => labelsById.has(id));
    const sourceIds =
      named.length > 0 ? named : input.labels.map((l) => l.id).filter((id) => byBoard.get(axis.id)?.has(id));
    const sourceKeys = new Set(sourceIds.map((id) => codeKey(labelsById.get(id)?.text ?? '')).filter(Boolean));
    const inClusters = new Set(
      [...(axisClusters.get(axis.id) ?? [])].flatMap((cluster) => [...(reflectInCluster.get(cluster) ?? [])]),
    );
    const linked = input.reflectAttributes.filter(
      (attribute) =>
        inClusters.has(attribute.id) ||
        attribute.codes.some((c) => c.sign === 1 && sourceKeys.has(codeKey(labelsById.get(c.labelId)?.text ?? ''))),
    );

    const positive = new TurnSet(input.interactions);
    const negative = new TurnSet(input.interactions);
    for (const interactionId of axis.exampleInteractionIds) {
      const messages = input.interactions.get(interactionId)?.messages ?? [];
      messages.forEach((m, i) => {
        if (m.role === 'assistant') positive.add(interactionId, i, 'moderator-example');
      });
    }
    for (const key of sourceKeys)
      for (const label of turnsOfCode(key))
        if (label.interactionId) positive.add(label.interactionId, label.messageIndex, 'source-code', label.text);
    for (const attribute of linked) {
      for (const example of attribute.examples)
        (example.polarity === 'positive' ? positive : negative).add(
          example.interactionId,
          example.messageIndex,
          'reflect-example',
        );
      const seenKeys = new Set<string>();
      for (const code of attribute.codes) {
        const key = codeKey(labelsById.get(code.labelId)?.text ?? '');
        if (!key || seenKeys.has(`${code.sign}${key}`)) continue;
        seenKeys.add(`${code.sign}${key}`);
        for (const label of turnsOfCode(key))
          if (label.interactionId)
            (code.sign === 1 ? positive : negative).add(
              label.interactionId,
              label.messageIndex,
              'reflect-code',
              label.text,
            );
      }
    }
    return {
      id: axis.id,
      name: axis.name,
      definition: axis.definition,
      positive: positive.list(),
      negative: negative.list(),
      reflectAttributeIds: linked.map((a) => a.id),
    };
  });
}
