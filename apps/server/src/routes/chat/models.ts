import { type Database, findGroup, findStudy, setStudyModels } from '@calma/db';
import { authErrors, ErrorBody, GroupModels, idParams, StudyModels } from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { checkStudyModels } from '../../chat/models.js';
import { forbidden, notFound } from '../../errors.js';
import { access, groupScope } from '../../plugins/auth.js';

/** A study's models as the API shows them: never a key, only the variable's name. */
const toStudyModels = (study: { models: StudyModels['models']; assignment: StudyModels['assignment'] }) => ({
  models: study.models,
  assignment: study.assignment,
});

/** The models of a study (admin sets them; staff of its groups read them; participants see labels). */
export const studyModelRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  const tags = ['chat'];

  app.put(
    '/api/studies/:studyId/models',
    {
      config: { access: access.roles(['admin']) },
      schema: {
        tags,
        summary: "Set a study's models and assignment rule (admin). Keys are named by apiKeyEnv, never sent.",
        params: idParams('studyId'),
        body: StudyModels,
        response: { 200: StudyModels, ...authErrors },
      },
    },
    async (request) => {
      checkStudyModels(request.body);
      const models = request.body.models.map((m) => ({
        id: m.id,
        label: m.label.trim(),
        provider: m.provider,
        ...(m.baseUrl === undefined ? {} : { baseUrl: m.baseUrl }),
        model: m.model.trim(),
        ...(m.params === undefined ? {} : { params: m.params }),
        ...(m.apiKeyEnv === undefined ? {} : { apiKeyEnv: m.apiKeyEnv }),
      }));
      const study = await setStudyModels(db, request.params.studyId, models, request.body.assignment);
      if (!study) throw notFound('Study');
      return toStudyModels(study);
    },
  );

  app.get(
    '/api/studies/:studyId/models',
    {
      config: { access: access.roles(['moderator', 'analyst']) },
      schema: {
        tags,
        summary: "A study's models (admin; moderators and analysts of its groups)",
        params: idParams('studyId'),
        response: { 200: StudyModels, ...authErrors },
      },
    },
    async (request) => {
      const study = await findStudy(db, request.params.studyId);
      if (!study) throw notFound('Study');
      const principal = await request.principal();
      if (principal.role !== 'admin') {
        const group = principal.groupId ? await findGroup(db, principal.groupId) : undefined;
        if (group?.studyId !== study.id) throw forbidden("This token belongs to another study's group");
      }
      return toStudyModels(study);
    },
  );

  app.get(
    '/api/groups/:groupId/models',
    {
      config: { access: access.group(['moderator', 'analyst', 'participant']) },
      schema: {
        tags,
        summary: "The models of a group's study as participants may choose them (labels only)",
        params: idParams('groupId'),
        response: { 200: GroupModels, ...authErrors, 409: ErrorBody },
      },
    },
    async (request) => {
      const { group } = groupScope(request);
      const study = await findStudy(db, group.studyId);
      if (!study) throw notFound('Study');
      return {
        models: study.models.map((m) => ({ id: m.id, label: m.label, provider: m.provider, model: m.model })),
        assignment: study.assignment,
      };
    },
  );
};
