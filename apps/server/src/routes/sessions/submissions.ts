import {
  checkFinalAttributes,
  checkFinalReferences,
  checkMapping,
  checkSegment1,
  checkSegment5,
  memberRoles,
  type Principal,
  readableSubmitter,
  staffRoles,
} from '@calma/core';
import {
  type Database,
  type FinalAttributeRow,
  finalAttributeOwners,
  findInteractions,
  findLabels,
  listFinalAttributes,
  listSegment1,
  listSegment5,
  newId,
  replaceFinalAttributes,
  replaceSegment1,
  type Segment1Row,
  type Segment5Row,
  setMapping,
  upsertSegment5,
} from '@calma/db';
import {
  authErrors,
  ErrorBody,
  FinalAttributesBody,
  FinalAttributesResponse,
  idParams,
  MappingBody,
  MappingResponse,
  Segment1Body,
  Segment1Response,
  Segment5Body,
  Submissions,
} from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AffinityService } from '../../affinity/service.js';
import { forbidden, orThrow } from '../../errors.js';
import { access, sessionScope } from '../../plugins/auth.js';
import type { LoadedSession, SessionService } from '../../sessions/service.js';

const toSegment1 = (row: Segment1Row) => ({
  id: row.id,
  participantId: row.participantId,
  name: row.name,
  definition: row.definition,
  rank: row.rank,
});

const toFinal = (row: FinalAttributeRow) => ({
  id: row.id,
  name: row.name,
  definition: row.definition,
  exampleInteractionIds: row.exampleInteractionIds,
  sourceLabelIds: row.sourceLabelIds,
  position: row.position,
});

const toSegment5 = (row: Segment5Row) => ({
  participantId: row.participantId,
  likert: row.likert,
  ranking: row.ranking,
  submittedAt: row.submittedAt.toISOString(),
});

/** Groups segment-1 rows by participant, keeping rank order. */
function bySubmitter(rows: Segment1Row[]) {
  const groups = new Map<string, Segment1Row[]>();
  for (const row of rows) groups.set(row.participantId, [...(groups.get(row.participantId) ?? []), row]);
  return [...groups.entries()].map(([participantId, attrs]) => ({
    participantId,
    attributes: attrs.map(toSegment1),
    submittedAt: (attrs[0]?.createdAt ?? new Date(0)).toISOString(),
  }));
}

