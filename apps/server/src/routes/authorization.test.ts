import { defaultOrientation, packQdpx } from '@calma/core';
import { schema } from '@calma/db';
import type { ClientToServerEvents, ServerToClientEvents } from '@calma/protocol';
import { BoardKey, CloseCode } from '@calma/protocol/board';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { bearer, created, createGroup, join, passCheck, startTestApp, type TestApp } from '../testing.js';

/**
 * Who may do what, as one table over every `/api/` route the app serves, every socket.io event
 * and the Yjs endpoint, for eight callers: no token, an unknown token, the admin, the group's
 * moderator, another group's moderator, the group's analyst, a participant of the group and one
 * of another group. Each cell is the status (and error code) a well-formed request against real
 * resources gets; path ids that do not exist get 404 for every token whose role the route allows
 * and 403 for the others (role before existence: docs/api.md, "Order of checks"). The expected
 * cells are written from docs/api.md, not read from the routes' declarations, and a route the
 * table does not name fails the first test, so a new route cannot slip in unreviewed.
 *
 * Nothing here depends on the database driver (tokens, groups and sessions are read through the
 * same repositories on both; contract.test.ts runs the basics on both), so it runs on PGlite
 * only, against one app for the whole file.
 */

const callers = [
  'none',
  'unknown',
  'admin',
  'moderator',
  'otherModerator',
  'analyst',
  'participant',
  'otherParticipant',
] as const;
type Caller = (typeof callers)[number];
type Role = 'moderator' | 'analyst' | 'participant';

/** What each caller with a valid token is: a role, and whether it belongs to the group under test. */
const principals: Record<Exclude<Caller, 'none' | 'unknown'>, { role: Role | 'admin'; home: boolean }> = {
  admin: { role: 'admin', home: true },
  moderator: { role: 'moderator', home: true },
  otherModerator: { role: 'moderator', home: false },
  analyst: { role: 'analyst', home: true },
  participant: { role: 'participant', home: true },
  otherParticipant: { role: 'participant', home: false },
};

/** The real resources: a study, the group under test and another, sessions in several segments. */
interface Fixture {
  tokens: Record<Caller, string | null>;
  studyId: string;
  groupId: string;
  /** Another group of the same study (to compare with). */
  otherGroupId: string;
  inviteCode: string;
  participantId: string;
  /** Segment 0, pending. */
  sessionId: string;
  /** Segment 1 running (segment-1 submissions). */
  segment1SessionId: string;
  /** Segment 4 running (final attributes). */
  segment4SessionId: string;
  /** Segment 5 running, with a final attribute to rate. */
  segment5SessionId: string;
  finalAttributeId: string;
  /** Ana's conversation with the study's (replay) model: a chat of its author, for the chat and sharing routes' `:id`. */
  conversationId: string;
  /** Ana's attribute (focused coding), for the attribute routes' `:id`. */
  attributeId: string;
  /** Makes another attribute of Ana's (for the route that deletes one). */
  newAttribute: () => Promise<string>;
  /** Makes a fresh label of Ana's (for the routes that change or remove one). */
  newLabel: () => Promise<string>;
  /** The group's open A/B round, on which Ana has an item waiting for her vote. */
  abRoundId: string;
  /** An A/B round already closed. */
  abClosedRoundId: string;
  /** Ana's item in the open round, not voted on yet. */
  abItemId: string;
  /** Makes a judge run that has failed (the pending session has no axes), for the routes that read or resume one. */
  newFailedJudgeRun: () => Promise<string>;
}

/** Ids that look like ids and name nothing. */
const unknownIds = {
  studyId: 'st_unknown',
  groupId: 'gr_unknown',
  sessionId: 'se_unknown',
  id: 'cv_unknown',
  roundId: 'ab_unknown',
  itemId: 'abi_unknown',
};

type Access =
  | { readonly kind: 'public' }
  /** Any valid token. */
  | { readonly kind: 'token' }
  | { readonly kind: 'admin' }
  /** The group or session the path names, for its members with one of `roles` (the admin always). */
  | { readonly kind: 'group' | 'session'; readonly roles: readonly Role[] };

const members: readonly Role[] = ['moderator', 'analyst', 'participant'];
const staff: readonly Role[] = ['moderator', 'analyst'];
const group = (roles: readonly Role[]): Access => ({ kind: 'group', roles });
const session = (roles: readonly Role[]): Access => ({ kind: 'session', roles });

interface RouteRow {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The route as the app names it. */
  readonly path: string;
  readonly access: Access;
  /** The status of a well-formed request from a caller the access lets through. */
  readonly ok: 200 | 201 | 202;
  /** Which session the path names (default: the pending one). */
  readonly session?: (f: Fixture) => string;
  readonly body?: (f: Fixture) => object;
  /** The body's content type when it is not JSON (the body is then a Buffer). */
  readonly contentType?: string;
  readonly query?: string | ((f: Fixture) => string);
  /** What `:id` names (default: Ana's conversation); called once per request, so it may make a fresh one. */
  readonly id?: (f: Fixture) => string | Promise<string>;
  /** `fresh`: `:participantId` names a participant joined for this one request (it may be removed). */
  readonly participant?: 'fresh';
  /** Callers the access lets through whom a domain rule then refuses: the status and why. */
  readonly refused?: Partial<Record<Caller, { status: number; why: string; code?: string }>>;
  /** The path names a study: staff of any of its groups count as members. */
  readonly studyWide?: true;
  /** Which A/B round `:roundId` names (default: the open one). */
  readonly round?: (f: Fixture) => string;
}

const context = { name: 'History Educational Assistant', description: 'd', systemPrompt: 's' };
const onlyParticipants = { admin: { status: 403, why: 'only participants submit (core: participantOnly)' } };
const replayModel = { id: 'replay', label: 'Recorded answers', provider: 'replay', model: 'replay' };
const onlyParticipantsAb = { admin: { status: 403, why: 'only participants take part in a round', code: 'FORBIDDEN' } };
const abRound = '/api/groups/:groupId/ab-rounds/:roundId';
/** A pair naming an axis of no study: past the access checks, the handler refuses it. */
const noSuchAxis = {
  admin: { status: 400, why: 'fa_unknown is no axis of the study', code: 'BAD_REQUEST' },
  analyst: { status: 400, why: 'fa_unknown is no axis of the study', code: 'BAD_REQUEST' },
};
const onlyParticipantsJourney = { admin: { status: 403, why: 'the admin has no journey: participants only' } };

