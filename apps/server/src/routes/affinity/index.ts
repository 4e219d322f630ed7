import { memberRoles } from '@calma/core';
import { AffinityMapBody, AffinityMapResponse, authErrors, ErrorBody, GroupSummary, idParams } from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AffinityService } from '../../affinity/service.js';
import { access, groupScope, sessionScope } from '../../plugins/auth.js';

/** The affinity map of a session's board, and a group's summary (word cloud and topics). */
export const affinityRoutes: FastifyPluginAsyncTypebox<{ affinity: AffinityService }> = async (app, { affinity }) => {
  const tags = ['affinity map'];

  app.post(
    '/api/sessions/:sessionId/affinity-map',
    {
      config: { access: access.session(['moderator']) },
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
      return affinity.computeMap(sessionScope(request).session.id, request.body ?? {});
    },
  );

  app.get(
    '/api/sessions/:sessionId/affinity-map',
    {
      config: { access: access.session(memberRoles) },
      schema: {
        tags,
        summary: "The session's latest affinity map (404 before the first)",
        params: idParams('sessionId'),
        response: { 200: AffinityMapResponse, ...authErrors },
      },
    },
    async (request) => {
      return affinity.latestMap(sessionScope(request).session.id);
    },
  );

  app.get(
    '/api/groups/:groupId/summary',
    {
      config: { access: access.group(memberRoles) },
      schema: {
        tags,
        summary: "A group's summary: word cloud of its labels and the topics it explored",
        params: idParams('groupId'),
        response: { 200: GroupSummary, ...authErrors },
      },
    },
    async (request) => {
      return affinity.summary(groupScope(request).group.id);
    },
  );
};
