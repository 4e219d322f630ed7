import { type Static, Type } from '@sinclair/typebox';
import { Id, Nullable, Timestamp } from './common.js';

/** One axis a round asks about: a final attribute of the group (or one the moderator wrote). */
export const AbAxis = Type.Object({
  id: Id,
  name: Type.String({ minLength: 1, maxLength: 200 }),
  definition: Type.String({ maxLength: 2000 }),
});
/** A/B axis. */
export type AbAxis = Static<typeof AbAxis>;

/** Where a round's prompts come from: the study's baseline set, the participants, or both. */
export const AbPromptSource = Type.Union([Type.Literal('baseline'), Type.Literal('own'), Type.Literal('both')]);
/** A/B prompt source. */
export type AbPromptSource = Static<typeof AbPromptSource>;

/** A round's status. */
export const AbRoundStatus = Type.Union([Type.Literal('open'), Type.Literal('closed')]);
/** A/B round status. */
export type AbRoundStatus = Static<typeof AbRoundStatus>;

/** A study model as a round names it to staff. */
export const AbModelRef = Type.Object({ id: Id, label: Type.String() });
/** A/B model reference. */
export type AbModelRef = Static<typeof AbModelRef>;

/**
 * A round as the group sees it. `models` is there for staff only: a participant is never told
 * which models are compared, and `mine` (their own progress) is there for participants only.
 */
export const AbRound = Type.Object({
  id: Id,
  status: AbRoundStatus,
  prompts: AbPromptSource,
  axes: Type.Array(AbAxis),
  /** The ended session whose final attributes are the axes, when they came from one. */
  sessionId: Nullable(Id),
  createdAt: Timestamp,
  closedAt: Nullable(Timestamp),
  /** How many prompts the study's baseline set offers (its items' first user turns); 0 hides "use a baseline prompt". */
  baselinePrompts: Type.Integer({ minimum: 0 }),
  models: Type.Optional(Type.Object({ a: AbModelRef, b: AbModelRef })),
  /** Staff: items generated and voted on, and by how many participants. */
  counts: Type.Optional(
    Type.Object({
      items: Type.Integer({ minimum: 0 }),
      voted: Type.Integer({ minimum: 0 }),
      participants: Type.Integer({ minimum: 0 }),
    }),
  ),
  /** Participants: how many items they have voted on in this round. */
  mine: Type.Optional(Type.Object({ voted: Type.Integer({ minimum: 0 }) })),
});
/** A/B round. */
export type AbRound = Static<typeof AbRound>;

/** `GET /api/groups/:groupId/ab-rounds`: the group's rounds, newest first. */
export const AbRoundList = Type.Object({ rounds: Type.Array(AbRound) });
/** A/B round list. */
export type AbRoundList = Static<typeof AbRoundList>;

/** `GET /api/groups/:groupId/ab-rounds/setup` (moderator): what opening a round may choose from. */
export const AbRoundSetup = Type.Object({
  models: Type.Array(AbModelRef),
  /** The final attributes of the group's latest ended session, or null when it has none. */
  axes: Nullable(Type.Array(AbAxis)),
  sessionId: Nullable(Id),
  /** How many prompts the study's baseline set offers. */
  baselinePrompts: Type.Integer({ minimum: 0 }),
});
/** A/B round setup. */
export type AbRoundSetup = Static<typeof AbRoundSetup>;

/** An axis the moderator writes when the group has no ended session (its id is made by the server). */
export const AbAxisInput = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  definition: Type.String({ maxLength: 2000 }),
});
/** A/B axis input. */
export type AbAxisInput = Static<typeof AbAxisInput>;

/**
 * `POST /api/groups/:groupId/ab-rounds` (moderator): two different study models; `axes` only when
 * the group has no ended session with final attributes (otherwise those are the axes).
 */
export const OpenAbRoundBody = Type.Object(
  {
    modelA: Id,
    modelB: Id,
    prompts: Type.Optional(AbPromptSource),
    axes: Type.Optional(Type.Array(AbAxisInput, { minItems: 1, maxItems: 12 })),
  },
  { additionalProperties: false },
);
/** Open-round body. */
export type OpenAbRoundBody = Static<typeof OpenAbRoundBody>;

