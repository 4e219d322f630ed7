import { axisTurnPrompt, type RubricAxis } from '@calma/core';
import { type Database, findGroup, findSession, findStudy, type JudgeRunRow, type StudyRow } from '@calma/db';
import { type AxisTurnsOptions, axisTurns } from '../alignment/axis-turns.js';
import { visibleInteractions } from '../routes/transcripts/visible.js';
import { judgeableTurns, turnKey } from './turns.js';

/** One assistant turn to score along every axis. */
export interface JudgeItem {
  readonly interactionId: string;
  readonly messageIndex: number;
  readonly prompt: string | null;
  readonly response: string;
}

/** What a run reads before it scores: the study, the axes with their examples, the turns to score. */
export interface RunMaterial {
  readonly study: StudyRow;
  readonly axes: RubricAxis[];
  readonly items: JudgeItem[];
  /** Every turn the group's staff may read, by key: the examples' texts. */
  readonly turns: Map<string, JudgeItem>;
}

/**
 * Reads a run's material. Interactions are read as staff see them (chats masked, never their
 * author's plain text), since the turns may be sent to a model outside the server.
 */
export async function runMaterial(
  db: Database,
  run: Pick<JudgeRunRow, 'sessionId' | 'interactionIds'>,
  cards?: AxisTurnsOptions['cards'],
): Promise<RunMaterial> {
  const session = await findSession(db, run.sessionId);
  if (!session) throw new Error(`session ${run.sessionId} is gone`);
  const group = await findGroup(db, session.groupId);
  const study = group ? await findStudy(db, group.studyId) : undefined;
  if (!study) throw new Error(`the study of session ${run.sessionId} is gone`);
  const [axes, interactions] = await Promise.all([
    // The axes' example turns as rubrics and datasets have them (one rule: `axisTurns`).
    axisTurns(db, session.id, cards ? { cards } : {}),
    visibleInteractions(db, session.groupId, { role: 'analyst' }),
  ]);
  const turns = new Map<string, JudgeItem>();
  for (const interaction of interactions)
    for (const messageIndex of judgeableTurns(interaction))
      turns.set(turnKey(interaction.id, messageIndex), {
        interactionId: interaction.id,
        messageIndex,
        prompt: axisTurnPrompt(interaction.messages, messageIndex),
        response: interaction.messages[messageIndex]?.content ?? '',
      });
  const chosen = run.interactionIds ? new Set(run.interactionIds) : null;
  const items = [...turns.values()].filter((t) => !chosen || chosen.has(t.interactionId));
  return { study, axes: [...(axes?.axes ?? [])], items, turns };
}
