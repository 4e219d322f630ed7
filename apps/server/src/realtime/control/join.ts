import { memberRoles } from '@calma/core';
import { Id } from '@calma/protocol';
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { badRequest } from '../../errors.js';
import { authorizeSession } from '../../plugins/auth.js';
import { type ControlContext, type ControlSocket, reply, sessionRoom, toErrorBody } from './context.js';

const JoinPayload = TypeCompiler.Compile(Type.Object({ sessionId: Id }));

/**
 * `session:join {sessionId}` → ack `{state, submitted}`: a group member joins the session's room
 * and gets the current state at once (clocks resolved now) and how many have submitted segments 1
 * and 5 (counts, never content), which is also how a reconnecting or reloaded client catches up.
 */
export function handleJoin(context: ControlContext, socket: ControlSocket): void {
  socket.on('session:join', async (payload, ack) => {
    try {
      if (!JoinPayload.Check(payload)) throw badRequest('session:join needs {sessionId}');
      const session = await authorizeSession(context.sessions, socket.data.principal, payload.sessionId, memberRoles);
      // Counted after joining the room: a submission made meanwhile is either in these counts or
      // announced to this socket, never lost between the two.
      await socket.join(sessionRoom(session.id));
      const submitted = await context.sessions.submittedCounts(session.id);
      reply(ack, { state: context.sessions.view(session.state), submitted });
    } catch (err) {
      reply(ack, toErrorBody(err, context.log));
    }
  });

  socket.on('session:leave', async (payload, ack) => {
    if (!JoinPayload.Check(payload))
      return reply(ack, toErrorBody(badRequest('session:leave needs {sessionId}'), context.log));
    await socket.leave(sessionRoom(payload.sessionId));
    reply(ack, { ok: true as const });
  });
}
