import { memberRoles, type Principal, spanFits } from '@calma/core';
import { type Database, listAttributes, listInteractions, listLabels, listParticipants } from '@calma/db';
import { authErrors, idParams, ParticipantArtifacts } from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../../errors.js';
import { access, groupScope } from '../../plugins/auth.js';
import { exportLabels } from '../qdpx/spans.js';
import { viewerOf, visibleInteractions } from '../transcripts/visible.js';

/** Staff see every attribute; a participant their own, and others' once shared (as GET attributes). */
const maySeeAttribute = (principal: Principal, row: { participantId: string | null; shared: boolean }) =>
  principal.role !== 'participant' || row.participantId === principal.participantId || row.shared;

/**
 * Session artifacts for segment 0: one participant's conversations, codes (with notes and
 * spans) and attributes on one page. Nothing here is new access: conversations pass through the
 * visibility rule (`visibleInteractions`: the author sees theirs as typed, others shared ones
 * masked, staff masked), codes are the group's labels anyone of the group may list, and
 * attributes follow GET attributes' rule.
 */
export const artifactRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.get(
    '/api/groups/:groupId/participants/:participantId/artifacts',
    {
      config: { access: access.group(memberRoles) },
      schema: {
        tags: ['artifacts'],
        summary:
          "One participant's session artifacts: their conversations and the material they coded (as the caller may see it: their own as typed; others' shared ones masked), their codes with notes and spans, and their attributes (others: shared ones)",
        params: idParams('groupId', 'participantId'),
        response: { 200: ParticipantArtifacts, ...authErrors },
      },
    },
    async (request) => {
      const { principal, group } = groupScope(request);
      const { participantId } = request.params;
      const [people, rows, labelRows, attributeRows] = await Promise.all([
        listParticipants(db, group.id),
        listInteractions(db, group.id),
        listLabels(db, group.id),
        listAttributes(db, group.id),
      ]);
      const person = people.find((p) => p.id === participantId);
      if (!person) throw notFound('Participant');
      const labels = labelRows.filter((l) => l.participantId === participantId);
      const coded = new Set(labels.flatMap((l) => (l.interactionId ? [l.interactionId] : [])));
      const relevant = rows.filter((r) => r.participantId === participantId || coded.has(r.id));
      const visible = await visibleInteractions(db, group.id, viewerOf(principal), relevant);
      // Spans as offsets into the text this caller is shown: a masked turn's span follows its words.
      const shownSpans = new Map(exportLabels(labels, visible, rows).map((l) => [l.id, l.span]));
      const stored = new Map(rows.map((r) => [r.id, r.messages]));
      return {
        participant: { id: person.id, name: person.displayName },
        conversations: visible.map((row) => ({
          id: row.id,
          own: row.participantId === participantId,
          baseline: row.baseline,
          source: row.source,
          shared: row.shared,
          masked: row.masked,
          messages: row.messages.map((m) => ({ role: m.role, content: m.content })),
        })),
        codes: labels.map((l) => {
          const span = l.spanStart !== null && l.spanEnd !== null ? { start: l.spanStart, end: l.spanEnd } : null;
          const text =
            l.interactionId !== null && l.messageIndex !== null
              ? stored.get(l.interactionId)?.[l.messageIndex]?.content
              : undefined;
          const stale = span !== null && !spanFits(span, text);
          return {
            id: l.id,
            text: l.text,
            note: l.annotation,
            stage: l.stage,
            interactionId: l.interactionId,
            messageIndex: l.messageIndex,
            // A code on material this caller cannot see keeps its stored span (labels are group-visible).
            span: shownSpans.has(l.id) ? (shownSpans.get(l.id) ?? null) : span,
            ...(stale ? { spanStale: true } : {}),
            createdAt: l.createdAt.toISOString(),
          };
        }),
        attributes: attributeRows
          .filter((a) => a.participantId === participantId && maySeeAttribute(principal, a))
          .map((a) => ({
            id: a.id,
            participantId: a.participantId,
            name: a.name,
            definition: a.definition,
            codes: a.codes,
            examples: a.examples,
            shared: a.shared,
            version: a.version,
            createdAt: a.createdAt.toISOString(),
            updatedAt: a.updatedAt.toISOString(),
          })),
      };
    },
  );
};
