import { ControlActions, type ControlBody, Id } from '@calma/protocol';
import type { TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { badRequest } from '../../errors.js';
import { authorizeSession } from '../../plugins/auth.js';
import { toSessionAction } from '../../sessions/control-action.js';
import { type ControlContext, type ControlSocket, reply, toErrorBody } from './context.js';

const SessionId = TypeCompiler.Compile(Id);
/** One compiled check per action, so a bad payload is told what its own action lacks. */
const actionChecks = new Map<unknown, TypeCheck<TSchema>>(
  ControlActions.map((member) => [member.properties.action.const, TypeCompiler.Compile(member)]),
);

/** Checks a `session:control` payload; throws 400 saying what is wrong. */
function checkPayload(payload: unknown): ControlBody & { sessionId: string } {
  const { sessionId, action } = (payload ?? {}) as { sessionId?: unknown; action?: unknown };
  if (!SessionId.Check(sessionId)) throw badRequest('Invalid session:control payload: sessionId must be an id');
  const check = actionChecks.get(action);
  if (!check)
    throw badRequest(`Invalid session:control payload: action must be one of ${[...actionChecks.keys()].join(', ')}`);
  if (!check.Check(payload)) {
    const first = check.Errors(payload).First();
    throw badRequest(`Invalid session:control payload${first ? `: ${first.path || '/'} ${first.message}` : ''}`);
  }
  return payload as ControlBody & { sessionId: string };
}

/**
 * `session:control {sessionId, action, …}` (moderators) → ack `{state}` or `{error}`. The same
 * path as the REST control route: the new state is persisted, then broadcast to the room.
 */
export function handleControl(context: ControlContext, socket: ControlSocket): void {
  socket.on('session:control', async (payload, ack) => {
    try {
      const body = checkPayload(payload);
      // As this node last saw it: `control` checks the state against the row as it writes it.
      const session = await authorizeSession(
        { get: (id) => context.sessions.lastKnown(id) },
        socket.data.principal,
        body.sessionId,
        ['moderator'],
      );
      const action = await toSessionAction(context.db, session.groupId, body);
      reply(ack, { state: await context.sessions.control(session.id, action, body.revision, session) });
    } catch (err) {
      reply(ack, toErrorBody(err, context.log));
    }
  });
}