/**
 * `POST /api/groups/:groupId/ab-rounds/:roundId/items` (participant): a prompt of their own, or
 * none for one from the study's baseline set.
 */
export const AbItemBody = Type.Object(
  { prompt: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })) },
  { additionalProperties: false },
);
/** A/B item body. */
export type AbItemBody = Static<typeof AbItemBody>;

/**
 * A new item: the prompt and both answers in the order shown. It says nothing of which model wrote
 * which answer, nor which was drawn first.
 */
export const AbItem = Type.Object(
  {
    itemId: Id,
    prompt: Type.String(),
    source: Type.Union([Type.Literal('baseline'), Type.Literal('own')]),
    answers: Type.Object({ first: Type.String(), second: Type.String() }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
/** A/B item. */
export type AbItem = Static<typeof AbItem>;

/** A choice on one axis, as the participant saw the answers. */
export const AbChoice = Type.Union([Type.Literal('first'), Type.Literal('second'), Type.Literal('equal')]);
/** A/B choice. */
export type AbChoice = Static<typeof AbChoice>;

/** `POST …/items/:itemId/votes`: a choice for every axis of the round, once. */
export const AbVoteBody = Type.Object(
  {
    votes: Type.Record(Id, AbChoice, {
      description: 'Axis id → first, second or equal; every axis of the round',
    }),
  },
  { additionalProperties: false },
);
/** A/B vote body. */
export type AbVoteBody = Static<typeof AbVoteBody>;

/** The stored vote, as its participant made it. */
export const AbVote = Type.Object({ itemId: Id, votes: Type.Record(Id, AbChoice), votedAt: Timestamp });
/** A/B vote. */
export type AbVote = Static<typeof AbVote>;

/** A 95 % Wilson interval of a win rate. */
export const AbInterval = Type.Object({ low: Type.Number(), high: Type.Number() });

/** How one model fared on one axis; `equal` counts half a win. */
export const AbModelResult = Type.Object({
  wins: Type.Integer({ minimum: 0 }),
  losses: Type.Integer({ minimum: 0 }),
  ties: Type.Integer({ minimum: 0 }),
  n: Type.Integer({ minimum: 0 }),
  winRate: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
  interval: Nullable(AbInterval),
});
/** A/B model result. */
export type AbModelResult = Static<typeof AbModelResult>;

/** `GET /api/groups/:groupId/ab-rounds/:roundId/results`. */
export const AbResults = Type.Object({
  round: AbRound,
  models: Type.Object({ a: AbModelRef, b: AbModelRef }),
  items: Type.Integer({ minimum: 0 }),
  voted: Type.Integer({ minimum: 0 }),
  participants: Type.Integer({ minimum: 0 }),
  /** Per axis, in the round's order: both models' results (b's win rate is 1 − a's). */
  axes: Type.Array(
    Type.Object({
      id: Id,
      name: Type.String(),
      definition: Type.String(),
      n: Type.Integer({ minimum: 0 }),
      a: AbModelResult,
      b: AbModelResult,
    }),
  ),
  method: Type.String({ description: 'How win rates and intervals are computed, in a sentence' }),
});
/** A/B results. */
export type AbResults = Static<typeof AbResults>;

/** `GET …/export` query. */
export const AbExportQuery = Type.Object({
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
});
/** A/B export query. */
export type AbExportQuery = Static<typeof AbExportQuery>;

/** One item of the JSON export (participants by pseudonym, answers by model). */
export const AbExportItemSchema = Type.Object({
  itemId: Id,
  participant: Type.String(),
  prompt: Type.String(),
  baselineId: Nullable(Type.String()),
  firstModel: Type.Union([Type.Literal('a'), Type.Literal('b')]),
  answers: Type.Object({ a: Type.String(), b: Type.String() }),
  votes: Nullable(Type.Record(Id, Type.Union([Type.Literal('a'), Type.Literal('b'), Type.Literal('equal')]))),
  createdAt: Timestamp,
  votedAt: Nullable(Timestamp),
});

/** `GET …/export?format=json`: the round and its pseudonymous items. */
export const AbExport = Type.Object({
  round: AbRound,
  models: Type.Object({ a: AbModelRef, b: AbModelRef }),
  items: Type.Array(AbExportItemSchema),
});
/** A/B export. */
export type AbExport = Static<typeof AbExport>;
