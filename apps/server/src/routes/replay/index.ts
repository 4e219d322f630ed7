import { staffRoles } from '@calma/core';
import { type Database, listBoardMoments, listSessionEvents } from '@calma/db';
import {
  authErrors,
  BoardAt,
  BoardAtQuery,
  BoardMoments,
  idParams,
  ReplayTimeline,
  type ReplayTimelineEvent,
} from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { access, sessionScope } from '../../plugins/auth.js';
import { boardAt } from './board-at.js';

/**
 * Session replay for moderators and analysts (and the admin): the session's timeline, the board
 * as it stood at any moment, and the moments kept of it, to scrub through.
 */
export const replayRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  /** Resolves once every board update committed so far can be read from the database. */
  settleBoards: () => Promise<void>;
}> = async (app, { db, settleBoards }) => {
  const tags = ['replay'];
  const params = idParams('sessionId');

  app.get(
    '/api/sessions/:sessionId/timeline',
    {
      config: { access: access.session(staffRoles) },
      schema: {
        tags,
        summary: 'The session’s timeline: segment changes, pauses, reveals, submission counts, the end',
        params,
        response: { 200: ReplayTimeline, ...authErrors },
      },
    },
    async (request) => {
      const rows = await listSessionEvents(db, sessionScope(request).session.id);
      return {
        events: rows.map((row) => ({ ...row.data, at: row.at.getTime(), type: row.type }) as ReplayTimelineEvent),
      };
    },
  );

  app.get(
    '/api/sessions/:sessionId/board',
    {
      config: { access: access.session(staffRoles) },
      schema: {
        tags,
        summary: 'The board’s cards and named clusters as they stood at a moment (`?at=` epoch ms)',
        params,
        querystring: BoardAtQuery,
        response: { 200: BoardAt, ...authErrors },
      },
    },
    async (request) => {
      await settleBoards();
      return boardAt(db, sessionScope(request).session.id, Number(request.query.at));
    },
  );

  app.get(
    '/api/sessions/:sessionId/board/moments',
    {
      config: { access: access.session(staffRoles) },
      schema: {
        tags,
        summary: 'When the board was kept for replay (segment changes, every 30 s while it changed, the end)',
        params,
        response: { 200: BoardMoments, ...authErrors },
      },
    },
    async (request) => {
      const rows = await listBoardMoments(db, sessionScope(request).session.id);
      return rows.map((row) => ({ at: row.at.getTime(), reason: row.reason as BoardMoments[number]['reason'] }));
    },
  );
};
