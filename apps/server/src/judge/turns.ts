/** The turns a judge run scores, and how they are keyed. */
import type { InteractionRow } from '@calma/db';

/** The key of a turn: `interactionId#messageIndex`. */
export const turnKey = (interactionId: string, messageIndex: number) => `${interactionId}#${messageIndex}`;

/** The interaction's answers worth judging: assistant turns with text that were not cut off or failed. */
export function judgeableTurns(interaction: Pick<InteractionRow, 'messages'>): number[] {
  return interaction.messages.flatMap((m, i) =>
    m.role === 'assistant' && m.content.trim() !== '' && (m.status === undefined || m.status === 'complete') ? [i] : [],
  );
}
