import {
  type AxisTurns,
  axisTurnPrompt,
  collectAxisTurns,
  type DatasetTurn,
  type FinalAttributeInput,
} from '@calma/core';
import {
  type Database,
  type FinalAttributeRow,
  findSession,
  type LabelRow,
  listAttributes,
  listFinalAttributes,
  listLabels,
  type SessionRow,
} from '@calma/db';
import type { Card } from '@calma/protocol/board';
import { type VisibleInteraction, visibleInteractions } from '../routes/transcripts/visible.js';

/** A session's axes with their turns, and what they were read from. */
export interface SessionAxisTurns {
  readonly session: SessionRow;
  /** The final attributes, in the moderator's order. */
  readonly finalAttributes: readonly FinalAttributeRow[];
  /** Per final attribute (same order): positive and negative turns, with codes and why. */
  readonly axes: readonly AxisTurns[];
  /**
   * The group's interactions as they may leave it (viewer `others`): unshared chats left out,
   * shared ones masked. Every turn in `axes` and `codedTurns` is quoted from these.
   */
  readonly interactions: ReadonlyMap<string, VisibleInteraction>;
  /** Every assistant turn of those interactions, keyed `interactionId#messageIndex`. */
  readonly turns: ReadonlyMap<string, DatasetTurn>;
  /** The assistant turns that carry at least one code (label), in the group's label order. */
  readonly codedTurns: readonly DatasetTurn[];
  readonly labels: readonly LabelRow[];
}

/** Options of {@link axisTurns}. */
export interface AxisTurnsOptions {
  /**
   * Reads the session's board (cards), for the label → axis and Reflect attribute → axis links
   * the group made there. Without it, or when it fails, only the moderator's links and codes count.
   */
  readonly cards?: (sessionId: string) => Promise<readonly Card[]>;
}

/**
 * The axes of a session with their positive and negative turns (see `collectAxisTurns` in
 * `@calma/core` for the rule), quoted as the turns may leave the group. The one place rubrics,
 * judge runs and datasets read an axis's turns from. Undefined when there is no such session.
 */
export async function axisTurns(
  db: Database,
  sessionId: string,
  options: AxisTurnsOptions = {},
): Promise<SessionAxisTurns | undefined> {
  const session = await findSession(db, sessionId);
  if (!session) return undefined;
  const [finals, labels, reflect, board] = await Promise.all([
    listFinalAttributes(db, session.id),
    listLabels(db, session.groupId),
    listAttributes(db, session.groupId),
    options.cards ? options.cards(session.id).catch(() => [] as readonly Card[]) : Promise.resolve([] as const),
  ]);
  const visible = await visibleInteractions(db, session.groupId, 'others');
  const interactions = new Map(visible.map((i) => [i.id, i]));
  const turns = new Map<string, DatasetTurn>();
  for (const interaction of visible) {
    interaction.messages.forEach((m, messageIndex) => {
      if (m.role === 'assistant' && m.content.trim())
        turns.set(`${interaction.id}#${messageIndex}`, {
          interactionId: interaction.id,
          messageIndex,
          prompt: axisTurnPrompt(interaction.messages, messageIndex),
          response: m.content,
        });
    });
  }
  const coded = new Map<string, DatasetTurn>();
  for (const label of labels) {
    if (!label.interactionId) continue;
    const messages = interactions.get(label.interactionId)?.messages ?? [];
    const index = label.messageIndex ?? messages.findIndex((m) => m.role === 'assistant');
    const key = `${label.interactionId}#${index}`;
    const turn = turns.get(key);
    if (turn && !coded.has(key)) coded.set(key, turn);
  }
  const finalInput: FinalAttributeInput[] = finals.map((f) => ({
    id: f.id,
    name: f.name,
    definition: f.definition,
    exampleInteractionIds: f.exampleInteractionIds,
    sourceLabelIds: f.sourceLabelIds,
  }));
  const axes = collectAxisTurns({
    finalAttributes: finalInput,
    mapping: session.mapping,
    board,
    labels,
    reflectAttributes: reflect,
    interactions,
  });
  return { session, finalAttributes: finals, axes, interactions, turns, codedTurns: [...coded.values()], labels };
}
