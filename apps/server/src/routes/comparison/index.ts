import { comparisonRows, comparisonToCsv, comparisonToMarkdown, type Principal } from '@calma/core';
import {
  type Database,
  deleteComparisonDecision,
  findFinalAttributesWithGroup,
  findStudy,
  listFinalAttributesOf,
  putComparisonDecision,
} from '@calma/db';
import {
  authErrors,
  ComparableGroups,
  Comparison,
  ComparisonDecision,
  ComparisonDecisionBody,
  ComparisonExportQuery,
  ComparisonPairQuery,
  ComparisonQuery,
  idParams,
} from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { EmbeddingCache } from '../../affinity/embedding-cache.js';
import { badRequest, forbidden, notFound } from '../../errors.js';
import { access } from '../../plugins/auth.js';
import { askedGroups, deciderOf, loadComparison, studyGroupsFor } from './load.js';

/**
 * The cross-group comparison of a study's axes (the admin; an analyst of one of the compared
 * groups): the final attributes of each group's latest ended session, paired by meaning through
 * the server's embedder, with analysts' decisions on top; and its exports.
 */
export const comparisonRoutes: FastifyPluginAsyncTypebox<{ db: Database; embeddings: EmbeddingCache }> = async (
  app,
  { db, embeddings },
) => {
  const tags = ['comparison'];
  const params = idParams('studyId');
  // The role is checked before anything is read; the study and its groups in the handler.
  const analysts = { access: access.roles(['analyst']) };

  app.get(
    '/api/studies/:studyId/comparison/groups',
    {
      config: analysts,
      schema: {
        tags,
        summary: "The study's groups that can be compared, each with its latest ended session and how many axes it has",
        params,
        response: { 200: ComparableGroups, ...authErrors },
      },
    },
    async (request) => {
      const groups = await studyGroupsFor(db, request.params.studyId, await request.principal());
      const finals = await listFinalAttributesOf(
        db,
        groups.flatMap((g) => (g.sessionId ? [g.sessionId] : [])),
      );
      return {
        groups: groups.map((g) => ({
          groupId: g.id,
          name: g.name,
          sessionId: g.sessionId,
          axes: finals.filter((f) => f.sessionId === g.sessionId).length,
        })),
      };
    },
  );

  app.get(
    '/api/studies/:studyId/comparison',
    {
      config: analysts,
      schema: {
        tags,
        summary:
          "Two or more groups' axes (their latest ended sessions' final attributes) paired by meaning: shared (one-to-one), near, unique; analysts' decisions applied",
        params,
        querystring: ComparisonQuery,
        response: { 200: Comparison, ...authErrors },
      },
    },
    async (request) => {
      const principal = await request.principal();
      const all = await studyGroupsFor(db, request.params.studyId, principal);
      const groups = askedGroups(all, request.query.groups, principal);
      const { table, groups: compared, model } = await loadComparison(db, embeddings, request.params.studyId, groups);
      return { pairs: table.pairs, unique: table.unique, broken: table.broken, groups: compared, suggestedBy: model };
    },
  );

  app.get(
    '/api/studies/:studyId/comparison/export',
    {
      config: analysts,
      schema: {
        tags,
        summary: 'The current comparison table (confirmed pairs and suggestions) as JSON, CSV or Markdown',
        params,
        querystring: ComparisonExportQuery,
        response: { 200: Type.Unknown(), ...authErrors },
      },
    },
    async (request, reply) => {
      const principal = await request.principal();
      const all = await studyGroupsFor(db, request.params.studyId, principal);
      const groups = askedGroups(all, request.query.groups, principal);
      const { table, groups: compared, model } = await loadComparison(db, embeddings, request.params.studyId, groups);
      const rows = comparisonRows(table, {
        groups: compared.map((g) => ({ id: g.groupId, name: g.name })),
        definitions: new Map(compared.flatMap((g) => g.axes.map((a) => [a.attributeId, a.definition] as const))),
      });
      const study = await findStudy(db, request.params.studyId);
      const generatedAt = new Date().toISOString();
      const filename = `calma-comparison-${request.params.studyId}`;
      switch (request.query.format ?? 'json') {
        case 'csv':
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${filename}.csv"`)
            .send(comparisonToCsv(rows));
        case 'md':
          return reply
            .type('text/markdown; charset=utf-8')
            .header('content-disposition', `attachment; filename="${filename}.md"`)
            .send(
              comparisonToMarkdown(rows, {
                title: `Axes compared across groups — ${study?.title ?? request.params.studyId}`,
                generatedAt,
              }),
            );
        default:
          return reply.header('content-disposition', `attachment; filename="${filename}.json"`).send({
            studyId: request.params.studyId,
            generatedAt,
            suggestedBy: model,
            groups: compared,
            pairs: table.pairs,
            unique: table.unique,
            broken: table.broken,
            rows,
          });
      }
    },
  );

  /** The two attributes of a pair, checked: of this study, of two groups, one the analyst's. */
  async function pairOf(studyId: string, a: string, b: string, principal: Principal) {
    if (a === b) throw badRequest('A pair needs two different axes');
    const found = await findFinalAttributesWithGroup(db, [a, b]);
    const x = found.find((f) => f.id === a);
    const y = found.find((f) => f.id === b);
    if (!x || !y || x.studyId !== studyId || y.studyId !== studyId)
      throw badRequest(`${!x || x.studyId !== studyId ? a : b} is not an axis of this study`);
    if (x.groupId === y.groupId) throw badRequest('A pair links axes of two different groups');
    if (principal.role === 'analyst' && principal.groupId !== x.groupId && principal.groupId !== y.groupId)
      throw forbidden("An analyst decides on pairs with their own group's axes");
  }

  app.put(
    '/api/studies/:studyId/comparison/pairs',
    {
      config: analysts,
      schema: {
        tags,
        summary:
          'Confirm a pair (as shared or near, kept whatever the embedder says; confirming a shared pair re-pairs its axes) or break it (never suggested again)',
        params,
        body: ComparisonDecisionBody,
        response: { 200: ComparisonDecision, ...authErrors },
      },
    },
    async (request) => {
      const principal = await request.principal();
      await studyGroupsFor(db, request.params.studyId, principal);
      const { a, b, status, kind } = request.body;
      await pairOf(request.params.studyId, a, b, principal);
      const row = await putComparisonDecision(db, {
        studyId: request.params.studyId,
        a,
        b,
        status,
        kind,
        decidedBy: deciderOf(principal),
      });
      return {
        a: row.aAttributeId,
        b: row.bAttributeId,
        status: row.status,
        kind: row.kind,
        decidedBy: row.decidedBy,
        decidedAt: row.decidedAt.toISOString(),
      };
    },
  );

  app.delete(
    '/api/studies/:studyId/comparison/pairs',
    {
      config: analysts,
      schema: {
        tags,
        summary: 'Withdraw the decision on a pair: it is suggested (or not) by the embedder again',
        params,
        querystring: ComparisonPairQuery,
        response: { 200: Type.Object({ deleted: Type.Literal(true) }), ...authErrors },
      },
    },
    async (request) => {
      const principal = await request.principal();
      await studyGroupsFor(db, request.params.studyId, principal);
      await pairOf(request.params.studyId, request.query.a, request.query.b, principal);
      if (!(await deleteComparisonDecision(db, request.params.studyId, request.query.a, request.query.b)))
        throw notFound('Decision');
      return { deleted: true as const };
    },
  );
};
