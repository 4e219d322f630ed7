import { memberRoles, resolveLabels } from '@calma/core';
import type { Database } from '@calma/db';
import {
  addLabels,
  findInteractions,
  type InteractionRow,
  interactionOwners,
  type LabelRow,
  listLabels,
  listParticipants,
  upsertInteractions,
} from '@calma/db';
import {
  AddLabelsBody,
  authErrors,
  ErrorBody,
  ErrorCode,
  IdsResponse,
  ImportInteractionsBody,
  InteractionList,
  idParams,
  LabelList,
} from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { badRequest, conflict, forbidden } from '../../errors.js';
import type { EventBus } from '../../events/bus.js';
import { access, groupScope } from '../../plugins/auth.js';
import { viewerOf, visibleInteractions } from '../transcripts/visible.js';

const toInteraction = (row: InteractionRow & { masked: boolean }) => ({
  id: row.id,
  groupId: row.groupId,
  participantId: row.participantId,
  baseline: row.baseline,
  messages: row.messages,
  createdAt: row.createdAt.toISOString(),
  source: row.source,
  shared: row.shared,
  masked: row.masked,
  modelId: row.modelId,
});

const toLabel = (row: LabelRow) => ({
  id: row.id,
  text: row.text,
  annotation: row.annotation,
  stage: row.stage,
  participantId: row.participantId,
  interactionId: row.interactionId,
  messageIndex: row.messageIndex,
  createdAt: row.createdAt.toISOString(),
});

/** Material from the Interact and Reflect stages: interactions and labels of a group. */
export const materialRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  /** `labels-added` is published here, so open boards show new labels. */
  events: EventBus;
}> = async (app, { db, events }) => {
  const tags = ['material'];
  const params = idParams('groupId');

  app.post(
    '/api/groups/:groupId/interactions',
    {
      config: { access: access.group(['moderator']) },
      schema: {
        tags,
        summary: 'Import interactions (moderator). A given id already in this group is replaced.',
        params,
        body: ImportInteractionsBody,
        response: { 201: IdsResponse, ...authErrors, 409: ErrorBody, 413: ErrorBody },
      },
    },
    async (request, reply) => {
      const { group } = groupScope(request);
      const items = request.body.interactions;
      const givenIds = items.flatMap((i) => (i.id ? [i.id] : []));
      if (new Set(givenIds).size !== givenIds.length) throw badRequest('interaction ids repeat within the request');
      for (const [id, owner] of await interactionOwners(db, givenIds)) {
        if (owner !== group.id) throw conflict(`interaction id ${id} is already used by another group`);
      }
      const named = items.flatMap((i) => (i.participantId ? [i.participantId] : []));
      if (named.length > 0) {
        const known = new Set((await listParticipants(db, group.id)).map((p) => p.id));
        const stranger = named.find((id) => !known.has(id));
        if (stranger) {
          throw badRequest(`participant ${stranger} is not a participant of this group`, ErrorCode.invalidReference);
        }
      }
      const ids = await upsertInteractions(
        db,
        group.id,
        items.map((i) => ({
          id: i.id,
          participantId: i.participantId ?? null,
          baseline: i.baseline,
          messages: i.messages,
        })),
      );
      return reply.status(201).send({ ids });
    },
  );

  app.get(
    '/api/groups/:groupId/interactions',
    {
      config: { access: access.group(memberRoles) },
      schema: {
        tags,
        summary:
          "A group's interactions: imports, and chats as the caller may see them (their own as typed; staff: all, masked; others: shared ones, masked)",
        params,
        response: { 200: InteractionList, ...authErrors },
      },
    },
    async (request) => {
      const { principal, group } = groupScope(request);
      return { interactions: (await visibleInteractions(db, group.id, viewerOf(principal))).map(toInteraction) };
    },
  );

  app.post(
    '/api/groups/:groupId/labels',
    {
      config: { access: access.group(['moderator', 'participant']) },
      schema: {
        tags,
        summary: 'Add labels (moderator; or a participant, for their own)',
        params,
        body: AddLabelsBody,
        response: { 201: IdsResponse, ...authErrors, 413: ErrorBody },
      },
    },
    async (request, reply) => {
      const { principal, group } = groupScope(request);
      const drafts = request.body.labels;
      const interactionIds = [...new Set(drafts.flatMap((d) => (d.interactionId ? [d.interactionId] : [])))];
      const [participants, interactions] = await Promise.all([
        principal.role === 'participant' ? Promise.resolve([]) : listParticipants(db, group.id),
        // A participant codes only what they may see: another's unshared chat is no reference.
        findInteractions(db, group.id, interactionIds).then((rows) =>
          visibleInteractions(db, group.id, viewerOf(principal), rows),
        ),
      ]);
      const result = resolveLabels(principal, drafts, {
        participantIds: new Set(participants.map((p) => p.id)),
        interactionLengths: new Map(interactions.map((i) => [i.id, i.messages.length])),
      });
      if (!result.ok) {
        if (result.problem.kind === 'forbidden') throw forbidden(result.problem.message);
        const code = result.problem.kind === 'reference' ? ErrorCode.invalidReference : ErrorCode.badRequest;
        throw badRequest(result.problem.message, code);
      }
      const ids = await addLabels(db, group.id, result.labels);
      // Waited for, so that the new cards are on open boards when the caller hears back.
      await events
        .publish({ type: 'labels-added', groupId: group.id, labelIds: ids })
        .catch((err) => request.log.error({ err }, 'boards did not take the new labels'));
      return reply.status(201).send({ ids });
    },
  );

  app.get(
    '/api/groups/:groupId/labels',
    {
      config: { access: access.group(memberRoles) },
      schema: { tags, summary: "A group's labels", params, response: { 200: LabelList, ...authErrors } },
    },
    async (request) => {
      const { group } = groupScope(request);
      return { labels: (await listLabels(db, group.id)).map(toLabel) };
    },
  );
};
