import { type Static, type TProperties, type TUnion, Type } from '@sinclair/typebox';
import { Id, Nullable } from './common.js';

/** Segment number: 0 is the artifacts review, 1–5 the paper's segments. */
export const SegmentNumber = Type.Union([
  Type.Literal(0),
  Type.Literal(1),
  Type.Literal(2),
  Type.Literal(3),
  Type.Literal(4),
  Type.Literal(5),
]);
/** Segment number. */
export type SegmentNumber = 0 | 1 | 2 | 3 | 4 | 5;

/** A duration in milliseconds: one second to six hours. */
export const DurationMs = Type.Integer({ minimum: 1_000, maximum: 6 * 3_600_000 });

/** The session state as clients see it; clocks are epoch milliseconds, `serverNow` for skew. */
export const SessionState = Type.Object({
  segment: SegmentNumber,
  status: Type.Union([Type.Literal('pending'), Type.Literal('running'), Type.Literal('paused'), Type.Literal('ended')]),
  startedAt: Nullable(Type.Number()),
  endsAt: Nullable(Type.Number()),
  remainingMs: Nullable(Type.Number()),
  serverNow: Type.Number(),
  revealed: Type.Array(SegmentNumber),
  durationMs: Nullable(Type.Number()),
  boardLocked: Type.Boolean(),
  speakers: Type.Object({
    order: Type.Array(Id),
    currentSpeakerId: Nullable(Id),
    nextSpeakerId: Nullable(Id),
    turnMs: Type.Number(),
    turnEndsAt: Nullable(Type.Number()),
    turnRemainingMs: Nullable(Type.Number()),
  }),
  // Optional in the schema so that clients written before it keep type-checking; this server
  // always sends it.
  revision: Type.Optional(
    Type.Integer({
      minimum: 0,
      description: 'Counts the changes of this state; send it back as `revision` with a control action',
    }),
  ),
});
/** Session state view. */
export type SessionState = Static<typeof SessionState>;

/** `GET /api/sessions/:id`. */
export const Session = Type.Object({ id: Id, groupId: Id, state: SessionState });
/** Session. */
export type Session = Static<typeof Session>;

/** `POST /api/groups/:groupId/sessions` response. */
export const CreatedSession = Type.Object({ id: Id, groupId: Id, state: SessionState });
/** Created session. */
export type CreatedSession = Static<typeof CreatedSession>;

/** `GET /api/groups/:groupId/sessions`. */
export const SessionList = Type.Object({ sessions: Type.Array(Session) });
/** Session list. */
export type SessionList = Static<typeof SessionList>;

/**
 * The revision the moderator's view showed when they chose the action: when given and the session
 * has changed since, the action is refused with 409 `STALE_REVISION` and nothing changes, so a
 * double click or a second tab cannot advance twice or skip a speaker.
 */
export const ControlRevision = Type.Optional(
  Type.Integer({ minimum: 0, description: "Only act if the session's state is still at this revision" }),
);

/** One control action's body: `action` names it, and it carries exactly the fields it needs. */
const controlAction = <A extends string, P extends TProperties>(action: A, properties: P, description: string) =>
  Type.Object(
    { action: Type.Literal(action), ...properties, revision: ControlRevision },
    { title: `Control: ${action}`, description },
  );

/**
 * The control actions, each with exactly the fields it needs: the `POST /api/sessions/:id/control`
 * body (and `session:control` over socket.io, with `sessionId`) is one of them, tagged by `action`. The contract's actions are `start`, `pause`, `resume`, `extend`,
 * `advance`, `reveal` and `end`; added: `lock-board`, `unlock-board`, `set-speakers`,
 * `next-speaker` and `previous-speaker`. Every action may carry `revision` (see {@link ControlRevision}).
 */
