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
import { requireGroupAccess } from '../../plugins/auth.js';
import { loadSessionFor, toSessionAction } from '../../sessions/control-action.js';
import type { SessionService } from '../../sessions/service.js';
import { loadGroup } from '../groups/index.js';

const members = ['moderator', 'analyst', 'participant'] as const;

/** Creating, reading and steering Discuss sessions. */
export const sessionRoutes: FastifyPluginAsyncTypebox<{ db: Database; sessions: SessionService }> = async (
  app,
  { db, sessions },
) => {
  const tags = ['sessions'];

  app.post(
    '/api/groups/:groupId/sessions',
    {
      config: { roles: ['moderator'] },
      schema: {
        tags,
        summary: 'Create a Discuss session (segment 0, pending)',
        params: idParams('groupId'),
        response: { 201: CreatedSession, ...authErrors },
      },
    },
    async (request, reply) => {
      const principal = await request.principal();
      const group = await loadGroup(db, request.params.groupId);
      requireGroupAccess(principal, group.id, ['moderator']);
      const session = await sessions.create(group.id);
      return reply.status(201).send({ id: session.id, groupId: group.id, state: sessions.view(session.state) });
    },
  );

  app.get(
    '/api/groups/:groupId/sessions',
    {
      config: { roles: members },
      schema: {
        tags,
        summary: "A group's sessions",
        params: idParams('groupId'),
        response: { 200: SessionList, ...authErrors },
      },
    },
    async (request) => {
      const principal = await request.principal();
      const group = await loadGroup(db, request.params.groupId);
      requireGroupAccess(principal, group.id, members);
      const list = await sessions.list(group.id);
      return { sessions: list.map((s) => ({ id: s.id, groupId: s.groupId, state: sessions.view(s.state) })) };
    },
  );

  app.get(
    '/api/sessions/:sessionId',
    {
      config: { roles: members },
      schema: {
        tags,
        summary: 'A session and its state (clocks resolved now; serverNow for skew)',
        params: idParams('sessionId'),
        response: { 200: Session, ...authErrors },
      },
    },
    async (request) => {
      const session = await loadSessionFor(sessions, await request.principal(), request.params.sessionId, members);
      return { id: session.id, groupId: session.groupId, state: sessions.view(session.state) };
    },
  );

  app.post(
    '/api/sessions/:sessionId/control',
    {
      config: { roles: ['moderator'] },
      schema: {
        tags,
        summary: 'Moderator control: start, pause, resume, extend, advance, reveal, end (and board, speakers)',
        params: idParams('sessionId'),
        body: ControlBody,
        response: { 200: ControlResponse, ...authErrors, 409: ErrorBody },
      },
    },
    async (request) => {
      const session = await loadSessionFor(sessions, await request.principal(), request.params.sessionId, [
        'moderator',
      ]);
      const action = await toSessionAction(db, session.groupId, request.body);
      return { state: await sessions.control(session.id, action) };
    },
  );
};
