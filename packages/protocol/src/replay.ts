import { type Static, Type } from '@sinclair/typebox';

/** Epoch milliseconds. */
const EpochMs = Type.Integer({ minimum: 0, description: 'Epoch milliseconds' });

/** What can happen on a session's timeline. */
export const TimelineEventType = Type.Union(
  [
    Type.Literal('created'),
    Type.Literal('segment'),
    Type.Literal('started'),
    Type.Literal('paused'),
    Type.Literal('resumed'),
    Type.Literal('reveal'),
    Type.Literal('board-locked'),
    Type.Literal('board-unlocked'),
    Type.Literal('submission'),
    Type.Literal('ended'),
  ],
  { description: 'What happened' },
);

/** One event of a session's timeline. */
export const ReplayTimelineEvent = Type.Object({
  at: EpochMs,
  type: TimelineEventType,
  segment: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 5,
      description:
        'On `segment`, the segment entered; on `reveal`, the segment revealed; otherwise the segment it happened in',
    }),
  ),
  status: Type.Optional(
    Type.Union([Type.Literal('pending'), Type.Literal('running'), Type.Literal('paused')], {
      description: 'On `segment`: whether its clock started at once',
    }),
  ),
  count: Type.Optional(
    Type.Integer({ minimum: 0, description: 'On `submission`: how many have submitted that segment (never what)' }),
  ),
});
/** One event of a session's timeline. */
export type ReplayTimelineEvent = Static<typeof ReplayTimelineEvent>;

/** `GET /api/sessions/:id/timeline`. */
export const ReplayTimeline = Type.Object({
  events: Type.Array(ReplayTimelineEvent, { description: 'In time order' }),
});
/** A session's timeline. */
export type ReplayTimeline = Static<typeof ReplayTimeline>;

/** `?at=` of `GET /api/sessions/:id/board`. */
export const BoardAtQuery = Type.Object({
  at: Type.String({ pattern: '^[0-9]{1,15}$', description: 'The moment, in epoch milliseconds' }),
});
/** The query of the board at a moment. */
export type BoardAtQuery = Static<typeof BoardAtQuery>;

/** `GET /api/sessions/:id/board?at=`: the board document's `cards` and named `clusters` as they stood then. */
export const BoardAt = Type.Object({
  cards: Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown()), {
    description: 'Card id → the card’s fields (see the board contract)',
  }),
  clusters: Type.Record(
    Type.String(),
    Type.Object({
      name: Type.String(),
      size: Type.Optional(Type.Number({ minimum: 0 })),
      suggested: Type.Optional(Type.Boolean()),
    }),
    { description: 'Cluster id → its name (and, for the affinity map’s suggestions, `suggested: true`)' },
  ),
});
/** The board at a moment. */
export type BoardAt = Static<typeof BoardAt>;

/** One kept moment of a session's board: when, and why it was kept. */
export const BoardMoment = Type.Object({
  at: EpochMs,
  reason: Type.Union([Type.Literal('segment'), Type.Literal('interval'), Type.Literal('end')]),
});
/** A kept board moment. */
export type BoardMoment = Static<typeof BoardMoment>;

/** `GET /api/sessions/:id/board/moments`. */
export const BoardMoments = Type.Array(BoardMoment, { description: 'Oldest first' });
/** A session's kept board moments. */
export type BoardMoments = Static<typeof BoardMoments>;
