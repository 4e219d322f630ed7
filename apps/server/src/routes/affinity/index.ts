import type { Database } from '@calma/db';
import { AffinityMapBody, AffinityMapResponse, authErrors, ErrorBody, GroupSummary, idParams } from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AffinityService } from '../../affinity/service.js';
import { requireGroupAccess } from '../../plugins/auth.js';
import { loadSessionFor } from '../../sessions/control-action.js';
import type { SessionService } from '../../sessions/service.js';
import { loadGroup } from '../groups/index.js';

const members = ['moderator', 'analyst', 'participant'] as const;

/** The affinity map of a session's board, and a group's summary (word cloud and topics). */
export const affinityRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  sessions: SessionService;
  affinity: AffinityService;
}> = async (app, { db, sessions, affinity }) => {
  const tags = ['affinity map'];

  app.post(
    '/api/sessions/:sessionId/affinity-map',
    {
      config: { roles: ['moderator'] },
      schema: {
        tags,
        summary:
          "Lay out the board's label and attribute cards by meaning (embeddings + UMAP) and write the positions into the board",
        description:
          'Progress goes to the session room as `affinity-map:progress`; the layout runs off the event loop. ' +
          'Positions and suggested clusters are suggestions: people move cards freely afterwards. ' +
          'A label added later is placed near its nearest neighbours without refitting.',
        params: idParams('sessionId'),
        body: AffinityMapBody,
        response: { 200: AffinityMapResponse, ...authErrors, 409: ErrorBody, 413: ErrorBody },
      },
    },
    async (request) => {
      const session = await loadSessionFor(sessions, await request.principal(), request.params.sessionId, [
        'moderator',
      ]);
      return affinity.computeMap(session.id, request.body ?? {});
    },
  );

  app.get(
    '/api/sessions/:sessionId/affinity-map',
    {
      config: { roles: members },
      schema: {
        tags,
        summary: "The session's latest affinity map (404 before the first)",
        params: idParams('sessionId'),
        response: { 200: AffinityMapResponse, ...authErrors },
      },
    },
    async (request) => {
      const session = await loadSessionFor(sessions, await request.principal(), request.params.sessionId, members);
      return affinity.latestMap(session.id);
    },
  );

  app.get(
    '/api/groups/:groupId/summary',
    {
      config: { roles: members },
      schema: {
        tags,
        summary: "A group's summary: word cloud of its labels and the topics it explored",
        params: idParams('groupId'),
        response: { 200: GroupSummary, ...authErrors },
      },
    },
    async (request) => {
      const principal = await request.principal();
      const group = await loadGroup(db, request.params.groupId);
      requireGroupAccess(principal, group.id, members);
      return affinity.summary(group.id);
    },
  );
};
