import { acceptsSubmissions, type Principal } from '@calma/core';
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
  ErrorCode,
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
import { badRequest, conflict, forbidden } from '../../errors.js';
import { loadSessionFor } from '../../sessions/control-action.js';
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

const trimmed = (value: string, field: string) => {
  const text = value.trim();
  if (text === '') throw badRequest(`${field} is blank`);
  return text;
};

/** Participants submit for themselves only; moderators, analysts and the admin have no submission. */
function requireParticipant(principal: Principal): Extract<Principal, { role: 'participant' }> {
  if (principal.role !== 'participant') throw forbidden('Only participants submit this');
  return principal;
}

/**
 * Whose submissions of `segment` a principal may read: `undefined` for everyone's, a participant
 * id for one person's, or null for nothing. Staff see everything; a participant sees their own,
 * and others' only once the moderator has revealed that segment.
 */
function readableSubmitter(
  principal: Principal,
  session: LoadedSession,
  segment: 1 | 5,
  asked: string | undefined,
): string | undefined | null {
  if (principal.role !== 'participant') return asked;
  const revealed = session.state.revealed.includes(segment);
  if (asked === undefined) return revealed ? undefined : principal.participantId;
  return asked === principal.participantId || revealed ? asked : null;
}

const members = ['moderator', 'analyst', 'participant'] as const;
const staff = ['moderator', 'analyst'] as const;

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
      config: { roles: ['participant'] },
      schema: {
        tags,
        summary: "A participant's top-3 attributes, in rank order (only while segment 1 runs); replaces earlier ones",
        params,
        body: Segment1Body,
        response: { 200: Segment1Response, ...authErrors, 409: ErrorBody },
      },
    },
    async (request) => {
      const principal = await request.principal();
      const session = await loadSessionFor(sessions, principal, request.params.sessionId, ['participant']);
      const participant = requireParticipant(principal);
      if (!acceptsSubmissions(session.state, 1)) {
        throw conflict('Segment-1 attributes are accepted only while segment 1 is running', ErrorCode.wrongState);
      }
      const attributes = request.body.attributes.map((a, i) => ({
        name: trimmed(a.name, `attributes[${i}].name`),
        definition: trimmed(a.definition, `attributes[${i}].definition`),
      }));
      const names = new Set(attributes.map((a) => a.name.toLowerCase()));
      if (names.size !== attributes.length) throw badRequest('Two attributes have the same name');
      const rows = await replaceSegment1(db, session.id, participant.participantId, attributes);
      await sessions.announceSubmission(session.id, 1);
      return { attributes: rows.map(toSegment1) };
    },
  );

  app.put(
    '/api/sessions/:sessionId/final-attributes',
    {
      config: { roles: ['moderator'] },
      schema: {
        tags,
        summary: "The group's final attributes and its top-3 and top-5 (segment 4); replaces the earlier set",
        params,
        body: FinalAttributesBody,
        response: { 200: FinalAttributesResponse, ...authErrors, 409: ErrorBody },
      },
    },
    async (request) => {
      const session = await loadSessionFor(sessions, await request.principal(), request.params.sessionId, [
        'moderator',
      ]);
      if (session.state.segment !== 4 || session.state.status === 'ended') {
        throw conflict('Final attributes are set in segment 4', ErrorCode.wrongState);
      }
      const { groupTop3, groupTop5 } = request.body;
      const attributes = request.body.attributes.map((a, i) => ({
        id: a.id ?? newId('fa'),
        name: trimmed(a.name, `attributes[${i}].name`),
        definition: trimmed(a.definition, `attributes[${i}].definition`),
        exampleInteractionIds: [...new Set(a.exampleInteractionIds ?? [])],
        sourceLabelIds: [...new Set(a.sourceLabelIds ?? [])],
      }));
      const ids = attributes.map((a) => a.id);
      if (new Set(ids).size !== ids.length) throw badRequest('Two attributes have the same id');
      for (const [id, owner] of await finalAttributeOwners(db, ids)) {
        if (owner !== session.id) throw conflict(`Attribute id ${id} belongs to another session`);
      }
      for (const [name, list] of [
        ['groupTop3', groupTop3],
        ['groupTop5', groupTop5],
      ] as const) {
        if (new Set(list).size !== list.length) throw badRequest(`${name} lists an attribute twice`);
        const unknown = list.find((id) => !ids.includes(id));
        if (unknown)
          throw badRequest(`${name} names ${unknown}, which is not among the attributes`, ErrorCode.invalidReference);
      }
      const interactionIds = [...new Set(attributes.flatMap((a) => a.exampleInteractionIds))];
      const labelIds = [...new Set(attributes.flatMap((a) => a.sourceLabelIds))];
      const [interactions, labels] = await Promise.all([
        findInteractions(db, session.groupId, interactionIds),
        findLabels(db, session.groupId, labelIds),
      ]);
      if (interactions.length !== interactionIds.length) {
        throw badRequest('An example interaction is not an interaction of this group', ErrorCode.invalidReference);
      }
      if (labels.length !== labelIds.length) {
        throw badRequest('A source label is not a label of this group', ErrorCode.invalidReference);
      }
      const rows = await replaceFinalAttributes(db, session.id, attributes, groupTop3, groupTop5);
      return { attributes: rows.map(toFinal), groupTop3, groupTop5 };
    },
  );

  app.get(
    '/api/sessions/:sessionId/final-attributes',
    {
      config: { roles: members },
      schema: {
        tags,
        summary: "The group's final attributes",
        params,
        response: { 200: FinalAttributesResponse, ...authErrors },
      },
    },
    async (request) => {
      const session = await loadSessionFor(sessions, await request.principal(), request.params.sessionId, members);
      const rows = await listFinalAttributes(db, session.id);
      return { attributes: rows.map(toFinal), groupTop3: session.row.groupTop3, groupTop5: session.row.groupTop5 };
    },
  );

  app.put(
    '/api/sessions/:sessionId/segment1-mapping',
    {
      config: { roles: ['moderator'] },
      schema: {
        tags,
        summary: 'Confirm which final attribute each segment-1 attribute became (null: none); replaces the mapping',
        params,
        body: MappingBody,
        response: { 200: Type.Object({ mapping: MappingBody.properties.mapping }), ...authErrors },
      },
    },
    async (request) => {
      const session = await loadSessionFor(sessions, await request.principal(), request.params.sessionId, [
        'moderator',
      ]);
      const [segment1, finals] = await Promise.all([listSegment1(db, session.id), listFinalAttributes(db, session.id)]);
      const sources = new Set(segment1.map((r) => r.id));
      const targets = new Set(finals.map((r) => r.id));
      for (const [from, to] of Object.entries(request.body.mapping)) {
        if (!sources.has(from))
          throw badRequest(`${from} is not a segment-1 attribute of this session`, ErrorCode.invalidReference);
        if (to !== null && !targets.has(to))
          throw badRequest(`${to} is not a final attribute of this session`, ErrorCode.invalidReference);
      }
      await setMapping(db, session.id, request.body.mapping);
      return { mapping: request.body.mapping };
    },
  );

  app.get(
    '/api/sessions/:sessionId/segment1-mapping',
    {
      config: { roles: staff },
      schema: {
        tags,
        summary: 'Segment-1 attributes, the confirmed mapping, and suggestions by similarity',
        params,
        response: { 200: MappingResponse, ...authErrors },
      },
    },
    async (request) => {
      const session = await loadSessionFor(sessions, await request.principal(), request.params.sessionId, staff);
      const [segment1, finals] = await Promise.all([listSegment1(db, session.id), listFinalAttributes(db, session.id)]);
      const { suggested, suggestedBy } = await affinity.suggestMapping(segment1, finals);
      return { attributes: segment1.map(toSegment1), mapping: session.row.mapping, suggested, suggestedBy };
    },
  );

  app.put(
    '/api/sessions/:sessionId/segment5',
    {
      config: { roles: ['participant'] },
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
      const principal = await request.principal();
      const session = await loadSessionFor(sessions, principal, request.params.sessionId, ['participant']);
      const participant = requireParticipant(principal);
      if (!acceptsSubmissions(session.state, 5)) {
        throw conflict('Ratings are accepted only while segment 5 is running', ErrorCode.wrongState);
      }
      const finals = new Set((await listFinalAttributes(db, session.id)).map((f) => f.id));
      if (finals.size === 0) throw conflict('There are no final attributes to rate yet', ErrorCode.wrongState);
      const { likert, ranking } = request.body;
      const unknown = [...Object.keys(likert), ...ranking].find((id) => !finals.has(id));
      if (unknown) throw badRequest(`${unknown} is not a final attribute of this session`, ErrorCode.invalidReference);
      const unrated = [...finals].filter((id) => likert[id] === undefined);
      if (unrated.length > 0) throw badRequest(`Every final attribute must be rated; missing: ${unrated.join(', ')}`);
      if (new Set(ranking).size !== ranking.length) throw badRequest('The ranking lists an attribute twice');
      await upsertSegment5(db, { sessionId: session.id, participantId: participant.participantId, likert, ranking });
      await sessions.announceSubmission(session.id, 5);
      return { likert, ranking };
    },
  );

  const readSubmissions = async (principal: Principal, sessionId: string, participantId: string | undefined) => {
    const session = await loadSessionFor(sessions, principal, sessionId, members);
    const who1 = readableSubmitter(principal, session, 1, participantId);
    const who5 = readableSubmitter(principal, session, 5, participantId);
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
      config: { roles: members },
      schema: {
        tags,
        summary: 'Submissions the caller may see (participants: their own, and others only after a reveal)',
        params,
        querystring: Type.Object({ participantId: Type.Optional(idParams('participantId').properties.participantId) }),
        response: { 200: Submissions, ...authErrors },
      },
    },
    async (request) =>
      readSubmissions(await request.principal(), request.params.sessionId, request.query.participantId),
  );

  app.get(
    '/api/sessions/:sessionId/submissions/:participantId',
    {
      config: { roles: members },
      schema: {
        tags,
        summary: "One participant's submissions (403 for another's, to a participant, before the reveal)",
        params: idParams('sessionId', 'participantId'),
        response: { 200: Submissions, ...authErrors },
      },
    },
    async (request) =>
      readSubmissions(await request.principal(), request.params.sessionId, request.params.participantId),
  );
};
