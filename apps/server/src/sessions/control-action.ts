import type { Principal, Segment, SessionAction } from '@calma/core';
import { type Database, listParticipants } from '@calma/db';
import { type ControlBody, ErrorCode } from '@calma/protocol';
import { badRequest } from '../errors.js';
import { requireGroupAccess } from '../plugins/auth.js';
import type { LoadedSession, SessionService } from './service.js';

const need = <T>(value: T | undefined, field: string, action: string): T => {
  if (value === undefined) throw badRequest(`${action} needs ${field}`);
  return value;
};

/**
 * Turns a validated control body (REST or socket.io) into core's action, checking what the
 * schema cannot: the fields each action needs, and that speakers belong to the group.
 */
export async function toSessionAction(db: Database, groupId: string, body: ControlBody): Promise<SessionAction> {
  switch (body.action) {
    case 'start':
      return {
        type: 'start',
        segment: need(body.segment, 'segment', 'start') as Segment,
        durationMs: need(body.durationMs, 'durationMs', 'start'),
      };
    case 'extend':
      return { type: 'extend', durationMs: need(body.durationMs, 'durationMs', 'extend') };
    case 'advance':
      return { type: 'advance', durationMs: body.durationMs };
    case 'reveal':
      return { type: 'reveal', segment: need(body.segment, 'segment', 'reveal') as Segment };
    case 'set-speakers': {
      const participantIds = need(body.participantIds, 'participantIds', 'set-speakers');
      const members = new Set((await listParticipants(db, groupId)).map((p) => p.id));
      const stranger = participantIds.find((id) => !members.has(id));
      if (stranger) throw badRequest(`${stranger} is not a participant of this group`, ErrorCode.invalidReference);
      return { type: 'set-speakers', participantIds, turnMs: body.turnMs ?? 120_000 };
    }
    case 'pause':
    case 'resume':
    case 'end':
    case 'lock-board':
    case 'unlock-board':
    case 'next-speaker':
      return { type: body.action };
    default:
      throw badRequest(`Unknown action ${body.action}`);
  }
}

/** Loads a session (404) and checks the principal may act on its group with one of `roles` (403). */
export async function loadSessionFor(
  sessions: SessionService,
  principal: Principal,
  sessionId: string,
  roles: Parameters<typeof requireGroupAccess>[2],
): Promise<LoadedSession> {
  const session = await sessions.get(sessionId);
  requireGroupAccess(principal, session.groupId, roles);
  return session;
}