export const ControlActions = [
  controlAction('start', { segment: SegmentNumber, durationMs: DurationMs }, 'Start a segment with a clock'),
  controlAction('pause', {}, 'Pause the clock'),
  controlAction('resume', {}, 'Resume the clock'),
  controlAction('extend', { durationMs: DurationMs }, 'Add time to the clock'),
  controlAction(
    'advance',
    { durationMs: Type.Optional(DurationMs) },
    'Go to the next segment (running, when a duration is given)',
  ),
  controlAction('reveal', { segment: SegmentNumber }, "Show everyone the segment's private work"),
  controlAction('end', {}, 'End the session'),
  controlAction('lock-board', {}, 'Make the board read-only for participants'),
  controlAction('unlock-board', {}, 'Let participants edit the board again'),
  controlAction(
    'set-speakers',
    { participantIds: Type.Array(Id, { maxItems: 200 }), turnMs: Type.Optional(DurationMs) },
    'Set the speaking queue of segment 3 (turns default to 2 minutes)',
  ),
  controlAction('next-speaker', {}, 'Give the floor to the next speaker'),
  controlAction('previous-speaker', {}, 'Give the floor back to the previous speaker (after a skipped turn)'),
] as const;

/**
 * The control body's schema: `oneOf` the actions with `action` as the OpenAPI/Ajv discriminator,
 * so a validator checks the branch the tag names and clients can generate a tagged union.
 */
export const ControlBody = Type.Unsafe<Static<TUnion<[...typeof ControlActions]>>>({
  type: 'object',
  oneOf: [...ControlActions],
  discriminator: { propertyName: 'action' },
});
/** Control body. */
export type ControlBody = Static<typeof ControlBody>;
/** One of the control actions. */
export type ControlActionName = ControlBody['action'];

/** `POST /api/sessions/:id/control` response. */
export const ControlResponse = Type.Object({ state: SessionState });
/** Control response. */
export type ControlResponse = Static<typeof ControlResponse>;

const AttributeName = Type.String({ minLength: 1, maxLength: 200 });
const AttributeDefinition = Type.String({ minLength: 1, maxLength: 5_000 });

/** `PUT /api/sessions/:id/segment1` body: 1–3 attributes in rank order. */
export const Segment1Body = Type.Object({
  attributes: Type.Array(Type.Object({ name: AttributeName, definition: AttributeDefinition }), {
    minItems: 1,
    maxItems: 3,
  }),
});
/** Segment-1 body. */
export type Segment1Body = Static<typeof Segment1Body>;

/** A participant's segment-1 attribute. */
export const Segment1Attribute = Type.Object({
  id: Id,
  participantId: Id,
  name: Type.String(),
  definition: Type.String(),
  rank: Type.Integer({ minimum: 1, maximum: 3 }),
});
/** Segment-1 attribute. */
export type Segment1Attribute = Static<typeof Segment1Attribute>;

/** `PUT /api/sessions/:id/segment1` response. */
export const Segment1Response = Type.Object({ attributes: Type.Array(Segment1Attribute) });
/** Segment-1 response. */
export type Segment1Response = Static<typeof Segment1Response>;

/** A final attribute (an axis in the making), as given by the moderator in segment 4. */
export const FinalAttributeInput = Type.Object({
  id: Type.Optional(Id),
  name: AttributeName,
  definition: AttributeDefinition,
  exampleInteractionIds: Type.Optional(Type.Array(Id, { maxItems: 50 })),
  sourceLabelIds: Type.Optional(Type.Array(Id, { maxItems: 500 })),
});

/** `PUT /api/sessions/:id/final-attributes` body. Top lists name ids of the listed attributes. */
export const FinalAttributesBody = Type.Object({
  attributes: Type.Array(FinalAttributeInput, { minItems: 1, maxItems: 50 }),
  groupTop3: Type.Array(Id, { maxItems: 3 }),
  groupTop5: Type.Array(Id, { maxItems: 5 }),
});
/** Final-attributes body. */
export type FinalAttributesBody = Static<typeof FinalAttributesBody>;

/** A final attribute as stored. */
export const FinalAttribute = Type.Object({
  id: Id,
  name: Type.String(),
  definition: Type.String(),
  exampleInteractionIds: Type.Array(Id),
  sourceLabelIds: Type.Array(Id),
  position: Type.Integer(),
});
/** Final attribute. */
export type FinalAttribute = Static<typeof FinalAttribute>;

/** `PUT` and `GET /api/sessions/:id/final-attributes` response. */
export const FinalAttributesResponse = Type.Object({
  attributes: Type.Array(FinalAttribute),
  groupTop3: Type.Array(Id),
  groupTop5: Type.Array(Id),
});
/** Final-attributes response. */
export type FinalAttributesResponse = Static<typeof FinalAttributesResponse>;

