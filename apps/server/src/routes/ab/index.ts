import { randomInt } from 'node:crypto';
import {
  type AbExportItem,
  abChoiceToModel,
  abItemsToCsv,
  abModelToChoice,
  abNextFirstModel,
  memberRoles,
  pseudonymsFor,
  staffRoles,
  tallyAbVotes,
} from '@calma/core';
import {
  type AbRoundRow,
  abRoundCounts,
  baselineCopyId,
  closeAbRound,
  createAbItem,
  type Database,
  findAbItem,
  findAbRound,
  findStudy,
  latestEndedSessionAxes,
  listAbItems,
  listAbRounds,
  listParticipants,
  openAbRound,
  participantAbItems,
  voteAbItem,
} from '@calma/db';
import type { ChatProvider } from '@calma/models';
import {
  AbExport,
  AbExportQuery,
  AbItem,
  AbItemBody,
  AbResults,
  AbRound,
  AbRoundList,
  AbRoundSetup,
  AbVote,
  AbVoteBody,
  authErrors,
  ErrorBody,
  ErrorCode,
  idParams,
  OpenAbRoundBody,
} from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../errors.js';
import type { EventBus } from '../../events/bus.js';
import { access, groupScope } from '../../plugins/auth.js';
import { type AbAnswerLimits, type AbProviderSource, defaultAbProviders, generateAbAnswers } from './answers.js';
import { roundView } from './view.js';

/** What the A/B routes take. */
export interface AbRouteOptions {
  db: Database;
  events: EventBus;
  limits: AbAnswerLimits & { maxChars: number };
  /** Where providers come from (default: `providerFor`, replay bound to the study's recordings). */
  providers?: AbProviderSource;
  local?: ChatProvider;
}

/** How results are computed, said once (the results carry it, so an export reader knows). */
const method =
  'Win rate = (wins + ties / 2) / votes on the axis ("equal" is half a win for each model); 95 % Wilson score interval over those votes.';

const roundParams = idParams('groupId', 'roundId');
const itemParams = idParams('groupId', 'roundId', 'itemId');

/**
 * Community A/B rounds. The moderator opens a round on two study models and the group's axes;
 * participants ask for items (a baseline prompt or their own), read both answers in an order drawn
 * per participant in balanced blocks, and choose per axis. Nothing a participant receives names
 * the models or the order; results (per model per axis, Wilson intervals) are for staff while the
 * round is open and for everyone in the group once it is closed; the raw export is staff's, by
 * pseudonym.
 */
