import {
  type AnalysisInput,
  analyzeSession,
  axesToCsv,
  axesToMarkdown,
  boardSourceLabelIds,
  deriveAxes,
  type ExampleText,
  staffRoles,
} from '@calma/core';
import {
  type Database,
  findGroup,
  findInteractions,
  findStudy,
  type InteractionRow,
  listFinalAttributes,
  listLabels,
  listSegment1,
  listSegment5,
} from '@calma/db';
import { Analysis, authErrors, ExportQuery, idParams } from '@calma/protocol';
import type { Card } from '@calma/protocol/board';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { alignmentExport, isAlignmentFormat } from '../../alignment/exports.js';
import { access, sessionScope } from '../../plugins/auth.js';
import type { LoadedSession } from '../../sessions/service.js';
import { visibleInteractions } from '../transcripts/visible.js';

/** Everything core's analysis needs, read from the database. */
async function analysisInput(db: Database, session: LoadedSession): Promise<AnalysisInput> {
  const [finals, segment1, segment5] = await Promise.all([
    listFinalAttributes(db, session.id),
    listSegment1(db, session.id),
    listSegment5(db, session.id),
  ]);
  const byParticipant = new Map<string, { id: string; rank: number }[]>();
  for (const row of segment1) {
    byParticipant.set(row.participantId, [
      ...(byParticipant.get(row.participantId) ?? []),
      { id: row.id, rank: row.rank },
    ]);
  }
  return {
    finalAttributes: finals.map((f) => ({
      id: f.id,
      name: f.name,
      definition: f.definition,
      exampleInteractionIds: f.exampleInteractionIds,
      sourceLabelIds: f.sourceLabelIds,
    })),
    groupTop3: session.row.groupTop3,
    groupTop5: session.row.groupTop5,
    mapping: session.row.mapping,
    segment1: [...byParticipant.entries()].map(([participantId, attributes]) => ({ participantId, attributes })),
    segment5: segment5.map((r) => ({ participantId: r.participantId, likert: r.likert, ranking: r.ranking })),
  };
}

/**
 * An interaction as an example: the model's first answer (what participants coded), and what the
 * person asked before it; a conversation with no answer is quoted whole.
 */
function exampleText(interaction: InteractionRow): ExampleText {
  const answer = interaction.messages.findIndex((m) => m.role === 'assistant');
  if (answer < 0) return { prompt: null, response: interaction.messages.map((m) => m.content).join('\n\n') };
  const asked = interaction.messages
    .slice(0, answer)
    .filter((m) => m.role === 'user')
    .map((m) => m.content);
  return {
    prompt: asked.length > 0 ? asked.join('\n\n') : null,
    response: interaction.messages[answer]?.content ?? '',
  };
}

/**
 * Consensus-shift analysis and the export of the derived axes (moderators and analysts). `cards`
 * reads a session's board: the export links labels to axes through its clusters.
 */
export const analysisRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  cards: (sessionId: string) => Promise<Card[]>;
}> = async (app, { db, cards }) => {
  const tags = ['analysis'];
  const params = idParams('sessionId');

  app.get(
    '/api/sessions/:sessionId/analysis',
    {
      config: { access: access.session(staffRoles) },
      schema: {
        tags,
        summary: "Likert statistics, Kendall's W before and after, each participant's shift, the group ranking",
        params,
        response: { 200: Analysis, ...authErrors },
      },
    },
    async (request) => {
      return analyzeSession(await analysisInput(db, sessionScope(request).session));
    },
  );

  app.get(
    '/api/sessions/:sessionId/export',
    {
      config: { access: access.session(staffRoles) },
      schema: {
        tags,
        summary:
          "The derived axes as JSON, CSV or Markdown, in the paper's table shape; or the judge rubrics, " +
          'the SteerLM and preference datasets (JSON Lines) or the constitution',
        params,
        querystring: ExportQuery,
        response: { 200: Type.Unknown(), ...authErrors },
      },
    },
    async (request, reply) => {
      const { session } = sessionScope(request);
      const format = request.query.format ?? 'json';
      if (isAlignmentFormat(format)) {
        const group = await findGroup(db, session.groupId);
        const file = await alignmentExport(db, session.id, format, group?.name ?? session.groupId, { cards });
        return reply
          .type(file.type)
          .header('content-disposition', `attachment; filename="calma-${format}-${session.id}.${file.extension}"`)
          .send(file.body);
      }
      const input = await analysisInput(db, session);
      const analysis = analyzeSession(input);
      const [labels, group, board] = await Promise.all([
        listLabels(db, session.groupId),
        findGroup(db, session.groupId),
        // Without its board the export still has the moderator's own links.
        cards(session.id).catch((err: unknown) => {
          request.log.warn({ err }, 'export: the board could not be read; source labels by the board left out');
          return [] as Card[];
        }),
      ]);
      // Interactions the export may quote: the chosen examples and those of the axes' labels.
      const linked = new Set([
        ...input.finalAttributes.flatMap((f) => f.sourceLabelIds),
        ...[...boardSourceLabelIds(input.mapping, board).values()].flatMap((ids) => [...ids]),
      ]);
      const interactionIds = new Set(input.finalAttributes.flatMap((f) => f.exampleInteractionIds));
      for (const label of labels)
        if (linked.has(label.id) && label.interactionId) interactionIds.add(label.interactionId);
      const [interactions, study] = await Promise.all([
        findInteractions(db, session.groupId, [...interactionIds]),
        group ? findStudy(db, group.studyId) : undefined,
      ]);
      const axes = deriveAxes(input, analysis, {
        // The export leaves the group: unshared chats are not quoted, shared ones are masked.
        interactions: new Map(
          (await visibleInteractions(db, session.groupId, 'others', interactions)).map((i) => [i.id, exampleText(i)]),
        ),
        labels: new Map(labels.map((l) => [l.id, { text: l.text, interactionId: l.interactionId }])),
        board,
      });
      const generatedAt = new Date().toISOString();
      const title = `Axes for ${study?.context.name ?? 'the deployment context'} — ${group?.name ?? session.groupId}`;
      const filename = `calma-axes-${session.id}`;
      switch (format) {
        case 'csv':
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${filename}.csv"`)
            .send(axesToCsv(axes));
        case 'md':
          return reply
            .type('text/markdown; charset=utf-8')
            .header('content-disposition', `attachment; filename="${filename}.md"`)
            .send(axesToMarkdown(axes, { title, generatedAt }));
        default:
          return reply.header('content-disposition', `attachment; filename="${filename}.json"`).send({
            sessionId: session.id,
            groupId: session.groupId,
            context: study?.context ?? null,
            generatedAt,
            participants: analysis.participants,
            concordance: analysis.concordance,
            axes,
          });
      }
    },
  );
};
