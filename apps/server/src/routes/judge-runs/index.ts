import { staffRoles } from '@calma/core';
import {
  type Database,
  findGroup,
  findInteractions,
  findJudgeRun,
  findStudy,
  type JudgeRunRow,
  listFinalAttributes,
  listJudgeRuns,
  listJudgeScores,
} from '@calma/db';
import {
  authErrors,
  ErrorBody,
  ErrorCode,
  idParams,
  JudgeRun,
  type JudgeRunAgreement,
  JudgeRunList,
  JudgeRunRequest,
} from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { badRequest, conflict, notFound } from '../../errors.js';
import type { JudgeRunner } from '../../judge/runner.js';
import { access, authorizeSession, sessionScope } from '../../plugins/auth.js';
import type { SessionService } from '../../sessions/service.js';

/** Who started a run, for its record: the role (staff tokens name no person). */
const startedBy = (principal: { role: string }) => principal.role;

async function summaryOf(db: Database, run: JudgeRunRow) {
  const axes = (await listFinalAttributes(db, run.sessionId)).map((f) => ({ id: f.id, name: f.name }));
  return {
    id: run.id,
    sessionId: run.sessionId,
    kind: run.kind,
    modelId: run.modelId,
    status: run.status,
    progress: run.progress,
    agreement: run.agreement as JudgeRunAgreement[],
    error: run.error ?? null,
    tokens: run.tokens,
    ms: run.ms,
    axes,
    rubricVersions: run.rubricVersions,
    createdAt: run.createdAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

/**
 * Judge runs (moderators, analysts, the admin): started here, worked in the background by the
 * {@link JudgeRunner}, read back with every score stored so far.
 */
export const judgeRunRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  runner: JudgeRunner;
  sessions: Pick<SessionService, 'get'>;
}> = async (app, { db, runner, sessions }) => {
  const tags = ['judge'];

  /** The run in `:id` for a member of its session's staff (404 unknown, 403 another group). */
  const readableRun = async (principal: Parameters<typeof authorizeSession>[1], runId: string) => {
    const run = await findJudgeRun(db, runId);
    if (!run) throw notFound('Judge run');
    await authorizeSession(sessions, principal, run.sessionId, staffRoles);
    return run;
  };

  app.post(
    '/api/sessions/:sessionId/judge-runs',
    {
      config: { access: access.session(staffRoles) },
      schema: {
        tags,
        summary:
          'Starts a judge run over the chosen interactions (default: every interaction with answers) along every final attribute: `llm` with a study model and the rubric, or the offline `classifier`',
        params: idParams('sessionId'),
        body: JudgeRunRequest,
        response: { 202: Type.Object({ id: Type.String() }), ...authErrors },
      },
    },
    async (request, reply) => {
      const { principal, session } = sessionScope(request);
      const body = request.body;
      let modelId: string | null = null;
      if (body.kind === 'llm') {
        if (!body.modelId) throw badRequest('An llm judge run needs modelId: one of the study models');
        const group = await findGroup(db, session.groupId);
        const study = group ? await findStudy(db, group.studyId) : undefined;
        if (!study?.models.some((m) => m.id === body.modelId))
          throw badRequest(`modelId ${body.modelId} is not a model of this study`, ErrorCode.invalidReference);
        modelId = body.modelId;
      } else if (body.modelId !== undefined) {
        throw badRequest('A classifier run takes no modelId: it uses the configured embedder');
      }
      if (body.interactionIds) {
        const found = await findInteractions(db, session.groupId, body.interactionIds);
        const known = new Set(found.map((i) => i.id));
        const unknown = body.interactionIds.filter((id) => !known.has(id));
        if (unknown.length > 0)
          throw badRequest(
            `interactionIds not of this group: ${unknown.slice(0, 5).join(', ')}`,
            ErrorCode.invalidReference,
          );
      }
      const run = await runner.start({
        sessionId: session.id,
        kind: body.kind,
        modelId,
        interactionIds: body.interactionIds ?? null,
        createdBy: startedBy(principal),
      });
      return reply.code(202).send({ id: run.id });
    },
  );

  app.get(
    '/api/sessions/:sessionId/judge-runs',
    {
      config: { access: access.session(staffRoles) },
      schema: {
        tags,
        summary: "The session's judge runs, newest first, without their scores",
        params: idParams('sessionId'),
        response: { 200: JudgeRunList, ...authErrors },
      },
    },
    async (request) => {
      const { session } = sessionScope(request);
      const runs = await listJudgeRuns(db, session.id);
      return { runs: await Promise.all(runs.map((run) => summaryOf(db, run))) };
    },
  );

  app.get(
    '/api/judge-runs/:id',
    {
      config: { access: access.roles(staffRoles) },
      schema: {
        tags,
        summary:
          'A judge run: status, progress {done,total}, every score stored so far, agreement with people per axis, tokens and time',
        params: idParams('id'),
        response: { 200: JudgeRun, ...authErrors },
      },
    },
    async (request) => {
      const run = await readableRun(await request.principal(), request.params.id);
      const scores = await listJudgeScores(db, run.id);
      return {
        ...(await summaryOf(db, run)),
        // Score 0 marks an item the judge gave no score (an unparseable reply); it is not a score.
        scores: scores
          .filter((s) => s.score >= 1)
          .map((s) => ({
            interactionId: s.interactionId,
            messageIndex: s.messageIndex,
            axisId: s.axisId,
            score: s.score,
            rationale: s.rationale,
          })),
        failures: scores
          .filter((s) => s.score < 1)
          .map((s) => ({
            interactionId: s.interactionId,
            messageIndex: s.messageIndex,
            axisId: s.axisId,
            reason: s.rationale ?? '',
          })),
      };
    },
  );

  app.post(
    '/api/judge-runs/:id/resume',
    {
      config: { access: access.roles(staffRoles) },
      schema: {
        tags,
        summary: 'Takes up a failed run where it stopped: stored scores are kept and not asked again',
        params: idParams('id'),
        response: { 202: Type.Object({ id: Type.String() }), 409: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => {
      const run = await readableRun(await request.principal(), request.params.id);
      if (run.status !== 'failed' || runner.isActive(run.id))
        throw conflict(`Only a failed run can be resumed; this one is ${run.status}`, ErrorCode.wrongState);
      await runner.resume(run.id);
      return reply.code(202).send({ id: run.id });
    },
  );
};
