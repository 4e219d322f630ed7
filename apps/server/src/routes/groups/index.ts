import { memberRoles } from '@calma/core';
import type { Database } from '@calma/db';
import { findGroup, findStudy, type GroupRow, listParticipants, type ParticipantRow } from '@calma/db';
import { authErrors, GroupWithInvite, idParams, Me, ParticipantList } from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { access, groupScope } from '../../plugins/auth.js';

/** A group row as the API shows it, with its invite code. */
export const toGroupWithInvite = (row: GroupRow) => ({
  id: row.id,
  studyId: row.studyId,
  name: row.name,
  inviteCode: row.inviteCode,
  createdAt: row.createdAt.toISOString(),
});

/** A participant row as group members see it. */
export const toParticipant = (row: ParticipantRow) => ({
  id: row.id,
  groupId: row.groupId,
  displayName: row.displayName,
  joinedAt: row.consentAt.toISOString(),
});

/** A group's participants as the API lists them, in joining order. */
export const listedParticipants = async (db: Database, groupId: string) =>
  (await listParticipants(db, groupId)).map(toParticipant);

/** Who am I, and a group as its members see it. */
export const groupRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  const tags = ['groups'];

  app.get(
    '/api/me',
    {
      config: { access: access.roles(['admin', ...memberRoles]) },
      schema: { tags, summary: 'What the presented token grants', response: { 200: Me, ...authErrors } },
    },
    async (request) => {
      const principal = await request.principal();
      if (principal.role === 'admin')
        return { role: principal.role, groupId: null, participantId: null, displayName: null, language: null };
      const group = await findGroup(db, principal.groupId);
      const language = (group && (await findStudy(db, group.studyId))?.language) ?? null;
      if (principal.role === 'participant')
        return {
          role: principal.role,
          groupId: principal.groupId,
          participantId: principal.participantId,
          displayName: principal.displayName,
          language,
        };
      return { role: principal.role, groupId: principal.groupId, participantId: null, displayName: null, language };
    },
  );

  app.get(
    '/api/groups/:groupId',
    {
      config: { access: access.group(memberRoles) },
      schema: {
        tags,
        summary: 'A group (members see its invite code, to share it)',
        params: idParams('groupId'),
        response: { 200: GroupWithInvite, ...authErrors },
      },
    },
    async (request) => {
      return toGroupWithInvite(groupScope(request).group);
    },
  );

  app.get(
    '/api/groups/:groupId/participants',
    {
      config: { access: access.group(memberRoles) },
      schema: {
        tags,
        summary: "A group's participants (display names only)",
        params: idParams('groupId'),
        response: { 200: ParticipantList, ...authErrors },
      },
    },
    async (request) => {
      const { group } = groupScope(request);
      return { participants: await listedParticipants(db, group.id) };
    },
  );
};
