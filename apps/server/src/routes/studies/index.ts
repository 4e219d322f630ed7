import type { Database } from '@calma/db';
import {
  copyBaselineToGroup,
  createGroup,
  createStudy,
  findStudy,
  listGroups,
  listStudies,
  type StudyRow,
  updateStudy,
} from '@calma/db';
import {
  authErrors,
  CreatedGroup,
  CreateGroupBody,
  CreateStudyBody,
  ErrorBody,
  GroupList,
  idParams,
  Study,
  StudyList,
  UpdateStudyBody,
} from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { badRequest, notFound } from '../../errors.js';
import { access } from '../../plugins/auth.js';
import { hashToken, newInviteCode, newToken } from '../../tokens.js';
import { toGroupWithInvite } from '../groups/index.js';

/** A study row as the API shows it. */
export const toStudy = (row: StudyRow) => ({
  id: row.id,
  title: row.title,
  context: row.context,
  language: row.language,
  createdAt: row.createdAt.toISOString(),
});

/** Studies and their groups: admin only. */
export const studyRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  const tags = ['studies'];
  const admin = access.roles(['admin']);

  app.post(
    '/api/studies',
    {
      config: { access: admin },
      schema: { tags, summary: 'Create a study', body: CreateStudyBody, response: { 201: Study, ...authErrors } },
    },
    async (request, reply) => {
      const title = request.body.title.trim();
      if (title === '') throw badRequest('title is blank');
      const row = await createStudy(db, { title, context: request.body.context, language: request.body.language });
      return reply.status(201).send(toStudy(row));
    },
  );

  app.get(
    '/api/studies',
    {
      config: { access: admin },
      schema: { tags, summary: 'List studies', response: { 200: StudyList, ...authErrors } },
    },
    async () => {
      return { studies: (await listStudies(db)).map(toStudy) };
    },
  );

  app.get(
    '/api/studies/:studyId',
    {
      config: { access: admin },
      schema: { tags, summary: 'One study', params: idParams('studyId'), response: { 200: Study, ...authErrors } },
    },
    async (request) => {
      const row = await findStudy(db, request.params.studyId);
      if (!row) throw notFound('Study');
      return toStudy(row);
    },
  );

  app.patch(
    '/api/studies/:studyId',
    {
      config: { access: admin },
      schema: {
        tags,
        summary: "Change a study's title, deployment context or language",
        params: idParams('studyId'),
        body: UpdateStudyBody,
        response: { 200: Study, ...authErrors },
      },
    },
    async (request) => {
      const { title, context, language } = request.body;
      if (title !== undefined && title.trim() === '') throw badRequest('title is blank');
      const row = await updateStudy(db, request.params.studyId, {
        title: title?.trim(),
        context,
        language,
      });
      if (!row) throw notFound('Study');
      return toStudy(row);
    },
  );

  app.post(
    '/api/studies/:studyId/groups',
    {
      config: { access: admin },
      schema: {
        tags,
        summary: 'Create a group; returns its invite code and, this once, its moderator and analyst tokens',
        params: idParams('studyId'),
        body: CreateGroupBody,
        response: { 201: CreatedGroup, ...authErrors, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const study = await findStudy(db, request.params.studyId);
      if (!study) throw notFound('Study');
      const name = request.body.name.trim();
      if (name === '') throw badRequest('name is blank');
      const moderatorToken = newToken();
      const analystToken = newToken();
      const group = await createGroup(db, {
        studyId: study.id,
        name,
        inviteCode: newInviteCode(),
        moderatorTokenHash: hashToken(moderatorToken),
        analystTokenHash: hashToken(analystToken),
      });
      // A group created after the study's baseline was set gets its copy too.
      if (study.baseline.length > 0) await copyBaselineToGroup(db, group.id, study.baseline);
      return reply.status(201).send({ ...toGroupWithInvite(group), moderatorToken, analystToken });
    },
  );

  app.get(
    '/api/studies/:studyId/groups',
    {
      config: { access: admin },
      schema: {
        tags,
        summary: "A study's groups",
        params: idParams('studyId'),
        response: { 200: GroupList, ...authErrors },
      },
    },
    async (request) => {
      const study = await findStudy(db, request.params.studyId);
      if (!study) throw notFound('Study');
      return { groups: (await listGroups(db, study.id)).map(toGroupWithInvite) };
    },
  );
};
