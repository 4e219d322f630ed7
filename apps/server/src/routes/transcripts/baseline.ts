import { type Database, findStudy, setStudyBaseline } from '@calma/db';
import { authErrors, idParams, StudyBaseline } from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { badRequest, notFound } from '../../errors.js';
import { access } from '../../plugins/auth.js';

/**
 * A study's baseline set: the items every participant codes, so agreement is measured over the
 * same material. Setting it gives every group of the study a copy (interactions with `baseline`
 * set, ids stable per group); groups created later get theirs when they are created.
 */
export const baselineRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  const tags = ['transcripts'];
  const params = idParams('studyId');
  const admin = access.roles(['admin']);

  app.put(
    '/api/studies/:studyId/baseline',
    {
      config: { access: admin },
      schema: {
        tags,
        summary: "Set a study's baseline set; every group of the study (and every later one) gets a copy",
        params,
        body: StudyBaseline,
        response: { 200: StudyBaseline, ...authErrors },
      },
    },
    async (request) => {
      const items = request.body.interactions;
      const ids = items.map((i) => i.id);
      if (new Set(ids).size !== ids.length) throw badRequest('baseline ids repeat');
      if (items.some((i) => i.messages.some((m) => m.content.trim() === ''))) throw badRequest('a message is blank');
      if (!(await setStudyBaseline(db, request.params.studyId, items))) throw notFound('Study');
      return { interactions: items };
    },
  );

  app.get(
    '/api/studies/:studyId/baseline',
    {
      config: { access: admin },
      schema: { tags, summary: "A study's baseline set", params, response: { 200: StudyBaseline, ...authErrors } },
    },
    async (request) => {
      const study = await findStudy(db, request.params.studyId);
      if (!study) throw notFound('Study');
      return {
        interactions: study.baseline.map((i) => ({
          id: i.id,
          messages: i.messages.map(({ role, content }) => ({ role, content })),
        })),
      };
    },
  );
};
