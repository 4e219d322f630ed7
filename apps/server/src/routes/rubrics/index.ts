import { staffRoles } from '@calma/core';
import type { Database } from '@calma/db';
import {
  authErrors,
  ErrorBody,
  idParams,
  RubricEditBody,
  RubricVersion,
  RubricVersions,
  SessionRubrics,
} from '@calma/protocol';
import type { Card } from '@calma/protocol/board';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { latestRubrics, rubricHistory, saveRubricEdit } from '../../alignment/rubrics.js';
import { access, sessionScope } from '../../plugins/auth.js';

/**
 * The LLM-judge rubric of each axis, versioned: built from the group's definition and turns on
 * first read, then edited by staff, each save a new version on the one it was made from.
 */
export const rubricRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  cards: (sessionId: string) => Promise<Card[]>;
}> = async (app, { db, cards }) => {
  const tags = ['rubrics'];
  const options = { cards };

  app.get(
    '/api/sessions/:sessionId/rubrics',
    {
      config: { access: access.session(staffRoles) },
      schema: {
        tags,
        summary: "The latest judge rubric of each axis (version 1 built from the group's definition and turns)",
        params: idParams('sessionId'),
        response: { 200: SessionRubrics, ...authErrors },
      },
    },
    async (request) => ({ rubrics: await latestRubrics(db, sessionScope(request).session.id, options) }),
  );

  app.get(
    '/api/sessions/:sessionId/rubrics/:axisId/versions',
    {
      config: { access: access.session(staffRoles) },
      schema: {
        tags,
        summary: "An axis's rubric versions, oldest first: who wrote each and when",
        params: idParams('sessionId', 'axisId'),
        response: { 200: RubricVersions, ...authErrors },
      },
    },
    async (request) => ({
      versions: await rubricHistory(db, sessionScope(request).session.id, request.params.axisId, options),
    }),
  );

  app.put(
    '/api/sessions/:sessionId/rubrics/:axisId',
    {
      config: { access: access.session(staffRoles) },
      schema: {
        tags,
        summary: "Saves an edit of an axis's rubric as its next version (409 when baseVersion is not the latest)",
        params: idParams('sessionId', 'axisId'),
        body: RubricEditBody,
        response: { 200: RubricVersion, ...authErrors, 409: ErrorBody },
      },
    },
    async (request) => {
      const { session, principal } = sessionScope(request);
      return saveRubricEdit(db, session.id, request.params.axisId, request.body, principal.role, options);
    },
  );
};
