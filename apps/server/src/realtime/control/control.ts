import { ControlBody, Id } from '@calma/protocol';
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { badRequest } from '../../errors.js';
import { loadSessionFor, toSessionAction } from '../../sessions/control-action.js';
import { type ControlContext, type ControlSocket, reply, toErrorBody } from './context.js';

const ControlPayload = TypeCompiler.Compile(Type.Composite([ControlBody, Type.Object({ sessionId: Id })]));

/**
 * `session:control {sessionId, action, …}` (moderators) → ack `{state}` or `{error}`. The same
 * path as the REST control route: the new state is persisted, then broadcast to the room.
 */
export function handleControl(context: ControlContext, socket: ControlSocket): void {
  socket.on('session:control', async (payload, ack) => {
    try {
      if (!ControlPayload.Check(payload)) {
        const first = ControlPayload.Errors(payload).First();
        throw badRequest(`Invalid session:control payload${first ? `: ${first.path || '/'} ${first.message}` : ''}`);
      }
      const session = await loadSessionFor(context.sessions, socket.data.principal, payload.sessionId, ['moderator']);
      const action = await toSessionAction(context.db, session.groupId, payload);
      reply(ack, { state: await context.sessions.control(session.id, action) });
    } catch (err) {
      reply(ack, toErrorBody(err, context.log));
    }
  });
}
