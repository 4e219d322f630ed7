/**
 * STAND-IN, to be swapped at merge: each axis's positive and negative turns, as the judge runs need
 * them. The rubrics work (branch i15-rubrics) builds the shared version of this; until then this
 * small one is used, with the same output shape as core's `RubricAxis`, so swapping it is a change
 * of import in `runner.ts` only.
 *
 * - Positive: the first complete answer of each interaction the moderator chose as an example
 *   (`exampleInteractionIds`), and every turn coded with one of the axis's source codes (the labels
 *   in `sourceLabelIds`, spellings merged as agreement merges them: trimmed, case-insensitive).
 * - Negative: the group's Reflect attributes linked to the axis — same name, or a code counting for
 *   it (sign +1) that is one of the axis's source labels — give their codes counting against (sign
 *   −1): every turn coded with one of those, and their examples marked negative.
 */
import { codeKey, type RubricAxis, type RubricTurn } from '@calma/core';
import type { AttributeRow, FinalAttributeRow, InteractionRow, LabelRow } from '@calma/db';

/** The key of a turn: `interactionId#messageIndex`. */
export const turnKey = (interactionId: string, messageIndex: number) => `${interactionId}#${messageIndex}`;

/** The question before an assistant turn: the user messages since the previous answer. */
export function promptBefore(interaction: Pick<InteractionRow, 'messages'>, messageIndex: number): string | null {
  const asked: string[] = [];
  for (let i = messageIndex - 1; i >= 0; i--) {
    const message = interaction.messages[i];
    if (!message || message.role === 'assistant') break;
    asked.unshift(message.content);
  }
  return asked.length > 0 ? asked.join('\n\n') : null;
}

/** The interaction's answers worth judging: assistant turns with text that were not cut off or failed. */
export function judgeableTurns(interaction: Pick<InteractionRow, 'messages'>): number[] {
  return interaction.messages.flatMap((m, i) =>
    m.role === 'assistant' && m.content.trim() !== '' && (m.status === undefined || m.status === 'complete') ? [i] : [],
  );
}

const sameName = (a: string, b: string) =>
  a.replace(/\s+/g, ' ').trim().toLowerCase() === b.replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * The axes of a session with their example turns. `interactions` are those the caller may quote
 * (turns of others are left out); `labels` and `attributes` are the group's.
 */
export function axisExamples(
  finals: readonly FinalAttributeRow[],
  interactions: readonly InteractionRow[],
  labels: readonly LabelRow[],
  attributes: readonly AttributeRow[],
): RubricAxis[] {
  const byId = new Map(interactions.map((i) => [i.id, i]));
  const labelById = new Map(labels.map((l) => [l.id, l]));
  /** The turn a label codes: its message, or the first answer when it names none. */
  const turnOf = (
    interactionId: string | null,
    messageIndex: number | null,
    codes: string[] = [],
  ): RubricTurn | null => {
    const interaction = interactionId ? byId.get(interactionId) : undefined;
    if (!interaction) return null;
    // Only answers worth judging: a cut-off or failed answer is not the model's word.
    const judgeable = judgeableTurns(interaction);
    const index = messageIndex ?? judgeable[0];
    if (index === undefined || !judgeable.includes(index)) return null;
    const message = interaction.messages[index] as InteractionRow['messages'][number];
    return {
      interactionId: interaction.id,
      messageIndex: index,
      prompt: promptBefore(interaction, index),
      response: message.content,
      codes,
    };
  };
  /** Every turn coded with one of the codes (label texts) given. */
  const turnsCoded = (texts: Iterable<string>): RubricTurn[] => {
    const keys = new Set([...texts].map(codeKey));
    return labels.flatMap((l) => {
      if (!keys.has(codeKey(l.text))) return [];
      const turn = turnOf(l.interactionId, l.messageIndex, [l.text]);
      return turn ? [turn] : [];
    });
  };
  const unique = (turns: RubricTurn[]) => {
    const seen = new Set<string>();
    return turns.filter((t) => {
      const key = turnKey(t.interactionId, t.messageIndex);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  };

  return finals.map((final) => {
    const sourceIds = new Set(final.sourceLabelIds);
    const sourceTexts = final.sourceLabelIds.flatMap((id) => {
      const label = labelById.get(id);
      return label ? [label.text] : [];
    });
    const chosen = final.exampleInteractionIds.flatMap((id) => {
      const turn = turnOf(id, null);
      return turn ? [turn] : [];
    });
    const linked = attributes.filter(
      (a) => sameName(a.name, final.name) || a.codes.some((c) => c.sign === 1 && sourceIds.has(c.labelId)),
    );
    const againstTexts = linked.flatMap((a) =>
      a.codes.flatMap((c) => {
        const label = c.sign === -1 ? labelById.get(c.labelId) : undefined;
        return label ? [label.text] : [];
      }),
    );
    const againstExamples = linked.flatMap((a) =>
      a.examples.flatMap((e) => {
        const turn = e.polarity === 'negative' ? turnOf(e.interactionId, e.messageIndex) : null;
        return turn ? [turn] : [];
      }),
    );
    return {
      id: final.id,
      name: final.name,
      definition: final.definition,
      positive: unique([...chosen, ...turnsCoded(sourceTexts)]),
      negative: unique([...turnsCoded(againstTexts), ...againstExamples]),
    };
  });
}