/** Every `/api/` route, from docs/api.md. */
const routes: readonly RouteRow[] = [
  { method: 'GET', path: '/api/health', access: { kind: 'public' }, ok: 200 },
  { method: 'GET', path: '/api/health/ready', access: { kind: 'public' }, ok: 200 },
  { method: 'GET', path: '/api/openapi.json', access: { kind: 'public' }, ok: 200 },
  {
    method: 'POST',
    path: '/api/join',
    access: { kind: 'public' },
    ok: 201,
    body: (f) => ({ inviteCode: f.inviteCode, displayName: 'Newcomer', consent: true }),
  },
  { method: 'GET', path: '/api/me', access: { kind: 'token' }, ok: 200 },
  {
    method: 'POST',
    path: '/api/studies',
    access: { kind: 'admin' },
    ok: 201,
    body: () => ({ title: 'Another study', context }),
  },
  { method: 'GET', path: '/api/studies', access: { kind: 'admin' }, ok: 200 },
  { method: 'GET', path: '/api/studies/:studyId', access: { kind: 'admin' }, ok: 200 },
  {
    method: 'PATCH',
    path: '/api/studies/:studyId',
    access: { kind: 'admin' },
    ok: 200,
    body: () => ({ context }),
  },
  {
    method: 'POST',
    path: '/api/studies/:studyId/groups',
    access: { kind: 'admin' },
    ok: 201,
    body: () => ({ name: 'Another group' }),
  },
  { method: 'GET', path: '/api/studies/:studyId/groups', access: { kind: 'admin' }, ok: 200 },
  { method: 'GET', path: '/api/groups/:groupId', access: group(members), ok: 200 },
  { method: 'GET', path: '/api/groups/:groupId/participants', access: group(members), ok: 200 },
  { method: 'GET', path: '/api/invites/:inviteCode', access: { kind: 'public' }, ok: 200 },
  {
    method: 'PATCH',
    path: '/api/groups/:groupId/participants/:participantId',
    access: group(['moderator']),
    ok: 200,
    participant: 'fresh',
    body: () => ({ displayName: 'Renamed' }),
  },
  {
    method: 'POST',
    path: '/api/groups/:groupId/participants/:participantId/merge',
    access: group(['moderator']),
    ok: 200,
    participant: 'fresh',
    body: (f) => ({ into: f.participantId }),
  },
  {
    method: 'DELETE',
    path: '/api/groups/:groupId/participants/:participantId',
    access: group(['moderator']),
    ok: 200,
    participant: 'fresh',
  },
  {
    method: 'POST',
    path: '/api/groups/:groupId/interactions',
    access: group(['moderator']),
    ok: 201,
    body: () => ({ interactions: [{ baseline: false, messages: [{ role: 'assistant', content: 'Hello' }] }] }),
  },
  { method: 'GET', path: '/api/groups/:groupId/interactions', access: group(members), ok: 200 },
  {
    method: 'POST',
    path: '/api/groups/:groupId/labels',
    access: group(['moderator', 'participant']),
    ok: 201,
    // No participantId: a participant's labels are their own; the moderator's and admin's nobody's.
    body: () => ({ labels: [{ text: 'even-handed', stage: 'initial' }] }),
  },
  { method: 'GET', path: '/api/groups/:groupId/labels', access: group(members), ok: 200 },
  // Initial coding (issue 14): the turns to code, suggestions, and a label's author changing or removing it.
  { method: 'GET', path: '/api/groups/:groupId/coding', access: group(members), ok: 200 },
  { method: 'GET', path: '/api/groups/:groupId/codes/suggest', access: group(members), ok: 200, query: 'q=even' },
  {
    method: 'PATCH',
    path: '/api/labels/:id',
    access: group(['moderator', 'participant']),
    ok: 200,
    id: (f) => f.newLabel(),
    body: () => ({ annotation: 'Why: it hedges' }),
    refused: {
      admin: { status: 403, why: "only a label's author changes it (this one is Ana's)" },
      moderator: { status: 403, why: "only a label's author changes it (this one is Ana's)" },
    },
  },
  {
    method: 'DELETE',
    path: '/api/labels/:id',
    access: group(['moderator', 'participant']),
    ok: 200,
    id: (f) => f.newLabel(),
    refused: {
      admin: { status: 403, why: "only a label's author removes it (this one is Ana's)" },
      moderator: { status: 403, why: "only a label's author removes it (this one is Ana's)" },
    },
  },
  // Focused coding (issue 14): an attribute is its participant's; the moderator may change any.
  {
    method: 'POST',
    path: '/api/groups/:groupId/attributes',
    access: group(['moderator', 'participant']),
    ok: 201,
    body: () => ({ name: 'Warmth', definition: 'Kindly spoken', codes: [] }),
  },
  { method: 'GET', path: '/api/groups/:groupId/attributes', access: group(members), ok: 200 },
  // Suggested groupings: for those who make attributes (a participant's own, the moderator's).
  {
    method: 'GET',
    path: '/api/groups/:groupId/attributes/suggestions',
    access: group(['moderator', 'participant']),
    ok: 200,
  },
  {
    method: 'PATCH',
    path: '/api/attributes/:id',
    access: group(['moderator', 'participant']),
    ok: 200,
    id: (f) => f.attributeId,
    body: () => ({ definition: 'Kind words' }),
  },
  {
    method: 'DELETE',
    path: '/api/attributes/:id',
    access: group(['moderator', 'participant']),
    ok: 200,
    id: (f) => f.newAttribute(),
  },
  {
    method: 'POST',
    path: '/api/attributes/:id/share',
    access: group(['moderator', 'participant']),
    ok: 200,
    id: (f) => f.attributeId,
    body: () => ({ shared: false }),
    refused: {
      admin: { status: 403, why: "only its author shares an attribute (this one is Ana's)" },
      moderator: { status: 403, why: "only its author shares an attribute (this one is Ana's)" },
    },
  },
  {
    method: 'GET',
    path: '/api/attributes/:id/versions',
    access: group(members),
    ok: 200,
    id: (f) => f.attributeId,
  },
  { method: 'GET', path: '/api/groups/:groupId/summary', access: group(members), ok: 200 },
  { method: 'POST', path: '/api/groups/:groupId/sessions', access: group(['moderator']), ok: 201 },
  { method: 'GET', path: '/api/groups/:groupId/sessions', access: group(members), ok: 200 },
  { method: 'GET', path: '/api/sessions/:sessionId', access: session(members), ok: 200 },
  {
    method: 'POST',
    path: '/api/sessions/:sessionId/control',
    access: session(['moderator']),
    ok: 200,
    body: () => ({ action: 'unlock-board' }),
  },
  {
    method: 'PUT',
    path: '/api/sessions/:sessionId/segment1',
    access: session(['participant']),
    ok: 200,
    session: (f) => f.segment1SessionId,
    body: () => ({ attributes: [{ name: 'Balanced', definition: 'Gives each side its due' }] }),
    refused: onlyParticipants,
  },
  {
    method: 'PUT',
    path: '/api/sessions/:sessionId/final-attributes',
    access: session(['moderator']),
    ok: 200,
    session: (f) => f.segment4SessionId,
    body: () => ({ attributes: [{ name: 'Clarity', definition: 'Says it plainly' }], groupTop3: [], groupTop5: [] }),
  },
  { method: 'GET', path: '/api/sessions/:sessionId/final-attributes', access: session(members), ok: 200 },
  {
    method: 'PUT',
    path: '/api/sessions/:sessionId/segment1-mapping',
    access: session(['moderator']),
    ok: 200,
    body: () => ({ mapping: {} }),
  },
  { method: 'GET', path: '/api/sessions/:sessionId/segment1-mapping', access: session(staff), ok: 200 },
  {
    method: 'PUT',
    path: '/api/sessions/:sessionId/segment5',
    access: session(['participant']),
    ok: 200,
    session: (f) => f.segment5SessionId,
    body: (f) => ({ likert: { [f.finalAttributeId]: 4 }, ranking: [f.finalAttributeId] }),
    refused: onlyParticipants,
  },
  { method: 'GET', path: '/api/sessions/:sessionId/submissions', access: session(members), ok: 200 },
  // The group's participant asks for their own work; another's unrevealed work is a domain 403,
  // covered in sessions.test.ts.
  {
    method: 'GET',
    path: '/api/sessions/:sessionId/submissions/:participantId',
    access: session(members),
    ok: 200,
  },
  {
    method: 'POST',
    path: '/api/sessions/:sessionId/affinity-map',
    access: session(['moderator']),
    ok: 200,
    body: () => ({ include: ['labels'], seed: 7 }),
  },
  // A map was computed in the set-up, so the latest one exists.
  { method: 'GET', path: '/api/sessions/:sessionId/affinity-map', access: session(members), ok: 200 },
  { method: 'GET', path: '/api/sessions/:sessionId/analysis', access: session(staff), ok: 200 },
  { method: 'GET', path: '/api/sessions/:sessionId/export', access: session(staff), ok: 200, query: 'format=json' },
  { method: 'GET', path: '/api/sessions/:sessionId/rubrics', access: session(staff), ok: 200 },
  {
    method: 'GET',
    path: '/api/sessions/:sessionId/rubrics/:axisId/versions',
    access: session(staff),
    ok: 200,
    session: (f) => f.segment5SessionId,
  },
  // Each caller edits version 1: the first (the admin) makes version 2, so the others' base is stale.
  {
    method: 'PUT',
    path: '/api/sessions/:sessionId/rubrics/:axisId',
    access: session(staff),
    ok: 200,
    session: (f) => f.segment5SessionId,
    body: () => ({
      prompt: 'Judge clarity.',
      levels: [1, 2, 3, 4, 5].map((score) => ({ score, description: `Level ${score}` })),
      examples: [],
      baseVersion: 1,
    }),
    refused: {
      moderator: { status: 409, why: 'version 1 is no longer the latest', code: 'CONFLICT' },
      analyst: { status: 409, why: 'version 1 is no longer the latest', code: 'CONFLICT' },
    },
  },
  // Judge runs (issue 15): the staff of the session's group; a run's path names the run, checked like its session.
  {
    method: 'POST',
    path: '/api/sessions/:sessionId/judge-runs',
    access: session(staff),
    ok: 202,
    body: () => ({ kind: 'classifier' }),
  },
  { method: 'GET', path: '/api/sessions/:sessionId/judge-runs', access: session(staff), ok: 200 },
  { method: 'GET', path: '/api/judge-runs/:id', access: session(staff), ok: 200, id: (f) => f.newFailedJudgeRun() },
  {
    method: 'POST',
    path: '/api/judge-runs/:id/resume',
    access: session(staff),
    ok: 202,
    id: (f) => f.newFailedJudgeRun(),
  },
  // Replay (issue 15): the timeline, the board at a moment, the moments kept.
  { method: 'GET', path: '/api/sessions/:sessionId/timeline', access: session(staff), ok: 200 },
  { method: 'GET', path: '/api/sessions/:sessionId/board', access: session(staff), ok: 200, query: 'at=0' },
  { method: 'GET', path: '/api/sessions/:sessionId/board/moments', access: session(staff), ok: 200 },
  {
    method: 'PUT',
    path: '/api/studies/:studyId/models',
    access: { kind: 'admin' },
    ok: 200,
    body: () => ({ models: [replayModel], assignment: 'fixed' }),
  },
  { method: 'GET', path: '/api/studies/:studyId/models', access: group(staff), ok: 200, studyWide: true },
  { method: 'GET', path: '/api/groups/:groupId/models', access: group(members), ok: 200 },
  // The cross-group comparison: the admin and analysts of the study's groups (docs/api.md, "Comparison").
  {
    method: 'GET',
    path: '/api/studies/:studyId/comparison/groups',
    access: group(['analyst']),
    ok: 200,
    studyWide: true,
  },
  {
    method: 'GET',
    path: '/api/studies/:studyId/comparison',
    access: group(['analyst']),
    ok: 200,
    studyWide: true,
    query: (f) => `groups=${f.groupId},${f.otherGroupId}`,
  },
  {
    method: 'GET',
    path: '/api/studies/:studyId/comparison/export',
    access: group(['analyst']),
    ok: 200,
    studyWide: true,
    query: (f) => `groups=${f.groupId},${f.otherGroupId}&format=csv`,
  },
  {
    method: 'PUT',
    path: '/api/studies/:studyId/comparison/pairs',
    access: group(['analyst']),
    ok: 200,
    studyWide: true,
    body: (f) => ({ a: f.finalAttributeId, b: 'fa_unknown', status: 'confirmed', kind: 'shared' }),
    refused: noSuchAxis,
  },
  {
    method: 'DELETE',
    path: '/api/studies/:studyId/comparison/pairs',
    access: group(['analyst']),
    ok: 200,
    studyWide: true,
    query: (f) => `a=${f.finalAttributeId}&b=fa_unknown`,
    refused: noSuchAxis,
  },
  {
    method: 'POST',
    path: '/api/groups/:groupId/conversations',
    access: group(['participant']),
    ok: 201,
    body: () => ({}),
    refused: onlyParticipants,
  },
  { method: 'GET', path: '/api/groups/:groupId/conversations', access: group(members), ok: 200 },
  { method: 'GET', path: '/api/conversations/:id', access: group(members), ok: 200 },
  {
    method: 'POST',
    path: '/api/conversations/:id/messages',
    access: group(['participant']),
    ok: 201,
    body: () => ({ content: 'Why was the harvest celebrated?' }),
    refused: onlyParticipants,
  },
  {
    method: 'POST',
    path: '/api/conversations/:id/retry',
    access: group(['participant']),
    ok: 201,
    refused: {
      ...onlyParticipants,
      participant: { status: 409, code: 'WRONG_STATE', why: 'its last answer did not fail: nothing to retry' },
    },
  },
  // Familiarize (issue 13): the orientation is the study owner's; the journey is the participant's.
  {
    method: 'PUT',
    path: '/api/studies/:studyId/orientation',
    access: { kind: 'admin' },
    ok: 200,
    body: () => defaultOrientation('en'),
  },
  { method: 'GET', path: '/api/studies/:studyId/orientation', access: { kind: 'admin' }, ok: 200 },
  {
    method: 'PUT',
    path: '/api/studies/:studyId/stages',
    access: { kind: 'admin' },
    ok: 200,
    body: () => ({ open: ['familiarize', 'interact', 'reflect', 'discuss'], minTurns: 1, maxTurns: 20 }),
  },
  { method: 'GET', path: '/api/studies/:studyId/stages', access: { kind: 'admin' }, ok: 200 },
  { method: 'GET', path: '/api/groups/:groupId/orientation', access: group(members), ok: 200 },
  {
    method: 'POST',
    path: '/api/groups/:groupId/orientation/read',
    access: group(['participant']),
    ok: 200,
    body: () => ({ page: 0 }),
    refused: onlyParticipantsJourney,
  },
  {
    method: 'POST',
    path: '/api/groups/:groupId/practice',
    access: group(['participant']),
    ok: 200,
    body: () => ({ answers: [{ itemId: 'practice-1', labels: ['safety advice'] }] }),
    refused: onlyParticipantsJourney,
  },
  {
    method: 'POST',
    path: '/api/groups/:groupId/check',
    access: group(['participant']),
    ok: 200,
    body: () => ({ answers: {} }),
    refused: onlyParticipantsJourney,
  },
  {
    method: 'GET',
    path: '/api/me/progress',
    access: { kind: 'token' },
    ok: 200,
    refused: {
      ...onlyParticipantsJourney,
      moderator: { status: 403, why: 'participants only' },
      otherModerator: { status: 403, why: 'participants only' },
      analyst: { status: 403, why: 'participants only' },
    },
  },
  { method: 'GET', path: '/api/groups/:groupId/progress', access: group(staff), ok: 200 },
  // Reflect: agreement on the baseline set is for those who run the study.
  { method: 'GET', path: '/api/groups/:groupId/agreement', access: group(staff), ok: 200 },
  // Transcripts and sharing (`:id` is a chat of the group's participant; only its author shares).
  {
    method: 'POST',
    path: '/api/conversations/:id/share',
    access: group(['participant']),
    ok: 200,
    body: () => ({ shared: false }),
    refused: { admin: { status: 403, why: "only the conversation's participant shares it" } },
  },
  { method: 'GET', path: '/api/conversations/:id/shared-preview', access: group(members), ok: 200 },
  { method: 'GET', path: '/api/groups/:groupId/transcripts', access: group(staff), ok: 200, query: 'format=csv' },
  {
    method: 'POST',
    path: '/api/groups/:groupId/transcripts',
    access: group(['moderator']),
    ok: 201,
    body: () => ({ interactions: [{ baseline: false, messages: [{ role: 'assistant', content: 'Hello' }] }] }),
  },
  {
    method: 'PUT',
    path: '/api/studies/:studyId/baseline',
    access: { kind: 'admin' },
    ok: 200,
    body: () => ({ interactions: [] }),
  },
  { method: 'GET', path: '/api/studies/:studyId/baseline', access: { kind: 'admin' }, ok: 200 },
  { method: 'GET', path: '/api/groups/:groupId/export.qdpx', access: group(staff), ok: 200 },
  // Session artifacts: any member sees a participant's page (what it shows follows visibility).
  {
    method: 'GET',
    path: '/api/groups/:groupId/participants/:participantId/artifacts',
    access: group(members),
    ok: 200,
  },
  { method: 'GET', path: '/api/groups/:groupId/codebook.csv', access: group(staff), ok: 200 },
  { method: 'GET', path: '/api/groups/:groupId/coded-segments.csv', access: group(staff), ok: 200 },
  {
    method: 'POST',
    path: '/api/groups/:groupId/import.qdpx',
    access: group(['moderator']),
    ok: 201,
    contentType: 'application/zip',
    body: () => Buffer.from(packQdpx('<Project xmlns="urn:QDA-XML:project:1.0" name="Empty"/>', new Map())),
  },
  // Community A/B rounds: the moderator runs them, participants take part blind, staff read results.
  { method: 'GET', path: '/api/groups/:groupId/ab-rounds', access: group(members), ok: 200 },
  { method: 'GET', path: '/api/groups/:groupId/ab-rounds/setup', access: group(['moderator']), ok: 200 },
  {
    method: 'POST',
    path: '/api/groups/:groupId/ab-rounds',
    access: group(['moderator']),
    ok: 201,
    body: () => ({ modelA: 'replay', modelB: 'replay-b', axes: [{ name: 'Clarity', definition: '' }] }),
    refused: {
      admin: { status: 409, why: 'the fixture’s round is open: one at a time', code: 'WRONG_STATE' },
      moderator: { status: 409, why: 'the fixture’s round is open: one at a time', code: 'WRONG_STATE' },
    },
  },
  {
    method: 'POST',
    path: `${abRound}/close`,
    access: group(['moderator']),
    ok: 200,
    round: (f) => f.abClosedRoundId,
    refused: {
      admin: { status: 409, why: 'the round is already closed', code: 'WRONG_STATE' },
      moderator: { status: 409, why: 'the round is already closed', code: 'WRONG_STATE' },
    },
  },
  {
    method: 'GET',
    path: `${abRound}/items/pending`,
    access: group(['participant']),
    ok: 200,
    refused: onlyParticipantsAb,
  },
  {
    method: 'POST',
    path: `${abRound}/items`,
    access: group(['participant']),
    ok: 201,
    body: () => ({}),
    refused: {
      ...onlyParticipantsAb,
      participant: { status: 409, why: 'Ana’s item waits for her vote', code: 'WRONG_STATE' },
    },
  },
  {
    method: 'POST',
    path: `${abRound}/items/:itemId/votes`,
    access: group(['participant']),
    ok: 200,
    body: () => ({ votes: { 'axis-1': 'equal' } }),
    refused: onlyParticipantsAb,
  },
  {
    method: 'GET',
    path: `${abRound}/results`,
    access: group(members),
    ok: 200,
    refused: { participant: { status: 403, why: 'results wait for the round to close', code: 'FORBIDDEN' } },
  },
  { method: 'GET', path: `${abRound}/export`, access: group(staff), ok: 200 },
];