/** Private submissions of segments 1 and 5, the final attributes of segment 4, and the mapping. */
export const submissionRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  sessions: SessionService;
  affinity: AffinityService;
}> = async (app, { db, sessions, affinity }) => {
  const tags = ['submissions'];
  const params = idParams('sessionId');

  app.put(
    '/api/sessions/:sessionId/segment1',
    {
      config: { access: access.session(['participant']) },
      schema: {
        tags,
        summary: "A participant's top-3 attributes, in rank order (only while segment 1 runs); replaces earlier ones",
        params,
        body: Segment1Body,
        response: { 200: Segment1Response, ...authErrors, 409: ErrorBody },
      },
    },
    async (request) => {
      const { principal, session } = sessionScope(request);
      const { participantId, submission } = orThrow(checkSegment1(principal, session.state, request.body.attributes));
      const rows = await replaceSegment1(db, session.id, participantId, submission);
      await sessions.announceSubmission(session.id, 1);
      return { attributes: rows.map(toSegment1) };
    },
  );

  app.put(
    '/api/sessions/:sessionId/final-attributes',
    {
      config: { access: access.session(['moderator']) },
      schema: {
        tags,
        summary: "The group's final attributes and its top-3 and top-5 (segment 4); replaces the earlier set",
        params,
        body: FinalAttributesBody,
        response: { 200: FinalAttributesResponse, ...authErrors, 409: ErrorBody },
      },
    },
    async (request) => {
      const { session } = sessionScope(request);
      const checked = orThrow(checkFinalAttributes(session.state, request.body, () => newId('fa')));
      const { attributes, groupTop3, groupTop5 } = checked;
      const [owners, interactions, labels] = await Promise.all([
        finalAttributeOwners(
          db,
          attributes.map((a) => a.id),
        ),
        findInteractions(db, session.groupId, [...new Set(attributes.flatMap((a) => a.exampleInteractionIds))]),
        findLabels(db, session.groupId, [...new Set(attributes.flatMap((a) => a.sourceLabelIds))]),
      ]);
      orThrow(
        checkFinalReferences(checked, {
          sessionId: session.id,
          owners: new Map(owners),
          interactionIds: new Set(interactions.map((i) => i.id)),
          labelIds: new Set(labels.map((l) => l.id)),
        }),
      );
      const rows = await replaceFinalAttributes(db, session.id, attributes, groupTop3, groupTop5);
      sessions.announceFinalAttributes(session.id);
      return { attributes: rows.map(toFinal), groupTop3, groupTop5 };
    },
  );

  app.get(
    '/api/sessions/:sessionId/final-attributes',
    {
      config: { access: access.session(memberRoles) },
      schema: {
        tags,
        summary: "The group's final attributes",
        params,
        response: { 200: FinalAttributesResponse, ...authErrors },
      },
    },
    async (request) => {
      const { session } = sessionScope(request);
      const rows = await listFinalAttributes(db, session.id);
      return { attributes: rows.map(toFinal), groupTop3: session.row.groupTop3, groupTop5: session.row.groupTop5 };
    },
  );

  app.put(
    '/api/sessions/:sessionId/segment1-mapping',
    {
      config: { access: access.session(['moderator']) },
      schema: {
        tags,
        summary: 'Confirm which final attribute each segment-1 attribute became (null: none); replaces the mapping',
        params,
        body: MappingBody,
        response: { 200: Type.Object({ mapping: MappingBody.properties.mapping }), ...authErrors },
      },
    },
    async (request) => {
      const { session } = sessionScope(request);
      const [segment1, finals] = await Promise.all([listSegment1(db, session.id), listFinalAttributes(db, session.id)]);
      orThrow(checkMapping(request.body.mapping, new Set(segment1.map((r) => r.id)), new Set(finals.map((r) => r.id))));
      await setMapping(db, session.id, request.body.mapping);
      return { mapping: request.body.mapping };
    },
  );

  app.get(
    '/api/sessions/:sessionId/segment1-mapping',
    {
      config: { access: access.session(staffRoles) },
      schema: {
        tags,
        summary: 'Segment-1 attributes, the confirmed mapping, and suggestions by similarity',
        params,
        response: { 200: MappingResponse, ...authErrors },
      },
    },
    async (request) => {
      const { session } = sessionScope(request);
      const [segment1, finals] = await Promise.all([listSegment1(db, session.id), listFinalAttributes(db, session.id)]);
      const { suggested, suggestedBy } = await affinity.suggestMapping(segment1, finals);
      return { attributes: segment1.map(toSegment1), mapping: session.row.mapping, suggested, suggestedBy };
    },
  );

  app.put(
    '/api/sessions/:sessionId/segment5',
    {
      config: { access: access.session(['participant']) },
      schema: {
        tags,
        summary: 'Rate every final attribute 1–5 and rank a subset, best first (only while segment 5 runs)',
        params,
        body: Segment5Body,
        response: {
          200: Type.Object({ likert: Segment5Body.properties.likert, ranking: Segment5Body.properties.ranking }),
          ...authErrors,
          409: ErrorBody,
        },
      },
    },
    async (request) => {
      const { principal, session } = sessionScope(request);
      const finals = new Set((await listFinalAttributes(db, session.id)).map((f) => f.id));
      const { participantId, submission } = orThrow(checkSegment5(principal, session.state, finals, request.body));
      await upsertSegment5(db, { sessionId: session.id, participantId, ...submission });
      await sessions.announceSubmission(session.id, 5);
      return { likert: submission.likert, ranking: submission.ranking };
    },
  );

  const readSubmissions = async (principal: Principal, session: LoadedSession, participantId: string | undefined) => {
    const who1 = readableSubmitter(principal, session.state.revealed, 1, participantId);
    const who5 = readableSubmitter(principal, session.state.revealed, 5, participantId);
    if (who1 === null && who5 === null) {
      throw forbidden("Another participant's submissions stay private until the moderator reveals them");
    }
    const [segment1, finals, segment5] = await Promise.all([
      who1 === null ? [] : listSegment1(db, session.id, who1),
      listFinalAttributes(db, session.id),
      who5 === null ? [] : listSegment5(db, session.id, who5),
    ]);
    return {
      segment1: bySubmitter(segment1),
      finalAttributes: finals.map(toFinal),
      groupTop3: session.row.groupTop3,
      groupTop5: session.row.groupTop5,
      mapping: principal.role === 'participant' ? null : session.row.mapping,
      segment5: segment5.map(toSegment5),
    };
  };

  app.get(
    '/api/sessions/:sessionId/submissions',
    {
      config: { access: access.session(memberRoles) },
      schema: {
        tags,
        summary: 'Submissions the caller may see (participants: their own, and others only after a reveal)',
        params,
        querystring: Type.Object({ participantId: Type.Optional(idParams('participantId').properties.participantId) }),
        response: { 200: Submissions, ...authErrors },
      },
    },
    async (request) => {
      const { principal, session } = sessionScope(request);
      return readSubmissions(principal, session, request.query.participantId);
    },
  );

  app.get(
    '/api/sessions/:sessionId/submissions/:participantId',
    {
      config: { access: access.session(memberRoles) },
      schema: {
        tags,
        summary: "One participant's submissions (403 for another's, to a participant, before the reveal)",
        params: idParams('sessionId', 'participantId'),
        response: { 200: Submissions, ...authErrors },
      },
    },
    async (request) => {
      const { principal, session } = sessionScope(request);
      return readSubmissions(principal, session, request.params.participantId);
    },
  );
};
