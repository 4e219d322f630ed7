import { memberRoles } from '@calma/core';
import { closeAbRound, latestEndedSessionAxes, listAbRounds, openAbRound, participantAbItems } from '@calma/db';
import {
  AbRound,
  AbRoundList,
  AbRoundSetup,
  authErrors,
  ErrorBody,
  ErrorCode,
  idParams,
  OpenAbRoundBody,
} from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { badRequest, conflict } from '../../errors.js';
import { access, groupScope } from '../../plugins/auth.js';
import { type AbContext, baselinePrompts, roundParams, tags } from './context.js';
import { roundView } from './view.js';

/**
 * A round's lifecycle: the group's rounds, what opening one chooses from, and the moderator
 * opening and closing it. Opening and closing go on the event bus, which the control socket passes
 * to the group's open pages.
 */
export const abRoundRoutes: FastifyPluginAsyncTypebox<{ ab: AbContext }> = async (app, { ab }) => {
  const { db, events, studyOf, roundOf, staffView, staffRound } = ab;
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
      // The repository refuses a second open round itself: another open may have won the race.
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
};

const alreadyOpen = () => conflict('A round is already open in this group; close it first', ErrorCode.wrongState);