export const abRoutes: FastifyPluginAsyncTypebox<AbRouteOptions> = async (app, options) => {
  const { db, events, limits } = options;
  const providers = options.providers ?? defaultAbProviders(db, options.local);
  const tags = ['ab'];
  /** Participants whose item is being generated: one at a time each. */
  const generating = new Set<string>();

  const studyOf = async (studyId: string) => {
    const study = await findStudy(db, studyId);
    if (!study) throw notFound('Study');
    return study;
  };
  const roundOf = async (groupId: string, roundId: string) => {
    const round = await findAbRound(db, groupId, roundId);
    if (!round) throw notFound('A/B round');
    return round;
  };
  const staffView = async (studyId: string, rows: Awaited<ReturnType<typeof listAbRounds>>) => {
    const [study, counts] = await Promise.all([
      studyOf(studyId),
      abRoundCounts(
        db,
        rows.map((r) => r.id),
      ),
    ]);
    return rows.map((row) =>
      roundView(
        row,
        {
          staff: true,
          models: study.models,
          counts: counts.get(row.id) ?? { items: 0, voted: 0, participants: 0 },
        },
        baselinePrompts(row.groupId, study.baseline).length,
      ),
    );
  };
  const staffRound = async (studyId: string, row: AbRoundRow) => {
    const [view] = await staffView(studyId, [row]);
    if (!view?.models || !view.counts) throw new Error('a staff view has models and counts');
    return { ...view, models: view.models, counts: view.counts };
  };
  const announce = (round: { id: string; groupId: string; status: 'open' | 'closed' }) =>
    events.notify({ type: 'ab-round-changed', groupId: round.groupId, roundId: round.id, status: round.status });

  app.get(
    '/api/groups/:groupId/ab-rounds',
    {
      config: { access: access.group(memberRoles) },
      schema: {
        tags,
        summary:
          "The group's A/B rounds, newest first (staff see the models and counts; participants only the axes and their own progress)",
        params: idParams('groupId'),
        response: { 200: AbRoundList, ...authErrors },
      },
    },
    async (request) => {
      const { principal, group } = groupScope(request);
      const rows = await listAbRounds(db, group.id);
      if (principal.role !== 'participant') return { rounds: await staffView(group.studyId, rows) };
      const study = await studyOf(group.studyId);
      const offered = baselinePrompts(group.id, study.baseline).length;
      const rounds = await Promise.all(
        rows.map(async (row) => {
          const mine = await participantAbItems(db, row.id, principal.participantId);
          return roundView(row, { staff: false, voted: mine.filter((i) => i.votedAt !== null).length }, offered);
        }),
      );
      return { rounds };
    },
  );

  app.get(
    '/api/groups/:groupId/ab-rounds/setup',
    {
      config: { access: access.group(['moderator']) },
      schema: {
        tags,
        summary:
          "What opening a round chooses from: the study's models, the final attributes of the latest ended session (null when none) and the baseline prompts",
        params: idParams('groupId'),
        response: { 200: AbRoundSetup, ...authErrors },
      },
    },
    async (request) => {
      const { group } = groupScope(request);
      const [study, ended] = await Promise.all([studyOf(group.studyId), latestEndedSessionAxes(db, group.id)]);
      return {
        models: study.models.map((m) => ({ id: m.id, label: m.label })),
        axes: ended?.axes ?? null,
        sessionId: ended?.sessionId ?? null,
        baselinePrompts: baselinePrompts(group.id, study.baseline).length,
      };
    },
  );

  app.post(
    '/api/groups/:groupId/ab-rounds',
    {
      config: { access: access.group(['moderator']) },
      schema: {
        tags,
        summary:
          'Open an A/B round on two study models (moderator). Axes are the final attributes of the latest ended session, or `axes` when there is none; 409 while another round is open',
        params: idParams('groupId'),
        body: OpenAbRoundBody,
        response: { 201: AbRound, ...authErrors, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { group } = groupScope(request);
      const body = request.body;
      const [study, ended, existing] = await Promise.all([
        studyOf(group.studyId),
        latestEndedSessionAxes(db, group.id),
        listAbRounds(db, group.id),
      ]);
      // Said first, whatever the body: nothing in it could make a second open round acceptable.
      if (existing.some((r) => r.status === 'open')) throw alreadyOpen();
      if (body.modelA === body.modelB) throw badRequest('Choose two different models');
      for (const id of [body.modelA, body.modelB]) {
        if (!study.models.some((m) => m.id === id)) {
          throw badRequest(`${id} is not a model of this study`, ErrorCode.invalidReference);
        }
      }
      let axes: { id: string; name: string; definition: string }[];
      if (ended) {
        if (body.axes) {
          throw badRequest("The axes are the final attributes of the group's ended session; send no axes");
        }
        axes = ended.axes;
      } else {
        if (!body.axes) throw badRequest('The group has no ended session with final attributes: send the axes');
        const names = new Set<string>();
        axes = body.axes.map((axis, i) => {
          const name = axis.name.trim();
          if (name === '') throw badRequest(`axes[${i}].name may not be blank`);
          if (names.has(name.toLowerCase())) throw badRequest(`axes[${i}].name "${name}" is used twice`);
          names.add(name.toLowerCase());
          return { id: `axis-${i + 1}`, name, definition: axis.definition.trim() };
        });
      }
      const prompts = body.prompts ?? 'both';
      if (prompts === 'baseline' && baselinePrompts(group.id, study.baseline).length === 0) {
        throw badRequest('The study has no baseline prompts: let participants write their own');
      }
      const row = await openAbRound(db, {
        groupId: group.id,
        sessionId: ended?.sessionId ?? null,
        modelA: body.modelA,
        modelB: body.modelB,
        axes,
        prompts,
      });
      if (!row) throw alreadyOpen();
      announce(row);
      return reply.status(201).send(await staffRound(group.studyId, row));
    },
  );

  app.post(
    '/api/groups/:groupId/ab-rounds/:roundId/close',
    {
      config: { access: access.group(['moderator']) },
      schema: {
        tags,
        summary: 'Close an open A/B round (moderator); its results then open to the group',
        params: roundParams,
        response: { 200: AbRound, ...authErrors, 409: ErrorBody },
      },
    },
    async (request) => {
      const { group } = groupScope(request);
      await roundOf(group.id, request.params.roundId);
      const row = await closeAbRound(db, request.params.roundId);
      if (!row) throw conflict('The round is already closed', ErrorCode.wrongState);
      announce(row);
      return staffRound(group.studyId, row);
    },
  );

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

const alreadyOpen = () => conflict('A round is already open in this group; close it first', ErrorCode.wrongState);

/** The study's baseline prompts: each item's first user turn. */
function baselinePrompts(groupId: string, baseline: { id: string; messages: { role: string; content: string }[] }[]) {
  return baseline.flatMap((item) => {
    const prompt = item.messages.find((m) => m.role === 'user')?.content.trim();
    // Named by the group's copy of the item, the interaction its labels and codes are on.
    return prompt ? [{ id: baselineCopyId(groupId, item.id), prompt }] : [];
  });
}

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
