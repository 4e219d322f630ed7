import { randomInt } from 'node:crypto';
import { abChoiceToModel, abModelToChoice, abNextFirstModel } from '@calma/core';
import { createAbItem, findAbItem, participantAbItems, voteAbItem } from '@calma/db';
import { AbItem, AbItemBody, AbVote, AbVoteBody, authErrors, ErrorBody, ErrorCode, idParams } from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../errors.js';
import { access, groupScope } from '../../plugins/auth.js';
import { generateAbAnswers } from './answers.js';
import { type AbContext, baselinePrompts, roundParams, tags } from './context.js';

const itemParams = idParams('groupId', 'roundId', 'itemId');

/**
 * A participant's part in a round: the item waiting for their vote, a new item (both models
 * answer, shown first and second in an order drawn per participant), and the vote. Nothing sent
 * back names a model or the order.
 */
export const abItemRoutes: FastifyPluginAsyncTypebox<{ ab: AbContext }> = async (app, { ab }) => {
  const { db, limits, providers, studyOf, roundOf } = ab;
  /** Participants whose item is being generated: one at a time each. */
  const generating = new Set<string>();

  app.get(
    '/api/groups/:groupId/ab-rounds/:roundId/items/pending',
    {
      config: { access: access.group(['participant']) },
      schema: {
        tags,
        summary: 'The participant’s item not voted on yet, if any (after a reload)',
        params: roundParams,
        response: { 200: Type.Object({ item: Type.Union([AbItem, Type.Null()]) }), ...authErrors },
      },
    },
    async (request) => {
      const { principal, group } = groupScope(request);
      if (principal.role !== 'participant') throw forbidden('Only participants take part in a round');
      await roundOf(group.id, request.params.roundId);
      const mine = await participantAbItems(db, request.params.roundId, principal.participantId);
      const pending = mine.find((i) => i.votedAt === null);
      return { item: pending ? itemView(pending) : null };
    },
  );

  app.post(
    '/api/groups/:groupId/ab-rounds/:roundId/items',
    {
      config: { access: access.group(['participant']) },
      schema: {
        tags,
        summary:
          'A new item (participant): both models answer `prompt`, or a baseline prompt when none is sent; the answers come as first and second, never naming a model. 409 while an item waits for a vote or the round is closed; 502 when a model fails',
        params: roundParams,
        body: Type.Union([AbItemBody, Type.Null()]),
        response: { 201: AbItem, ...authErrors, 409: ErrorBody, 413: ErrorBody, 502: ErrorBody },
      },
    },
    async (request, reply) => {
      const { principal, group } = groupScope(request);
      if (principal.role !== 'participant') throw forbidden('Only participants take part in a round');
      const round = await roundOf(group.id, request.params.roundId);
      if (round.status !== 'open') throw conflict('The round is closed', ErrorCode.wrongState);
      const own = request.body?.prompt?.trim();
      if (own !== undefined) {
        if (own === '') throw badRequest('The prompt is empty');
        if (round.prompts === 'baseline') throw badRequest('This round uses the baseline prompts only');
        if (own.length > limits.maxChars) {
          throw new AppError(
            413,
            ErrorCode.payloadTooLarge,
            `The prompt is ${own.length} characters long; the limit is ${limits.maxChars}`,
          );
        }
      } else if (round.prompts === 'own') throw badRequest('This round asks for your own prompt');
      // Checked and taken with no await in between: two posts racing cannot both generate.
      if (generating.has(principal.participantId)) {
        throw conflict('Your previous item is still being answered', ErrorCode.answerInProgress);
      }
      generating.add(principal.participantId);
      try {
        const [study, mine] = await Promise.all([
          studyOf(group.studyId),
          participantAbItems(db, round.id, principal.participantId),
        ]);
        if (mine.some((i) => i.votedAt === null)) {
          throw conflict('Vote on the item you have before asking for another', ErrorCode.wrongState);
        }
        let prompt = own;
        let baselineId: string | null = null;
        if (prompt === undefined) {
          const pick = leastUsedBaseline(baselinePrompts(group.id, study.baseline), mine);
          if (!pick) throw conflict('The study has no baseline prompts; write your own', ErrorCode.wrongState);
          prompt = pick.prompt;
          baselineId = pick.id;
        }
        const a = study.models.find((m) => m.id === round.modelA);
        const b = study.models.find((m) => m.id === round.modelB);
        if (!a || !b) throw conflict('A model of this round is no longer in the study', ErrorCode.wrongState);
        const answers = await generateAbAnswers(providers, study, { a, b }, prompt, limits, (err, modelId) =>
          request.log.warn({ err, roundId: round.id, modelId }, 'an A/B model failed to answer'),
        );
        const firstModel = abNextFirstModel(
          mine.map((i) => i.firstModel),
          () => randomInt(1_000_000) / 1_000_000,
        );
        const row = await createAbItem(db, {
          roundId: round.id,
          participantId: principal.participantId,
          prompt,
          baselineId,
          firstModel,
          answers:
            firstModel === 'a' ? { first: answers.a, second: answers.b } : { first: answers.b, second: answers.a },
        });
        return reply.status(201).send(itemView(row));
      } finally {
        generating.delete(principal.participantId);
      }
    },
  );

  app.post(
    '/api/groups/:groupId/ab-rounds/:roundId/items/:itemId/votes',
    {
      config: { access: access.group(['participant']) },
      schema: {
        tags,
        summary:
          'Vote on an item (its participant, once): first, second or equal for every axis of the round. 400 for an unknown or missing axis, 409 for a second vote or a closed round',
        params: itemParams,
        body: AbVoteBody,
        response: { 200: AbVote, ...authErrors, 409: ErrorBody },
      },
    },
    async (request) => {
      const { principal, group } = groupScope(request);
      if (principal.role !== 'participant') throw forbidden('Only participants take part in a round');
      const round = await roundOf(group.id, request.params.roundId);
      const item = await findAbItem(db, round.id, request.params.itemId);
      // Another participant's item is as unknown as a missing one: ids are not to be probed.
      if (!item || item.participantId !== principal.participantId) throw notFound('A/B item');
      const axisIds = new Set(round.axes.map((a) => a.id));
      const given = request.body.votes;
      for (const id of Object.keys(given)) {
        if (!axisIds.has(id)) throw badRequest(`${id} is not an axis of this round`, ErrorCode.invalidReference);
      }
      const missing = round.axes.filter((a) => given[a.id] === undefined).map((a) => a.name);
      if (missing.length > 0) throw badRequest(`Choose on every axis; missing: ${missing.join(', ')}`);
      if (round.status !== 'open') throw conflict('The round is closed', ErrorCode.wrongState);
      if (item.votedAt !== null) throw conflict('You have already voted on this item', ErrorCode.conflict);
      const byModel = Object.fromEntries(
        round.axes.map((a) => [a.id, abChoiceToModel(given[a.id] ?? 'equal', item.firstModel)]),
      );
      const stored = await voteAbItem(db, item.id, byModel);
      if (!stored?.votes || !stored.votedAt) {
        throw conflict('You have already voted on this item', ErrorCode.conflict);
      }
      const shown = Object.fromEntries(
        Object.entries(stored.votes).map(([axis, choice]) => [axis, abModelToChoice(choice, item.firstModel)]),
      );
      return { itemId: item.id, votes: shown, votedAt: stored.votedAt.toISOString() };
    },
  );
};

/** The baseline prompt this participant has had least often in the round (ties drawn at random). */
function leastUsedBaseline(prompts: { id: string; prompt: string }[], mine: { baselineId: string | null }[]) {
  const used = new Map<string, number>();
  for (const item of mine) if (item.baselineId) used.set(item.baselineId, (used.get(item.baselineId) ?? 0) + 1);
  const fewest = Math.min(...prompts.map((p) => used.get(p.id) ?? 0));
  const candidates = prompts.filter((p) => (used.get(p.id) ?? 0) === fewest);
  return candidates.length === 0 ? undefined : candidates[randomInt(candidates.length)];
}

/** An item as its participant sees it: the prompt and the answers in the order shown, nothing else. */
function itemView(row: {
  id: string;
  prompt: string;
  baselineId: string | null;
  answers: { first: string; second: string };
}) {
  return {
    itemId: row.id,
    prompt: row.prompt,
    source: row.baselineId === null ? ('own' as const) : ('baseline' as const),
    answers: { first: row.answers.first, second: row.answers.second },
  };
}