const errorCodes: Record<number, string> = { 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' };
/** A cell: the status, with the error code for errors (`403 FORBIDDEN`). */
const cell = (status: number, code?: string) =>
  status >= 400 ? `${status} ${code ?? errorCodes[status]}` : `${status}`;

/** The cell docs/api.md promises `caller` on `row`; `known` false: the path names nothing. */
function expected(row: RouteRow, caller: Caller, known: boolean): string {
  const { access } = row;
  if (access.kind === 'public') return cell(row.ok);
  if (caller === 'none' || caller === 'unknown') return cell(401);
  if (access.kind === 'token') {
    const refusal = row.refused?.[caller];
    return refusal ? cell(refusal.status) : cell(row.ok);
  }
  const { role, home } = principals[caller];
  if (access.kind === 'admin') return role !== 'admin' ? cell(403) : known ? cell(row.ok) : cell(404);
  // Role first (onRequest), then the group or session (preHandler): 404 for anyone allowed by role.
  if (role !== 'admin' && !access.roles.includes(role)) return cell(403);
  if (!known) return cell(404);
  if (!home && !(row.studyWide && role !== 'participant')) return cell(403);
  const refusal = row.refused?.[caller];
  return refusal ? cell(refusal.status, refusal.code) : cell(row.ok);
}

/** Every `METHOD path` under `/api/` the app serves, read from `printRoutes`' tree. */
function servedRoutes(tree: string): string[] {
  const found: string[] = [];
  const prefixes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] as string).length / 4;
    const path = (prefixes[depth - 1] ?? '') + (match[2] as string);
    prefixes[depth] = path;
    prefixes.length = depth + 1;
    for (const method of match[3]?.split(', ') ?? []) if (path.startsWith('/api/')) found.push(`${method} ${path}`);
  }
  return found.sort();
}

