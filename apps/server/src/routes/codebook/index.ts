import { codebookEntries, moderatorCoderName, pseudonymsFor, toCodebookCsv, toCodedSegmentsCsv } from '@calma/core';
import { type Database, listAttributes, listInteractions, listLabels, listParticipants } from '@calma/db';
import { authErrors, idParams } from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { access, groupScope } from '../../plugins/auth.js';
import { exportLabels } from '../qdpx/spans.js';
import { visibleInteractions } from '../transcripts/visible.js';

const csvResponse = (description: string) => ({
  description,
  content: { 'text/csv': { schema: Type.String() } },
});

/**
 * The codebook and the coded segments as spreadsheets (moderators, analysts). They follow the
 * `.qdpx` export's rules: coders by pseudonym (`P1`… in join order, the moderator as
 * `Moderator`); coded text from the material as exported (unshared chats left out, shared ones
 * masked, spans moved with their words). The codebook lists code texts and counts only, which
 * staff see anyway in GET labels.
 */
export const codebookRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  const tags = ['codebook'];
  const params = idParams('groupId');

  app.get(
    '/api/groups/:groupId/codebook.csv',
    {
      config: { access: access.group(['moderator', 'analyst']) },
      schema: {
        tags,
        summary:
          'The codebook as CSV (UTF-8 with BOM): one row per distinct code (spellings merged as agreement merges them) with its uses, coders, and the attributes it counts for or against with their definitions',
        params,
        produces: ['text/csv'],
        response: { 200: csvResponse('The codebook CSV'), ...authErrors },
      },
    },
    async (request, reply) => {
      const { group } = groupScope(request);
      const [labels, attributes] = await Promise.all([listLabels(db, group.id), listAttributes(db, group.id)]);
      return reply
        .type('text/csv; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="calma-codebook-${group.id}.csv"`)
        .send(toCodebookCsv(codebookEntries(labels, attributes)));
    },
  );

  app.get(
    '/api/groups/:groupId/coded-segments.csv',
    {
      config: { access: access.group(['moderator', 'analyst']) },
      schema: {
        tags,
        summary:
          'Every coded span or turn as CSV (UTF-8 with BOM): coder pseudonym, interaction, message index, span offsets, the coded text, code, note, created at; unshared chats left out, shared ones masked',
        params,
        produces: ['text/csv'],
        response: { 200: csvResponse('The coded segments CSV'), ...authErrors },
      },
    },
    async (request, reply) => {
      const { group } = groupScope(request);
      const [rows, people, labelRows] = await Promise.all([
        listInteractions(db, group.id),
        listParticipants(db, group.id),
        listLabels(db, group.id),
      ]);
      const items = await visibleInteractions(db, group.id, 'others', rows);
      const byId = new Map(items.map((i) => [i.id, i]));
      const pseudonyms = pseudonymsFor(people.map((p) => p.id));
      const segments = exportLabels(labelRows, items, rows).map((label) => ({
        coder: label.participantId === null ? moderatorCoderName : (pseudonyms.get(label.participantId) ?? 'Unknown'),
        interactionId: label.interactionId as string,
        messageIndex: label.messageIndex,
        span: label.span,
        messageText:
          label.messageIndex === null
            ? undefined
            : byId.get(label.interactionId as string)?.messages[label.messageIndex]?.content,
        code: label.text,
        note: label.annotation,
        createdAt: label.createdAt,
      }));
      return reply
        .type('text/csv; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="calma-coded-segments-${group.id}.csv"`)
        .send(toCodedSegmentsCsv(segments));
    },
  );
};
