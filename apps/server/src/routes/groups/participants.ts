import { mergeRefusal } from '@calma/core';
import type { Database } from '@calma/db';
import { findParticipant, mergeParticipants, removeParticipant, renameParticipant } from '@calma/db';
import {
  authErrors,
  idParams,
  MergeParticipantBody,
  Participant,
  ParticipantList,
  RenameParticipantBody,
} from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { badRequest, notFound } from '../../errors.js';
import type { EventBus } from '../../events/bus.js';
import { access, groupScope } from '../../plugins/auth.js';
import { listedParticipants, toParticipant } from './index.js';

/**
 * The moderator's corrections to a group's people: rename, merge a duplicate (someone who joined
 * twice) into the person they are, remove someone who should not count. Each tells the group's
 * open sessions (`participants-changed`), so every console and queue shows the new list.
 */
export const participantRoutes: FastifyPluginAsyncTypebox<{ db: Database; events: EventBus }> = async (
  app,
  { db, events },
) => {
  const tags = ['groups'];
  const moderator = access.group(['moderator']);
  const params = idParams('groupId', 'participantId');
  const changed = (groupId: string) => events.notify({ type: 'participants-changed', groupId });

  app.patch(
    '/api/groups/:groupId/participants/:participantId',
    {
      config: { access: moderator },
      schema: {
        tags,
        summary: 'Rename a participant (the moderator corrects a display name)',
        params,
        body: RenameParticipantBody,
        response: { 200: Participant, ...authErrors },
      },
    },
    async (request) => {
      const { group } = groupScope(request);
      const name = request.body.displayName.trim();
      if (name === '') throw badRequest('displayName is blank');
      const row = await renameParticipant(db, group.id, request.params.participantId, name);
      if (!row) throw notFound('Participant');
      changed(group.id);
      return toParticipant(row);
    },
  );

  app.post(
    '/api/groups/:groupId/participants/:participantId/merge',
    {
      config: { access: moderator },
      schema: {
        tags,
        summary:
          'Merge a duplicate participant into another: labels, interactions, submissions (the later one where both submitted) and sign-ins move; the duplicate is gone',
        params,
        body: MergeParticipantBody,
        response: { 200: ParticipantList, ...authErrors },
      },
    },
    async (request) => {
      const { group } = groupScope(request);
      const { participantId } = request.params;
      const { into } = request.body;
      const refusal = mergeRefusal(participantId, into);
      if (refusal) throw badRequest(refusal);
      const [from, target] = await Promise.all([
        findParticipant(db, group.id, participantId),
        findParticipant(db, group.id, into),
      ]);
      if (!from || !target) throw notFound('Participant');
      await mergeParticipants(db, from.id, target.id);
      changed(group.id);
      return { participants: await listedParticipants(db, group.id) };
    },
  );

  app.delete(
    '/api/groups/:groupId/participants/:participantId',
    {
      config: { access: moderator },
      schema: {
        tags,
        summary:
          'Remove a participant: their sign-ins stop working and they no longer count (their private submissions go; labels they wrote stay, without an author)',
        params,
        response: { 200: Type.Object({ removed: Type.Literal(true) }), ...authErrors },
      },
    },
    async (request) => {
      const { group } = groupScope(request);
      if (!(await removeParticipant(db, group.id, request.params.participantId))) throw notFound('Participant');
      changed(group.id);
      return { removed: true as const };
    },
  );
};
