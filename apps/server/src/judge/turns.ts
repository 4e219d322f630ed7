/** The turns a judge run scores, and how they are keyed. */
import type { InteractionRow } from '@calma/db';

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
