import { type AbExportItem, abItemsToCsv, memberRoles, pseudonymsFor, staffRoles, tallyAbVotes } from '@calma/core';
import { listAbItems, listParticipants } from '@calma/db';
import { AbExport, AbExportQuery, AbResults, authErrors } from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { forbidden } from '../../errors.js';
import { access, groupScope } from '../../plugins/auth.js';
import { type AbContext, roundParams, tags } from './context.js';

/** How results are computed, said once (the results carry it, so an export reader knows). */
const method =
  'Win rate = (wins + ties / 2) / votes on the axis ("equal" is half a win for each model); 95 % Wilson score interval over those votes.';

/**
 * What a round found: results per model per axis (staff any time, the group once it is closed)
 * and the raw export for staff, by pseudonym, with answers and votes by model rather than by order.
 */
export const abResultRoutes: FastifyPluginAsyncTypebox<{ ab: AbContext }> = async (app, { ab }) => {
  const { db, roundOf, staffRound } = ab;

  app.get(
    '/api/groups/:groupId/ab-rounds/:roundId/results',
    {
      config: { access: access.group(memberRoles) },
      schema: {
        tags,
        summary:
          'Results per model per axis: wins, losses, ties, votes, win rate (equal = half a win) and its 95 % Wilson interval. Staff any time; participants once the round is closed',
        params: roundParams,
        response: { 200: AbResults, ...authErrors },
      },
    },
    async (request) => {
      const { principal, group } = groupScope(request);
      const round = await roundOf(group.id, request.params.roundId);
      // While a round runs, results would colour the votes still to come.
      if (principal.role === 'participant' && round.status === 'open') {
        throw forbidden('Results are shown once the moderator closes the round');
      }
      const [view, items] = await Promise.all([staffRound(group.studyId, round), listAbItems(db, round.id)]);
      const voted = items.filter((i) => i.votes !== null);
      const tallies = tallyAbVotes(
        round.axes.map((a) => a.id),
        voted.map((i) => i.votes),
      );
      return {
        round: principal.role === 'participant' ? { ...view, counts: undefined } : view,
        models: view.models,
        items: view.counts.items,
        voted: view.counts.voted,
        participants: new Set(voted.map((i) => i.participantId)).size,
        axes: round.axes.map((axis, i) => {
          const tally = tallies[i];
          if (!tally) throw new Error('one tally per axis');
          return { ...axis, n: tally.n, a: tally.a, b: tally.b };
        }),
        method,
      };
    },
  );

  app.get(
    '/api/groups/:groupId/ab-rounds/:roundId/export',
    {
      config: { access: access.group(staffRoles) },
      schema: {
        tags,
        summary:
          'The raw data of a round (moderators, analysts), pseudonymous (P1, P2… in join order): `?format=json` (default) or `csv` (one row per item and axis)',
        params: roundParams,
        querystring: AbExportQuery,
        produces: ['application/json', 'text/csv'],
        response: {
          200: {
            description: 'The round and its items (JSON), or one row per item and axis (CSV)',
            content: { 'application/json': { schema: AbExport }, 'text/csv': { schema: Type.String() } },
          },
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const { group } = groupScope(request);
      const round = await roundOf(group.id, request.params.roundId);
      const [view, rows, people] = await Promise.all([
        staffRound(group.studyId, round),
        listAbItems(db, round.id),
        listParticipants(db, group.id),
      ]);
      const pseudonyms = pseudonymsFor(people.map((p) => p.id));
      const items: AbExportItem[] = rows.map((row) => ({
        itemId: row.id,
        participant: row.participantId === null ? 'Unknown' : (pseudonyms.get(row.participantId) ?? 'Unknown'),
        prompt: row.prompt,
        baselineId: row.baselineId,
        firstModel: row.firstModel,
        answers:
          row.firstModel === 'a'
            ? { a: row.answers.first, b: row.answers.second }
            : { a: row.answers.second, b: row.answers.first },
        votes: row.votes,
        createdAt: row.createdAt.toISOString(),
        votedAt: row.votedAt?.toISOString() ?? null,
      }));
      const name = `calma-ab-${round.id}`;
      reply.header('cache-control', 'no-store');
      if (request.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}.csv"`)
          .send(abItemsToCsv(round, items));
      }
      reply.header('content-disposition', `attachment; filename="${name}.json"`);
      return { round: view, models: view.models, items };
    },
  );
};
