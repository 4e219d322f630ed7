import type { Principal } from '@calma/core';
import {
  JourneyEventKind,
  labelCloseness,
  type Orientation,
  orientationProblems,
  participantOrientation,
  scoreCheck,
} from '@calma/core';
import { appendJourneyEvent, type Database, findStudy, setStudyOrientation, setStudyStages } from '@calma/db';
import {
  authErrors,
  CheckBody,
  CheckResponse,
  GroupOrientation,
  GroupProgress,
  idParams,
  MyProgress,
  OrientationQuery,
  OrientationReadBody,
  PracticeBody,
  PracticeResponse,
  StudyOrientation,
  StudyOrientationResponse,
  StudyStages,
} from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EmbeddingCache } from '../../affinity/embedding-cache.js';
import { badRequest, forbidden, notFound } from '../../errors.js';
import { groupProgress, orientationOf, participantProgress, studyOfGroup } from '../../journey/progress.js';
import { access, groupScope } from '../../plugins/auth.js';

/** The caller as a participant, or 403: the admin passes every role check but has no journey. */
function asParticipant(principal: Principal): { participantId: string; groupId: string } {
  if (principal.role !== 'participant') throw forbidden('Only participants go through the journey');
  return principal;
}

/**
 * Familiarize and the participant journey: the study's orientation (owner's and participants'
 * views), pages read, the practice exercise scored by meaning, the comprehension check, stage
 * settings, and progress for the participant and for the group's staff. Every step a participant
 * takes is appended as a journey event: progress and the research record are the same rows.
 */
