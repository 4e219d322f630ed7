import { codingTurns, decideGroupAccess, memberRoles, type Principal } from '@calma/core';
import {
  type Database,
  deleteLabel,
  getLabel,
  type LabelRow,
  listInteractions,
  listLabels,
  setLabelAnnotation,
} from '@calma/db';
import {
  authErrors,
  CodeSuggestions,
  CodeSuggestQuery,
  CodingList,
  ErrorBody,
  idParams,
  Label,
  UpdateLabelBody,
} from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { EmbeddingCache } from '../../affinity/embedding-cache.js';
import { forbidden, notFound } from '../../errors.js';
import type { EventBus } from '../../events/bus.js';
import { access, groupScope } from '../../plugins/auth.js';
import { viewerOf, visibleInteractions } from '../transcripts/visible.js';
import { CodeIndex } from './code-index.js';

/** Whose codes are the caller's own: a participant's carry their id; staff's carry none. */
const coderOf = (principal: Principal) => (principal.role === 'participant' ? principal.participantId : null);

/** Who a version names: the participant, or the staff role. */
const changedByOf = (principal: Principal) =>
  principal.role === 'participant' ? principal.participantId : principal.role;

const toLabel = (row: LabelRow) => ({
  id: row.id,
  text: row.text,
  annotation: row.annotation,
  stage: row.stage,
  participantId: row.participantId,
  interactionId: row.interactionId,
  messageIndex: row.messageIndex,
  span: row.spanStart !== null && row.spanEnd !== null ? { start: row.spanStart, end: row.spanEnd } : null,
  createdAt: row.createdAt.toISOString(),
});

/**
 * Initial coding: the turns a person codes with their own codes on them, suggestions from the
 * group's codes while typing, and the author's removal of a code or change of its note.
 */
export const codingRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  embeddings: EmbeddingCache;
  events: EventBus;
}> = async (app, { db, embeddings, events }) => {
  const tags = ['coding'];
  const index = new CodeIndex(db, embeddings, events, (err, message) => app.log.error({ err }, message));
  app.addHook('onClose', () => index.close());

  app.get(
    '/api/groups/:groupId/coding',
    {
      config: { access: access.group(memberRoles) },
      schema: {
        tags,
        summary:
          "The assistant turns the caller may code (own conversations, the baseline set, others' shared ones), each with the caller's own codes, and progress",
        params: idParams('groupId'),
        response: { 200: CodingList, ...authErrors },
      },
    },
    async (request) => {
      const { principal, group } = groupScope(request);
      const [rows, labels] = await Promise.all([listInteractions(db, group.id), listLabels(db, group.id)]);
      const seen = await visibleInteractions(db, group.id, viewerOf(principal), rows);
      // Spans count in the stored text; the (possibly masked) view is what the caller reads.
      const stored = new Map(rows.map((r) => [r.id, r.messages]));
      return codingTurns(coderOf(principal), seen, labels, stored);
    },
  );

  app.get(
    '/api/groups/:groupId/codes/suggest',
    {
      config: { access: access.group(memberRoles) },
      schema: {
        tags,
        summary:
          'Codes of the group for what is being typed: by prefix first, then by meaning (the configured embedder), trimmed and case-insensitive as agreement merges them',
        params: idParams('groupId'),
        querystring: CodeSuggestQuery,
        response: { 200: CodeSuggestions, ...authErrors },
      },
    },
    async (request) => {
      const { group } = groupScope(request);
      const limit = request.query.limit === undefined ? 8 : Math.min(50, Number(request.query.limit));
      return { suggestions: await index.suggest(group.id, request.query.q, limit) };
    },
  );

  /** The label in `:id` for its author: 404 unknown, 403 another group's or another's. */
  const loadOwn = async (principal: Principal, id: string) => {
    const row = await getLabel(db, id);
    if (!row) throw notFound('Label');
    if (!decideGroupAccess(principal, row.groupId, memberRoles).ok)
      throw forbidden('This label belongs to another group');
    if (row.participantId !== coderOf(principal)) throw forbidden("Only the label's author may change or remove it");
    return row;
  };

  app.patch(
    '/api/labels/:id',
    {
      config: { access: access.roles(['moderator', 'participant']) },
      schema: {
        tags,
        summary: "Change a label's note (`annotation`; its author only). Null or blank clears it",
        params: idParams('id'),
        body: UpdateLabelBody,
        response: { 200: Label, ...authErrors, 413: ErrorBody },
      },
    },
    async (request) => {
      const principal = await request.principal();
      const row = await loadOwn(principal, request.params.id);
      const note = request.body.annotation?.trim() ? request.body.annotation : null;
      const updated = await setLabelAnnotation(db, row.id, note);
      if (!updated) throw notFound('Label');
      return toLabel(updated);
    },
  );

  app.delete(
    '/api/labels/:id',
    {
      config: { access: access.roles(['moderator', 'participant']) },
      schema: {
        tags,
        summary:
          "Remove a mistaken label (its author only); the author's attributes holding it drop it, each as a new version. Cards already on a board stay",
        params: idParams('id'),
        response: {
          200: Type.Object({ deleted: Type.Boolean(), attributesChanged: Type.Array(Type.String()) }),
          ...authErrors,
        },
      },
    },
    async (request) => {
      const principal = await request.principal();
      const row = await loadOwn(principal, request.params.id);
      const changed = await deleteLabel(db, row, changedByOf(principal));
      if (changed === null) throw notFound('Label');
      // Every node's index counts it one less (each keeps its own).
      events.notify({ type: 'label-removed', groupId: row.groupId, text: row.text });
      return { deleted: true, attributesChanged: changed };
    },
  );
};
