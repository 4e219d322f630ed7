import { memberRoles, resolveLabels, spanFits } from '@calma/core';
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

/**
 * A label as listed. `messages` are the group's interactions as stored (id → message texts): a
 * span that no longer fits its message (the message was re-imported or retried shorter, or is
 * gone) is listed as stored with `spanStale: true`, so nobody's coding is dropped silently.
 */
const toLabel = (row: LabelRow, messages: ReadonlyMap<string, readonly { content: string }[]>) => {
  const span = row.spanStart !== null && row.spanEnd !== null ? { start: row.spanStart, end: row.spanEnd } : null;
  const text =
    row.interactionId !== null && row.messageIndex !== null
      ? messages.get(row.interactionId)?.[row.messageIndex]?.content
      : undefined;
  return {
    id: row.id,
    text: row.text,
    annotation: row.annotation,
    stage: row.stage,
    participantId: row.participantId,
    interactionId: row.interactionId,
    messageIndex: row.messageIndex,
    span,
    ...(span !== null && !spanFits(span, text) ? { spanStale: true } : {}),
    createdAt: row.createdAt.toISOString(),
  };
};

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
        summary:
          'Add labels (moderator; or a participant, for their own). A `span` codes part of an assistant turn (UTF-16 offsets); the batch is stored whole or not at all',
        params,
        body: AddLabelsBody,
        response: { 201: IdsResponse, ...authErrors, 413: ErrorBody },
      },
    },
    async (request, reply) => {
      const { principal, group } = groupScope(request);
      const drafts = request.body.labels;
      const interactionIds = [...new Set(drafts.flatMap((d) => (d.interactionId ? [d.interactionId] : [])))];
      const [participants, rows] = await Promise.all([
        principal.role === 'participant' ? Promise.resolve([]) : listParticipants(db, group.id),
        findInteractions(db, group.id, interactionIds),
      ]);
      // A participant codes only what they may see: another's unshared chat is no reference.
      const visible = new Set((await visibleInteractions(db, group.id, viewerOf(principal), rows)).map((i) => i.id));
      // Spans are offsets into the messages as stored (what their author and imports show), not
      // into a masked view, so they mean the same for every reader and for exports.
      const seen = rows.filter((i) => visible.has(i.id));
      const result = resolveLabels(principal, drafts, {
        participantIds: new Set(participants.map((p) => p.id)),
        interactionLengths: new Map(seen.map((i) => [i.id, i.messages.length])),
        interactionMessages: new Map(seen.map((i) => [i.id, i.messages])),
      });
      if (!result.ok) {
        if (result.problem.kind === 'forbidden') throw forbidden(result.problem.message);
        const code =
          result.problem.kind === 'reference'
            ? ErrorCode.invalidReference
            : result.problem.kind === 'span'
              ? ErrorCode.validationFailed
              : ErrorCode.badRequest;
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
      const labels = await listLabels(db, group.id);
      // Only the interactions a span points into are read, to tell whether it still fits.
      const spanned = new Set(
        labels.flatMap((l) => (l.spanStart !== null && l.interactionId ? [l.interactionId] : [])),
      );
      const interactions = await findInteractions(db, group.id, [...spanned]);
      const messages = new Map(interactions.map((i) => [i.id, i.messages]));
      return { labels: labels.map((row) => toLabel(row, messages)) };
    },
  );
};
