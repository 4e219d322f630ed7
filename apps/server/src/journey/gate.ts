import { interactRefusal, type StageSettings } from '@calma/core';
import { type Database, listJourneyEvents } from '@calma/db';
import { ErrorCode } from '@calma/protocol';
import { conflict } from '../errors.js';
import { orientationOf, studyOfGroup } from './progress.js';

/** Who wants to start a conversation. */
export interface InteractCaller {
  groupId: string;
  participantId: string;
}

/**
 * The Interact gate the chat routes call before creating a conversation: throws 409
 * `STAGE_CLOSED` while the study has not opened Interact, and 409 `CHECK_REQUIRED` while the
 * participant has not passed a required comprehension check. Read from the database each time,
 * so opening a stage or passing the check takes effect at once on every node.
 */
export function interactGate(db: Database): (who: InteractCaller) => Promise<void> {
  return async ({ groupId, participantId }) => {
    const study = await studyOfGroup(db, groupId);
    const orientation = orientationOf(study);
    const refusal = interactRefusal({
      stages: study.stages as StageSettings,
      required: orientation.required,
      questions: orientation.check.questions.length,
      events: await listJourneyEvents(db, participantId),
    });
    if (refusal)
      throw conflict(
        refusal.message,
        refusal.code === 'STAGE_CLOSED' ? ErrorCode.stageClosed : ErrorCode.checkRequired,
      );
  };
}
