import type { Database } from '@calma/db';
import { findGroup, type GroupRow, listParticipants, type ParticipantRow } from '@calma/db';
import { authErrors, GroupWithInvite, idParams, Me, ParticipantList } from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../../errors.js';
import { requireGroupAccess } from '../../plugins/auth.js';

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

/** Loads a group by id or throws 404. */
export async function loadGroup(db: Database, groupId: string): Promise<GroupRow> {
  const group = await findGroup(db, groupId);
  if (!group) throw notFound('Group');
  return group;
}

/** Who am I, and a group as its members see it. */
export const groupRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  const tags = ['groups'];
  const members = ['moderator', 'analyst', 'participant'] as const;
  const allRoles = ['admin', ...members] as const;

  app.get(
    '/api/me',
    {
      config: { roles: allRoles },
      schema: { tags, summary: 'What the presented token grants', response: { 200: Me, ...authErrors } },
    },
    async (request) => {
      const principal = await request.principal();
      switch (principal.role) {
        case 'admin':
          return { role: principal.role, groupId: null, participantId: null, displayName: null };
        case 'participant':
          return {
            role: principal.role,
            groupId: principal.groupId,
            participantId: principal.participantId,
            displayName: principal.displayName,
          };
        default:
          return { role: principal.role, groupId: principal.groupId, participantId: null, displayName: null };
      }
    },
  );

  app.get(
    '/api/groups/:groupId',
    {
      config: { roles: members },
      schema: {
        tags,
        summary: 'A group (members see its invite code, to share it)',
        params: idParams('groupId'),
        response: { 200: GroupWithInvite, ...authErrors },
      },
    },
    async (request) => {
      const principal = await request.principal();
      const group = await loadGroup(db, request.params.groupId);
      requireGroupAccess(principal, group.id, members);
      return toGroupWithInvite(group);
    },
  );

  app.get(
    '/api/groups/:groupId/participants',
    {
      config: { roles: members },
      schema: {
        tags,
        summary: "A group's participants (display names only)",
        params: idParams('groupId'),
        response: { 200: ParticipantList, ...authErrors },
      },
    },
    async (request) => {
      const principal = await request.principal();
      const group = await loadGroup(db, request.params.groupId);
      requireGroupAccess(principal, group.id, members);
      return { participants: (await listParticipants(db, group.id)).map(toParticipant) };
    },
  );
};