describe('the authorization matrix (PGlite)', () => {
  let t: TestApp;
  let f: Fixture;

  const control = (sessionId: string, body: object) =>
    t.app.inject({
      method: 'POST',
      url: `/api/sessions/${sessionId}/control`,
      headers: bearer(f.tokens.moderator as string),
      payload: body,
    });
  /** A new attribute of Ana's, for a route that may change or delete it. */
  const freshLabel = async (fx: Fixture) =>
    (
      await created<{ ids: string[] }>(
        t,
        `/api/groups/${fx.groupId}/labels`,
        { labels: [{ text: 'hedging', stage: 'initial' }] },
        fx.tokens.participant as string,
      )
    ).ids[0] as string;
  const freshAttribute = async (fx: Fixture) =>
    (
      await created<{ id: string }>(
        t,
        `/api/groups/${fx.groupId}/attributes`,
        { name: 'Warmth', definition: '', codes: [] },
        fx.tokens.participant as string,
      )
    ).id;
  /** A judge run on the pending session (no final attributes), once it has failed. */
  const failedJudgeRun = async (fx: Fixture) => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/sessions/${fx.sessionId}/judge-runs`,
      headers: bearer(fx.tokens.analyst as string),
      payload: { kind: 'classifier' },
    });
    const id = res.json().id as string;
    for (let i = 0; i < 200; i++) {
      const run = await t.app.inject({ url: `/api/judge-runs/${id}`, headers: bearer(fx.tokens.analyst as string) });
      if (run.json().status === 'failed') return id;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('the judge run never failed');
  };
  const newSession = async (token: string) =>
    (await created<{ id: string }>(t, `/api/groups/${f.groupId}/sessions`, {}, token)).id;

  beforeAll(async () => {
    t = await startTestApp('pglite', { listen: true });
    const home = await createGroup(t);
    const other = await createGroup(t, { studyId: home.studyId, name: 'Other group' });
    const ana = await join(t, home.inviteCode, 'Ana');
    // Ana has passed the comprehension check, so Interact is open to her.
    await passCheck(t, home.id, ana.token);
    const bo = await join(t, other.inviteCode, 'Bo');
    f = {
      tokens: {
        none: null,
        unknown: 'dW5rbm93bi10b2tlbi10aGF0LWxvb2tzLWxpa2UtYS1yZWFsLW9uZQ',
        admin: t.adminToken,
        moderator: home.moderatorToken,
        otherModerator: other.moderatorToken,
        analyst: home.analystToken,
        participant: ana.token,
        otherParticipant: bo.token,
      },
      studyId: home.studyId,
      groupId: home.id,
      otherGroupId: other.id,
      inviteCode: home.inviteCode,
      participantId: ana.participantId,
      sessionId: '',
      segment1SessionId: '',
      segment4SessionId: '',
      segment5SessionId: '',
      finalAttributeId: '',
      conversationId: 'in_authorization-chat',
      attributeId: '',
      newAttribute: () => freshAttribute(f),
      newLabel: () => freshLabel(f),
      abRoundId: '',
      abClosedRoundId: '',
      abItemId: '',
      newFailedJudgeRun: () => failedJudgeRun(f),
    };
    await t.db.db.insert(schema.interactions).values({
      id: f.conversationId,
      groupId: home.id,
      participantId: ana.participantId,
      baseline: false,
      source: 'chat',
      shared: false,
      messages: [{ role: 'user', content: 'Hello' }],
    });
    const moderator = home.moderatorToken;
    // Labels to lay out: the affinity map of the pending session exists before the table reads it.
    const words = ['balanced', 'diplomatic', 'nuanced', 'biased', 'one-sided', 'factual', 'dry', 'vivid'];
    await created(
      t,
      `/api/groups/${f.groupId}/labels`,
      { labels: words.map((text) => ({ text, stage: 'initial' })) },
      moderator,
    );
    f.sessionId = await newSession(moderator);
    const map = await t.app.inject({
      method: 'POST',
      url: `/api/sessions/${f.sessionId}/affinity-map`,
      headers: bearer(moderator),
      payload: { include: ['labels'], seed: 7 },
    });
    expect(map.statusCode).toBe(200);
    const start = (segment: number) => ({ action: 'start', segment, durationMs: 600_000 });
    f.segment1SessionId = await newSession(moderator);
    expect((await control(f.segment1SessionId, start(1))).statusCode).toBe(200);
    f.segment4SessionId = await newSession(moderator);
    expect((await control(f.segment4SessionId, start(4))).statusCode).toBe(200);
    f.segment5SessionId = await newSession(moderator);
    expect((await control(f.segment5SessionId, start(4))).statusCode).toBe(200);
    const finals = await t.app.inject({
      method: 'PUT',
      url: `/api/sessions/${f.segment5SessionId}/final-attributes`,
      headers: bearer(moderator),
      payload: { attributes: [{ name: 'Clarity', definition: 'Says it plainly' }], groupTop3: [], groupTop5: [] },
    });
    f.finalAttributeId = (finals.json() as { attributes: { id: string }[] }).attributes[0]?.id ?? '';
    expect((await control(f.segment5SessionId, start(5))).statusCode).toBe(200);
    // Interact: a replay model answering from an imported response, and Ana's conversation with it.
    const models = { models: [replayModel], assignment: 'fixed' };
    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/studies/${f.studyId}/models`,
      headers: bearer(t.adminToken),
      payload: models,
    });
    expect(put.statusCode).toBe(200);
    const recorded = [{ role: 'assistant', content: 'The harvest was celebrated with a feast.' }];
    await created(
      t,
      `/api/groups/${f.groupId}/interactions`,
      { interactions: [{ baseline: false, messages: recorded }] },
      moderator,
    );
    f.conversationId = (await created(t, `/api/groups/${f.groupId}/conversations`, {}, ana.token)).id ?? '';
    f.attributeId = await freshAttribute(f);
    // A/B: a second replay model, a closed round, then an open one with an item of Ana's to vote on.
    const pair = { models: [replayModel, { ...replayModel, id: 'replay-b' }], assignment: 'fixed' };
    const putPair = await t.app.inject({
      method: 'PUT',
      url: `/api/studies/${f.studyId}/models`,
      headers: bearer(t.adminToken),
      payload: pair,
    });
    expect(putPair.statusCode).toBe(200);
    const round = { modelA: 'replay', modelB: 'replay-b', axes: [{ name: 'Clarity', definition: '' }] };
    f.abClosedRoundId = (await created(t, `/api/groups/${f.groupId}/ab-rounds`, round, moderator)).id ?? '';
    const close = await t.app.inject({
      method: 'POST',
      url: `/api/groups/${f.groupId}/ab-rounds/${f.abClosedRoundId}/close`,
      headers: bearer(moderator),
    });
    expect(close.statusCode).toBe(200);
    f.abRoundId = (await created(t, `/api/groups/${f.groupId}/ab-rounds`, round, moderator)).id ?? '';
    f.abItemId =
      (await created(t, `/api/groups/${f.groupId}/ab-rounds/${f.abRoundId}/items`, { prompt: 'Harvest?' }, ana.token))
        .itemId ?? '';
  });
  afterAll(() => t?.close());

  /** The path of `row` with the fixture's ids, or ids that name nothing. */
  const urlOf = (row: RouteRow, known: boolean, participantId = f.participantId, id = f.conversationId) => {
    const ids = known
      ? {
          studyId: f.studyId,
          groupId: f.groupId,
          sessionId: (row.session ?? ((x) => x.sessionId))(f),
          id,
          roundId: (row.round ?? ((x) => x.abRoundId))(f),
          itemId: f.abItemId,
        }
      : unknownIds;
    const path = row.path
      .replace(':studyId', ids.studyId)
      .replace(':groupId', ids.groupId)
      .replace(':sessionId', ids.sessionId)
      .replace(':inviteCode', f.inviteCode)
      .replace(':participantId', participantId)
      .replace(':axisId', f.finalAttributeId)
      .replace(':roundId', ids.roundId)
      .replace(':itemId', ids.itemId)
      .replace(':id', ids.id);
    const query = typeof row.query === 'function' ? row.query(f) : row.query;
    return query ? `${path}?${query}` : path;
  };

  /** What `caller` gets for `row`: a cell, checked to be in the contract's error shape. */
  const ask = async (row: RouteRow, caller: Caller, known: boolean, method: string = row.method) => {
    const token = f.tokens[caller];
    const participantId =
      row.participant === 'fresh' ? (await join(t, f.inviteCode, 'Twin')).participantId : f.participantId;
    const id = row.id ? await row.id(f) : f.conversationId;
    const res = await t.app.inject({
      method: method as 'GET',
      url: urlOf(row, known, participantId, id),
      headers: { ...(token ? bearer(token) : {}), ...(row.contentType ? { 'content-type': row.contentType } : {}) },
      ...(row.body ? { payload: row.body(f) } : {}),
    });
    if (res.statusCode < 400 || method === 'HEAD') return cell(res.statusCode);
    const body = res.json() as { error?: { code?: string } };
    return cell(res.statusCode, body.error?.code ?? '(not the error shape)');
  };

  it('names every /api/ route the app serves, and no other', () => {
    const served = servedRoutes(t.app.printRoutes({ commonPrefix: false }));
    // Fastify answers HEAD for every GET route through the GET route's hooks: checked below.
    const withoutHead = served.filter((r) => !r.startsWith('HEAD '));
    for (const head of served.filter((r) => r.startsWith('HEAD ')))
      expect(withoutHead, `${head} without its GET`).toContain(head.replace('HEAD ', 'GET '));
    expect(withoutHead).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('reads the routes right: every route in the OpenAPI document is among them', async () => {
    const served = servedRoutes(t.app.printRoutes({ commonPrefix: false }));
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json() as { paths: Record<string, object> };
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(documented.length).toBeGreaterThan(20);
    for (const route of documented) expect(served).toContain(route);
  });

  describe.each(routes)('$method $path', (row) => {
    const table = async (known: boolean, method?: string) => {
      const actual: Partial<Record<Caller, string>> = {};
      for (const caller of callers) actual[caller] = await ask(row, caller, known, method);
      return actual;
    };
    const wanted = (known: boolean) => Object.fromEntries(callers.map((c) => [c, expected(row, c, known)]));

    it('answers each caller as the table says', async () => {
      expect(await table(true)).toEqual(wanted(true));
    });

    if (row.method === 'GET')
      it('answers HEAD as GET', async () => {
        const statuses = (cells: Record<string, string>) =>
          Object.fromEntries(Object.entries(cells).map(([c, v]) => [c, v.split(' ')[0]]));
        expect(statuses(await table(true, 'HEAD'))).toEqual(statuses(wanted(true)));
      });

    if (/:(studyId|groupId|sessionId)/.test(row.path))
      it('answers ids that name nothing: 404 for every role it allows, 403 for the others', async () => {
        expect(await table(false)).toEqual(wanted(false));
      });
  });

  // -------------------------------------------------------------------------------------------
  // socket.io: the handshake, then each event with an ack

  type ControlClient = Socket<ServerToClientEvents, ClientToServerEvents>;

  /** Connects `caller`: the socket, or the `connect_error` message. */
  const connect = (caller: Caller) =>
    new Promise<ControlClient | string>((resolve) => {
      const token = f.tokens[caller];
      const socket: ControlClient = io(t.url, {
        auth: token ? { token } : {},
        reconnection: false,
        forceNew: true,
        transports: ['websocket'],
      });
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (err) => {
        socket.close();
        resolve(err.message);
      });
    });

  /** An ack as a cell: `state`, `ok`, or the error code. */
  const ackOf = (reply: unknown) => {
    const r = reply as { state?: unknown; ok?: unknown; error?: { code: string } };
    return r.state ? 'state' : r.ok ? 'ok' : (r.error?.code ?? JSON.stringify(reply));
  };

  /** For each connected caller, what `send` is answered. */
  const events = async (send: (socket: ControlClient) => Promise<unknown>) => {
    const answers: Partial<Record<Caller, string>> = {};
    for (const caller of callers) {
      const socket = await connect(caller);
      if (typeof socket === 'string') continue;
      try {
        answers[caller] = ackOf(await send(socket));
      } finally {
        socket.close();
      }
    }
    return answers;
  };
  const emit =
    <E extends keyof ClientToServerEvents>(event: E, payload: object) =>
    (socket: ControlClient) =>
      new Promise((resolve) =>
        (socket.emit as (e: string, p: object, ack: (r: unknown) => void) => void)(event, payload, resolve),
      );

  it('socket.io: refuses the handshake without a token or with an unknown one', async () => {
    const outcomes: Partial<Record<Caller, string>> = {};
    for (const caller of callers) {
      const socket = await connect(caller);
      outcomes[caller] = typeof socket === 'string' ? socket : 'connected';
      if (typeof socket !== 'string') socket.close();
    }
    expect(outcomes).toEqual({
      none: 'UNAUTHORIZED',
      unknown: 'UNAUTHORIZED',
      admin: 'connected',
      moderator: 'connected',
      otherModerator: 'connected',
      analyst: 'connected',
      participant: 'connected',
      otherParticipant: 'connected',
    });
  });

  it('socket.io: session:join lets the group’s members and the admin in, and no one else', async () => {
    expect(await events(emit('session:join', { sessionId: f.sessionId }))).toEqual({
      admin: 'state',
      moderator: 'state',
      otherModerator: 'FORBIDDEN',
      analyst: 'state',
      participant: 'state',
      otherParticipant: 'FORBIDDEN',
    });
    // Every role may join, so an unknown session is NOT_FOUND for every token.
    expect(await events(emit('session:join', { sessionId: unknownIds.sessionId }))).toEqual({
      admin: 'NOT_FOUND',
      moderator: 'NOT_FOUND',
      otherModerator: 'NOT_FOUND',
      analyst: 'NOT_FOUND',
      participant: 'NOT_FOUND',
      otherParticipant: 'NOT_FOUND',
    });
  });

  it('socket.io: session:leave is answered for anyone connected (it only leaves a room)', async () => {
    expect(await events(emit('session:leave', { sessionId: f.sessionId }))).toEqual({
      admin: 'ok',
      moderator: 'ok',
      otherModerator: 'ok',
      analyst: 'ok',
      participant: 'ok',
      otherParticipant: 'ok',
    });
  });

  it('socket.io: session:control is the group’s moderator’s (and the admin’s)', async () => {
    expect(await events(emit('session:control', { sessionId: f.sessionId, action: 'unlock-board' }))).toEqual({
      admin: 'state',
      moderator: 'state',
      otherModerator: 'FORBIDDEN',
      analyst: 'FORBIDDEN',
      participant: 'FORBIDDEN',
      otherParticipant: 'FORBIDDEN',
    });
    // Unlike the HTTP route (403 to a role that may not control, before looking the session up),
    // the event loads the session first (authorizeSession): NOT_FOUND for every token.
    expect(await events(emit('session:control', { sessionId: unknownIds.sessionId, action: 'unlock-board' }))).toEqual({
      admin: 'NOT_FOUND',
      moderator: 'NOT_FOUND',
      otherModerator: 'NOT_FOUND',
      analyst: 'NOT_FOUND',
      participant: 'NOT_FOUND',
      otherParticipant: 'NOT_FOUND',
    });
  });

  // -------------------------------------------------------------------------------------------
  // The Yjs endpoint: admission by close code; analysts admitted read-only

  const syncFrame = (write: (encoder: encoding.Encoder) => void) => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 0);
    write(encoder);
    return encoding.toUint8Array(encoder);
  };
  /** A note authored by `authorId`, as an update. */
  const noteUpdate = (authorId: string) => {
    const doc = new Y.Doc();
    const card = new Y.Map<unknown>();
    for (const [k, v] of Object.entries({ kind: 'note', text: 'hello', authorId, x: 0, y: 0 })) card.set(k, v);
    doc.getMap(BoardKey.cards).set(`note-${doc.clientID}`, card);
    return Y.encodeStateAsUpdate(doc);
  };
  /** The sync message type of a frame (step 1, step 2, update), or null for presence. */
  const syncType = (data: Buffer) => {
    const decoder = decoding.createDecoder(new Uint8Array(data));
    return decoding.readVarUint(decoder) === 0 ? decoding.readVarUint(decoder) : null;
  };

  /**
   * Opens the board of `sessionId` as `caller`: `admitted` once the server's step 1 arrives, or
   * the close code. Admitted, it writes a note (`write`) and asks for a step 2: `writes` when the
   * answer comes, or the close code it got instead.
   */
  const board = (caller: Caller, sessionId: string, write?: string) =>
    new Promise<string>((resolve, reject) => {
      const token = f.tokens[caller];
      const ws = new WebSocket(`${t.url.replace('http', 'ws')}/yjs/${sessionId}${token ? `?token=${token}` : ''}`);
      let admitted = false;
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`${caller}: no answer from the board`));
      }, 5_000);
      const done = (outcome: string) => {
        clearTimeout(timer);
        ws.close();
        resolve(outcome);
      };
      ws.on('error', () => undefined);
      ws.on('close', (code) => done(admitted ? `admitted, then ${code}` : `${code}`));
      ws.on('message', (data: Buffer) => {
        const type = syncType(data);
        if (!admitted && type === syncProtocol.messageYjsSyncStep1) {
          admitted = true;
          if (write === undefined) return done('admitted');
          ws.send(syncFrame((e) => syncProtocol.writeUpdate(e, noteUpdate(write))));
          ws.send(syncFrame((e) => syncProtocol.writeSyncStep1(e, new Y.Doc())));
        } else if (admitted && type === syncProtocol.messageYjsSyncStep2) done('writes');
      });
    });

  it('Yjs: admits the group’s members and the admin; 4401 without a valid token, 4403 for another group', async () => {
    const outcomes: Partial<Record<Caller, string>> = {};
    for (const caller of callers) outcomes[caller] = await board(caller, f.sessionId);
    expect(outcomes).toEqual({
      none: `${CloseCode.unauthorized}`,
      unknown: `${CloseCode.unauthorized}`,
      admin: 'admitted',
      moderator: 'admitted',
      otherModerator: `${CloseCode.forbidden}`,
      analyst: 'admitted',
      participant: 'admitted',
      otherParticipant: `${CloseCode.forbidden}`,
    });
  });

  it('Yjs: 4404 for a session that does not exist, for every valid token', async () => {
    const outcomes: Partial<Record<Caller, string>> = {};
    for (const caller of callers) outcomes[caller] = await board(caller, unknownIds.sessionId);
    expect(outcomes).toEqual({
      none: `${CloseCode.unauthorized}`,
      unknown: `${CloseCode.unauthorized}`,
      admin: `${CloseCode.notFound}`,
      moderator: `${CloseCode.notFound}`,
      otherModerator: `${CloseCode.notFound}`,
      analyst: `${CloseCode.notFound}`,
      participant: `${CloseCode.notFound}`,
      otherParticipant: `${CloseCode.notFound}`,
    });
  });

  it('Yjs: writers write; the analyst is read-only (4403 on a write)', async () => {
    expect({
      admin: await board('admin', f.sessionId, 'admin'),
      moderator: await board('moderator', f.sessionId, 'moderator'),
      analyst: await board('analyst', f.sessionId, 'analyst'),
      participant: await board('participant', f.sessionId, f.participantId),
    }).toEqual({
      admin: 'writes',
      moderator: 'writes',
      analyst: `admitted, then ${CloseCode.forbidden}`,
      participant: 'writes',
    });
  });
});
