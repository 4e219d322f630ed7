import { hasRole, type Principal, staffRoles } from '@calma/core';
import { type Database, findInteraction, findParticipant, type InteractionRow, setInteractionShared } from '@calma/db';
import { authErrors, ErrorBody, ErrorCode, idParams, ShareBody, SharedConversation } from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { conflict, forbidden, notFound } from '../../errors.js';
import { access } from '../../plugins/auth.js';
import { sharedView } from './visible.js';

/**
 * Sharing a conversation beyond its author: the author sees exactly what others will see (the
 * masked preview) and shares or withholds it. Only the author decides; staff may look at the
 * preview (to answer "what will others see?") but never share on someone's behalf.
 */
export const sharingRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  const tags = ['transcripts'];
  const params = idParams('id');

  /** The conversation, if the caller may reach it at all (else 404/403), and whether they wrote it. */
  async function conversationFor(principal: Principal, id: string) {
    const row = await findInteraction(db, id);
    if (!row) throw notFound('Conversation');
    if (principal.role !== 'admin' && principal.groupId !== row.groupId) {
      throw forbidden('This conversation belongs to another group');
    }
    if (row.source !== 'chat') {
      throw conflict(
        'Only a conversation held in Interact is shared or withheld; imports are shared material',
        ErrorCode.wrongState,
      );
    }
    const isAuthor = principal.role === 'participant' && principal.participantId === row.participantId;
    return { row, isAuthor };
  }

  async function view(row: InteractionRow) {
    const author = row.participantId ? await findParticipant(db, row.groupId, row.participantId) : undefined;
    return sharedView(row, author?.displayName);
  }

  app.post(
    '/api/conversations/:id/share',
    {
      config: { access: access.roles(['participant']) },
      schema: {
        tags,
        summary:
          "Share a conversation with the group (masked: emails, phones, links with ids, the author's names) or withhold it again (its participant only)",
        params,
        body: ShareBody,
        response: { 200: SharedConversation, ...authErrors, 409: ErrorBody },
      },
    },
    async (request) => {
      const principal = await request.principal();
      const { row, isAuthor } = await conversationFor(principal, request.params.id);
      if (!isAuthor) throw forbidden("Only the conversation's participant may share or withhold it");
      const updated = (await setInteractionShared(db, row.id, request.body.shared)) ?? row;
      return view(updated);
    },
  );

  app.get(
    '/api/conversations/:id/shared-preview',
    {
      config: { access: access.roles(['participant', 'moderator', 'analyst']) },
      schema: {
        tags,
        summary: 'What others see of a conversation once shared: its messages masked (its participant; staff)',
        params,
        response: { 200: SharedConversation, ...authErrors, 409: ErrorBody },
      },
    },
    async (request) => {
      const principal = await request.principal();
      const { row, isAuthor } = await conversationFor(principal, request.params.id);
      if (!isAuthor && !hasRole(principal, staffRoles)) {
        throw forbidden("Only the conversation's participant and the group's staff see its preview");
      }
      return view(row);
    },
  );
};