export const orientationRoutes: FastifyPluginAsyncTypebox<{ db: Database; embeddings: EmbeddingCache }> = async (
  app,
  { db, embeddings },
) => {
  const tags = ['familiarize'];
  const admin = access.roles(['admin']);
  const participant = access.group(['participant']);
  const studyParams = idParams('studyId');
  const groupParams = idParams('groupId');

  const loadStudy = async (studyId: string) => {
    const study = await findStudy(db, studyId);
    if (!study) throw notFound('Study');
    return study;
  };

  app.put(
    '/api/studies/:studyId/orientation',
    {
      config: { access: admin },
      schema: {
        tags,
        summary: "Set a study's orientation: pages, practice and comprehension check (correct answers included)",
        params: studyParams,
        body: StudyOrientation,
        response: { 200: StudyOrientation, ...authErrors },
      },
    },
    async (request) => {
      const study = await loadStudy(request.params.studyId);
      const problems = orientationProblems(request.body);
      if (problems.length > 0) throw badRequest(problems.join('; '));
      await setStudyOrientation(db, study.id, request.body);
      return request.body;
    },
  );

  app.get(
    '/api/studies/:studyId/orientation',
    {
      config: { access: admin },
      schema: {
        tags,
        summary: "A study's orientation with correct answers; the shipped default (isDefault) when none was set",
        params: studyParams,
        response: { 200: StudyOrientationResponse, ...authErrors },
      },
    },
    async (request) => {
      const study = await loadStudy(request.params.studyId);
      return { ...orientationOf(study), isDefault: study.orientation === null };
    },
  );

  app.put(
    '/api/studies/:studyId/stages',
    {
      config: { access: admin },
      schema: {
        tags,
        summary: "Set a study's stage settings: which stages are open, user turns per participant (min, max)",
        params: studyParams,
        body: StudyStages,
        response: { 200: StudyStages, ...authErrors },
      },
    },
    async (request) => {
      const study = await loadStudy(request.params.studyId);
      const { open, minTurns, maxTurns } = request.body;
      if (minTurns > maxTurns) throw badRequest(`minTurns ${minTurns} is more than maxTurns ${maxTurns}`);
      // Stored in the process's order, whatever order they were sent in.
      const ordered = (['familiarize', 'interact', 'reflect', 'discuss'] as const).filter((s) => open.includes(s));
      const stages = { open: ordered, minTurns, maxTurns };
      await setStudyStages(db, study.id, stages);
      return stages;
    },
  );

  app.get(
    '/api/studies/:studyId/stages',
    {
      config: { access: admin },
      schema: {
        tags,
        summary: "A study's stage settings",
        params: studyParams,
        response: { 200: StudyStages, ...authErrors },
      },
    },
    async (request) => (await loadStudy(request.params.studyId)).stages,
  );

  app.get(
    '/api/groups/:groupId/orientation',
    {
      config: { access: access.group(['moderator', 'analyst', 'participant']) },
      schema: {
        tags,
        summary:
          "The study's orientation for its participants: no correct answers, no reference labels (`lang` picks the shipped default's language)",
        params: groupParams,
        querystring: OrientationQuery,
        response: { 200: GroupOrientation, ...authErrors },
      },
    },
    async (request) => {
      const { group } = groupScope(request);
      const study = await studyOfGroup(db, group);
      const language = study.orientation === null ? (request.query.lang ?? study.language) : study.language;
      return { ...participantOrientation(orientationOf(study, language)), language };
    },
  );

  app.post(
    '/api/groups/:groupId/orientation/read',
    {
      config: { access: participant },
      schema: {
        tags,
        summary: 'Record that the participant read an orientation page (0-based); answers their progress',
        params: groupParams,
        body: OrientationReadBody,
        response: { 200: MyProgress, ...authErrors },
      },
    },
    async (request) => {
      const { principal, group } = groupScope(request);
      const me = asParticipant(principal);
      const study = await studyOfGroup(db, group);
      const { page } = request.body;
      const pages = orientationOf(study).pages.length;
      if (page >= pages) throw badRequest(`page ${page} does not exist: the orientation has ${pages} pages`);
      await appendJourneyEvent(db, {
        groupId: group.id,
        participantId: me.participantId,
        kind: JourneyEventKind.orientationRead,
        data: { page },
      });
      const progress = await participantProgress(db, study, group.id, me.participantId);
      return { ...progress, groupId: group.id, participantId: me.participantId };
    },
  );

  app.post(
    '/api/groups/:groupId/practice',
    {
      config: { access: participant },
      schema: {
        tags,
        summary:
          "Submit practice labels; answers each item's reference labels and how close the participant's labels were by meaning",
        params: groupParams,
        body: PracticeBody,
        response: { 200: PracticeResponse, ...authErrors },
      },
    },
    async (request) => {
      const { principal, group } = groupScope(request);
      const me = asParticipant(principal);
      const study = await studyOfGroup(db, group);
      const items = new Map(orientationOf(study).practice.map((item) => [item.id, item]));
      const answers = request.body.answers.map((answer) => {
        const item = items.get(answer.itemId);
        if (!item) throw badRequest(`practice item ${answer.itemId} does not exist`);
        const labels = [...new Set(answer.labels.map((l) => l.trim()).filter((l) => l !== ''))];
        return { item, labels };
      });
      const texts = answers.flatMap(({ item, labels }) => [...labels, ...item.referenceLabels]);
      const embedded = await embeddings.embed(texts);
      let next = 0;
      const take = (n: number) => {
        const taken = embedded.vectors.slice(next, next + n);
        next += n;
        return taken;
      };
      const results = answers.map(({ item, labels }) => {
        const own = take(labels.length);
        const references = take(item.referenceLabels.length);
        return {
          itemId: item.id,
          referenceLabels: item.referenceLabels,
          labels: labelCloseness(
            labels.map((text, i) => ({ text, vector: own[i] as Float32Array })),
            item.referenceLabels.map((text, i) => ({ text, vector: references[i] as Float32Array })),
          ),
        };
      });
      await appendJourneyEvent(db, {
        groupId: group.id,
        participantId: me.participantId,
        kind: JourneyEventKind.practiceSubmitted,
        data: {
          model: embedded.model,
          answers: results.map((r) => ({ itemId: r.itemId, labels: r.labels })),
        },
      });
      return { items: results, model: embedded.model };
    },
  );

  app.post(
    '/api/groups/:groupId/check',
    {
      config: { access: participant },
      schema: {
        tags,
        summary: 'Answer the comprehension check; retries allowed, each attempt recorded',
        params: groupParams,
        body: CheckBody,
        response: { 200: CheckResponse, ...authErrors },
      },
    },
    async (request) => {
      const { principal, group } = groupScope(request);
      const me = asParticipant(principal);
      const study = await studyOfGroup(db, group);
      const orientation: Orientation = orientationOf(study);
      const known = new Set(orientation.check.questions.map((q) => q.id));
      const { answers } = request.body;
      const unknown = Object.keys(answers).filter((id) => !known.has(id));
      if (unknown.length > 0) throw badRequest(`the check has no question ${unknown.join(', ')}`);
      const result = scoreCheck(orientation.check, answers);
      await appendJourneyEvent(db, {
        groupId: group.id,
        participantId: me.participantId,
        kind: JourneyEventKind.checkAttempt,
        data: { answers, ...result },
      });
      const progress = await participantProgress(db, study, group.id, me.participantId);
      return { ...result, attempts: progress.check.attempts };
    },
  );

  app.get(
    '/api/me/progress',
    {
      config: { access: access.roles(['participant']) },
      schema: {
        tags,
        summary: "The participant's stage (familiarize, interact, reflect, discuss) and what is left",
        response: { 200: MyProgress, ...authErrors },
      },
    },
    async (request) => {
      const me = asParticipant(await request.principal());
      const study = await studyOfGroup(db, me.groupId);
      const progress = await participantProgress(db, study, me.groupId, me.participantId);
      return { ...progress, groupId: me.groupId, participantId: me.participantId };
    },
  );

  app.get(
    '/api/groups/:groupId/progress',
    {
      config: { access: access.group(['moderator', 'analyst']) },
      schema: {
        tags,
        summary: "Every participant's stage and what is left",
        params: groupParams,
        response: { 200: GroupProgress, ...authErrors },
      },
    },
    async (request) => {
      const { group } = groupScope(request);
      const study = await studyOfGroup(db, group);
      return { participants: await groupProgress(db, study, group.id) };
    },
  );
};