/** Segment-1 attribute id → final attribute id (or null: maps to none). */
export const Mapping = Type.Record(Type.String(), Nullable(Id));

/** `PUT /api/sessions/:id/segment1-mapping` body. */
export const MappingBody = Type.Object({ mapping: Mapping });
/** Mapping body. */
export type MappingBody = Static<typeof MappingBody>;

/** `GET /api/sessions/:id/segment1-mapping`. */
export const MappingResponse = Type.Object({
  attributes: Type.Array(Segment1Attribute),
  mapping: Mapping,
  suggested: Type.Record(Type.String(), Type.Object({ finalAttributeId: Id, similarity: Type.Number() })),
  /** How suggestions were computed (an embedding model's name, or a lexical fallback). */
  suggestedBy: Type.String(),
});
/** Mapping response. */
export type MappingResponse = Static<typeof MappingResponse>;

/** `PUT /api/sessions/:id/segment5` body. */
export const Segment5Body = Type.Object({
  likert: Type.Record(Type.String(), Type.Integer({ minimum: 1, maximum: 5 })),
  ranking: Type.Array(Id, { maxItems: 50 }),
});
/** Segment-5 body. */
export type Segment5Body = Static<typeof Segment5Body>;

/** A participant's segment-5 submission. */
export const Segment5Submission = Type.Object({
  participantId: Id,
  likert: Type.Record(Type.String(), Type.Integer()),
  ranking: Type.Array(Id),
  submittedAt: Type.String(),
});
/** Segment-5 submission. */
export type Segment5Submission = Static<typeof Segment5Submission>;

/** `GET /api/sessions/:id/submissions`: what the caller may see. */
export const Submissions = Type.Object({
  segment1: Type.Array(
    Type.Object({ participantId: Id, attributes: Type.Array(Segment1Attribute), submittedAt: Type.String() }),
  ),
  finalAttributes: Type.Array(FinalAttribute),
  groupTop3: Type.Array(Id),
  groupTop5: Type.Array(Id),
  mapping: Nullable(Mapping),
  segment5: Type.Array(Segment5Submission),
});
/** Submissions. */
export type Submissions = Static<typeof Submissions>;

const LikertStats = Type.Object({
  n: Type.Integer(),
  mean: Nullable(Type.Number()),
  median: Nullable(Type.Number()),
  counts: Type.Array(Type.Integer(), { minItems: 5, maxItems: 5 }),
  agreeShare: Nullable(Type.Number()),
});

/** `GET /api/sessions/:id/analysis`. */
export const Analysis = Type.Object({
  participants: Type.Integer(),
  likert: Type.Record(Type.String(), LikertStats),
  concordance: Type.Object({ segment1W: Nullable(Type.Number()), segment5W: Nullable(Type.Number()) }),
  participantsShift: Type.Array(
    Type.Object({
      participantId: Id,
      tauWithGroupBefore: Nullable(Type.Number()),
      tauWithGroupAfter: Nullable(Type.Number()),
      top3JaccardBefore: Nullable(Type.Number()),
      top3JaccardAfter: Nullable(Type.Number()),
    }),
  ),
  groupRanking: Type.Array(Id),
});
/** Analysis. */
export type Analysis = Static<typeof Analysis>;

/** `GET /api/sessions/:id/export` query. */
export const ExportQuery = Type.Object({
  format: Type.Optional(
    Type.Union(
      [
        Type.Literal('json'),
        Type.Literal('csv'),
        Type.Literal('md'),
        Type.Literal('judge'),
        Type.Literal('judge-md'),
        Type.Literal('steerlm'),
        Type.Literal('preferences'),
        Type.Literal('constitution'),
      ],
      {
        description:
          'json/csv/md: the derived axes; judge (JSON) and judge-md: the latest judge rubrics; steerlm and ' +
          'preferences: JSON Lines datasets (possibly empty); constitution: Markdown principles',
      },
    ),
  ),
});
/** Export query. */
export type ExportQuery = Static<typeof ExportQuery>;
