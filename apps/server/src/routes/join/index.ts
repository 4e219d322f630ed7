import type { Database } from '@calma/db';
import { addParticipant, findGroupByInviteCode } from '@calma/db';
import { ErrorBody, ErrorCode, JoinBody, JoinResponse } from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { badRequest, notFound } from '../../errors.js';
import { hashToken, newToken, normalizeInviteCode } from '../../tokens.js';

/** `POST /api/join`: no auth, rate limited per address; consent must be exactly `true`. */
export const joinRoutes: FastifyPluginAsyncTypebox<{ db: Database; rateLimit: number }> = async (
  app,
  { db, rateLimit },
) => {
  app.post(
    '/api/join',
    {
      config: { access: 'public', rateLimit: { max: rateLimit, timeWindow: 60_000 } },
      schema: {
        tags: ['groups'],
        summary: 'Join a group with its invite code, giving consent',
        security: [],
        body: JoinBody,
        response: { 201: JoinResponse, 400: ErrorBody, 404: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const { inviteCode, displayName, consent } = request.body;
      if (consent !== true) {
        throw badRequest('consent must be true: participants join only after agreeing', ErrorCode.consentRequired);
      }
      const name = displayName.trim();
      if (name === '') throw badRequest('displayName is blank');
      const group = await findGroupByInviteCode(db, normalizeInviteCode(inviteCode));
      if (!group) throw notFound('Invite code');
      const token = newToken();
      const participant = await addParticipant(db, {
        groupId: group.id,
        displayName: name,
        tokenHash: hashToken(token),
      });
      return reply.status(201).send({ participantId: participant.id, groupId: group.id, token });
    },
  );
};
