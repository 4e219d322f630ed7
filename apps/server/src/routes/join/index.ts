import type { Database } from '@calma/db';
import { findGroupByInviteCode, findStudy, joinGroup } from '@calma/db';
import { ErrorBody, ErrorCode, InviteInfo, JoinBody, JoinResponse } from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { badRequest, notFound } from '../../errors.js';
import type { EventBus } from '../../events/bus.js';
import { hashToken, newToken, normalizeInviteCode } from '../../tokens.js';

/**
 * `POST /api/join` and `GET /api/invites/:inviteCode`: no auth, rate limited per address (one
 * budget each); consent must be exactly `true`.
 */
export const joinRoutes: FastifyPluginAsyncTypebox<{ db: Database; rateLimit: number; events: EventBus }> = async (
  app,
  { db, rateLimit, events },
) => {
  app.get(
    '/api/invites/:inviteCode',
    {
      config: { access: 'public', rateLimit: { max: rateLimit, timeWindow: 60_000 } },
      schema: {
        tags: ['groups'],
        summary: 'What an invite opens (group, study, language), so a join page can refuse a bad link first',
        security: [],
        params: Type.Object({ inviteCode: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: InviteInfo, 400: ErrorBody, 404: ErrorBody, 429: ErrorBody },
      },
    },
    async (request) => {
      const group = await findGroupByInviteCode(db, normalizeInviteCode(request.params.inviteCode));
      const study = group && (await findStudy(db, group.studyId));
      if (!group || !study) throw notFound('Invite code');
      return { groupName: group.name, studyTitle: study.title, language: study.language };
    },
  );

  app.post(
    '/api/join',
    {
      config: { access: 'public', rateLimit: { max: rateLimit, timeWindow: 60_000 } },
      schema: {
        tags: ['groups'],
        summary: 'Join a group with its invite code, giving consent (again from the same device: the same person)',
        security: [],
        body: JoinBody,
        response: { 200: JoinResponse, 201: JoinResponse, 400: ErrorBody, 404: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const { inviteCode, displayName, consent, deviceKey } = request.body;
      if (consent !== true) {
        throw badRequest('consent must be true: participants join only after agreeing', ErrorCode.consentRequired);
      }
      const name = displayName.trim();
      if (name === '') throw badRequest('displayName is blank');
      const group = await findGroupByInviteCode(db, normalizeInviteCode(inviteCode));
      if (!group) throw notFound('Invite code');
      const token = newToken();
      const { participant, resumed } = await joinGroup(db, {
        groupId: group.id,
        displayName: name,
        tokenHash: hashToken(token),
        // Hashed like tokens: the key lets its holder sign in again as this participant.
        deviceKeyHash: deviceKey === undefined ? null : hashToken(deviceKey),
      });
      if (resumed) return reply.status(200).send({ participantId: participant.id, groupId: group.id, token, resumed });
      events.notify({ type: 'participants-changed', groupId: group.id });
      return reply.status(201).send({ participantId: participant.id, groupId: group.id, token });
    },
  );
};
