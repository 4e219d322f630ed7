import type { CalmaExport } from '@calma/core';
import type { InteractionRow, LabelRow } from '@calma/db';
import type { VisibleInteraction } from '../transcripts/visible.js';

/**
 * The labels of the exported interactions, with spans that still point at the same words. A
 * shared chat is exported masked, and masking changes lengths: a span of a message that masking
 * changed moves to where its words now are (the occurrence nearest the original offset), or,
 * when masking touched the words themselves, the label covers the whole turn instead.
 */
export function exportLabels(
  rows: LabelRow[],
  interactions: VisibleInteraction[],
  originals: InteractionRow[],
): CalmaExport['labels'] {
  const originalById = new Map(originals.map((i) => [i.id, i]));
  const byId = new Map(interactions.map((i) => [i.id, i]));
  return rows.flatMap((label) => {
    const interaction = label.interactionId === null ? undefined : byId.get(label.interactionId);
    if (!interaction) return [];
    const hasSpan = label.spanStart !== null && label.spanEnd !== null && label.messageIndex !== null;
    let span = hasSpan ? { start: label.spanStart as number, end: label.spanEnd as number } : null;
    const message = label.messageIndex === null ? undefined : interaction.messages[label.messageIndex];
    const original = originalById.get(interaction.id)?.messages[label.messageIndex ?? -1]?.content;
    // Offsets were taken on the stored text: a span past it (the turn was edited since) is
    // dropped to the whole turn, and a masked turn's span moves with its words.
    if (span && (!message || original === undefined || span.end > original.length)) span = null;
    if (span && message && interaction.masked) span = remap(span, message.content, original);
    return [
      {
        id: label.id,
        text: label.text,
        annotation: label.annotation,
        participantId: label.participantId,
        interactionId: label.interactionId,
        messageIndex: message ? label.messageIndex : null,
        span,
        createdAt: label.createdAt.toISOString(),
      },
    ];
  });
}

function remap(
  span: { start: number; end: number },
  masked: string,
  original: string | undefined,
): { start: number; end: number } | null {
  if (original === undefined || original === masked) return span;
  const words = original.slice(span.start, span.end);
  let best = -1;
  for (let at = masked.indexOf(words); at !== -1; at = masked.indexOf(words, at + 1)) {
    if (best === -1 || Math.abs(at - span.start) < Math.abs(best - span.start)) best = at;
  }
  return best === -1 ? null : { start: best, end: best + words.length };
}
