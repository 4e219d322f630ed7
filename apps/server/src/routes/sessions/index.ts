import { memberRoles } from '@calma/core';
import type { Database } from '@calma/db';
import {
  authErrors,
  ControlBody,
  ControlResponse,
  CreatedSession,
  ErrorBody,
  idParams,
  Session,
  SessionList,
} from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { access, groupScope, sessionScope } from '../../plugins/auth.js';
import { toSessionAction } from '../../sessions/control-action.js';
import type { SessionService } from '../../sessions/service.js';

/** Creating, reading and steering Discuss sessions. */
export const sessionRoutes: FastifyPluginAsyncTypebox<{ db: Database; sessions: SessionService }> = async (
  app,
  { db, sessions },
) => {
  const tags = ['sessions'];

  app.post(
    '/api/groups/:groupId/sessions',
    {
      config: { access: access.group(['moderator']) },
      schema: {
        tags,
        summary: 'Create a Discuss session (segment 0, pending)',
        params: idParams('groupId'),
        response: { 201: CreatedSession, ...authErrors },
      },
    },
    async (request, reply) => {
      const { group } = groupScope(request);
      const session = await sessions.create(group.id);
      return reply.status(201).send({ id: session.id, groupId: group.id, state: sessions.view(session.state) });
    },
  );

  app.get(
    '/api/groups/:groupId/sessions',
    {
      config: { access: access.group(memberRoles) },
      schema: {
        tags,
        summary: "A group's sessions",
        params: idParams('groupId'),
        response: { 200: SessionList, ...authErrors },
      },
    },
    async (request) => {
      const list = await sessions.list(groupScope(request).group.id);
      return { sessions: list.map((s) => ({ id: s.id, groupId: s.groupId, state: sessions.view(s.state) })) };
    },
  );

  app.get(
    '/api/sessions/:sessionId',
    {
      config: { access: access.session(memberRoles) },
      schema: {
        tags,
        summary: 'A session and its state (clocks resolved now; serverNow for skew)',
        params: idParams('sessionId'),
        response: { 200: Session, ...authErrors },
      },
    },
    async (request) => {
      const { session } = sessionScope(request);
      return { id: session.id, groupId: session.groupId, state: sessions.view(session.state) };
    },
  );

  app.post(
    '/api/sessions/:sessionId/control',
    {
      config: { access: access.session(['moderator']) },
      schema: {
        tags,
        summary:
          'Moderator control: start, pause, resume, extend, advance, reveal, end (and board, speakers); 409 STALE_REVISION when `revision` is out of date',
        params: idParams('sessionId'),
        body: ControlBody,
        response: { 200: ControlResponse, ...authErrors, 409: ErrorBody },
      },
    },
    async (request) => {
      const { session } = sessionScope(request);
      const action = await toSessionAction(db, session.groupId, request.body);
      return { state: await sessions.control(session.id, action, request.body.revision, session) };
    },
  );
};
