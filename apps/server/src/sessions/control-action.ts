import type { SessionAction } from '@calma/core';
import { type Database, listParticipants } from '@calma/db';
import { type ControlBody, ErrorCode } from '@calma/protocol';
import { badRequest } from '../errors.js';

/**
 * Turns a validated control body (REST or socket.io) into core's action, checking what the
 * schema cannot: that speakers belong to the group. The body's shape per action is the schema's.
 */
export async function toSessionAction(db: Database, groupId: string, body: ControlBody): Promise<SessionAction> {
  switch (body.action) {
    case 'start':
      return { type: 'start', segment: body.segment, durationMs: body.durationMs };
    case 'extend':
      return { type: 'extend', durationMs: body.durationMs };
    case 'advance':
      return { type: 'advance', durationMs: body.durationMs };
    case 'reveal':
      return { type: 'reveal', segment: body.segment };
    case 'set-speakers': {
      const members = new Set((await listParticipants(db, groupId)).map((p) => p.id));
      const stranger = body.participantIds.find((id) => !members.has(id));
      if (stranger) throw badRequest(`${stranger} is not a participant of this group`, ErrorCode.invalidReference);
      return { type: 'set-speakers', participantIds: body.participantIds, turnMs: body.turnMs ?? 120_000 };
    }
    case 'pause':
    case 'resume':
    case 'end':
    case 'lock-board':
    case 'unlock-board':
    case 'next-speaker':
    case 'previous-speaker':
      return { type: body.action };
  }
}
