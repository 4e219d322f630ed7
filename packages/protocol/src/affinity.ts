import { type Static, Type } from '@sinclair/typebox';
import { Id, Nullable, Timestamp } from './common.js';

/** What an affinity map lays out: the board's label cards, its attribute cards, or both. */
export const MapInclude = Type.Union([Type.Literal('labels'), Type.Literal('attributes')]);
/** Map include. */
export type MapInclude = Static<typeof MapInclude>;

/** `POST /api/sessions/:sessionId/affinity-map` body. */
export const AffinityMapBody = Type.Object({
  include: Type.Optional(Type.Array(MapInclude, { minItems: 1, maxItems: 2, uniqueItems: true })),
  /** The layout is the same for the same seed and cards. Default 42. */
  seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
});
/** Affinity-map body. */
export type AffinityMapBody = Static<typeof AffinityMapBody>;

/** A card the map placed: where, and in which suggested cluster. */
export const AffinityMapPoint = Type.Object({
  cardId: Type.String(),
  labelId: Type.Optional(Id),
  segment1AttributeId: Type.Optional(Id),
  x: Type.Number(),
  y: Type.Number(),
  clusterId: Type.Integer({ minimum: 0 }),
});
/** Affinity-map point. */
export type AffinityMapPoint = Static<typeof AffinityMapPoint>;

/** A suggested cluster: named by its most common words. Suggestions only: people regroup freely. */
export const AffinityMapCluster = Type.Object({
  id: Type.Integer({ minimum: 0 }),
  name: Type.String(),
  size: Type.Integer({ minimum: 0 }),
});
/** Affinity-map cluster. */
export type AffinityMapCluster = Static<typeof AffinityMapCluster>;

/** An affinity map: every card's position (also written into the board), model, timing. */
export const AffinityMapResponse = Type.Object({
  points: Type.Array(AffinityMapPoint),
  clusters: Type.Array(AffinityMapCluster),
  /** The embedding model that produced the vectors. */
  model: Type.String(),
  /** Set when the configured model could not be loaded and the offline default was used. */
  fallbackFrom: Nullable(Type.String()),
  dims: Type.Integer(),
  seed: Type.Integer(),
  include: Type.Array(MapInclude),
  /** Milliseconds from request to positions, embedding and layout included. */
  ms: Type.Number(),
  /** Where the time went (in the response to the POST that computed the map). */
  timings: Type.Optional(
    Type.Object({
      boardMs: Type.Number(),
      embeddingMs: Type.Number(),
      layoutMs: Type.Number(),
      writeMs: Type.Number(),
    }),
  ),
  createdAt: Timestamp,
});
/** Affinity-map response. */
export type AffinityMapResponse = Static<typeof AffinityMapResponse>;

/** A topic the group explored: a cluster of its labels or of its interactions' user turns. */
export const SummaryTopic = Type.Object({
  name: Type.String(),
  terms: Type.Array(Type.String()),
  size: Type.Integer({ minimum: 1 }),
  source: Type.Union([Type.Literal('interactions'), Type.Literal('labels')]),
  labelIds: Type.Array(Id),
  interactionIds: Type.Array(Id),
});
/** Summary topic. */
export type SummaryTopic = Static<typeof SummaryTopic>;

/** `GET /api/groups/:groupId/summary`. */
export const GroupSummary = Type.Object({
  topics: Type.Array(SummaryTopic),
  /** Plain word counts over the group's labels, stop words out, most frequent first. */
  wordCloud: Type.Array(Type.Object({ term: Type.String(), count: Type.Integer({ minimum: 1 }) })),
  /** The embedding model the topics were clustered with. */
  model: Type.String(),
});
/** Group summary. */
export type GroupSummary = Static<typeof GroupSummary>;

/** Progress of a layout, as `affinity-map:progress` carries it. */
export const MapProgress = Type.Object({
  sessionId: Id,
  stage: Type.Union(['embedding', 'neighbours', 'graph', 'optimise', 'clusters', 'board'].map((s) => Type.Literal(s))),
  /** Share of the whole layout done, 0..1. */
  fraction: Type.Number({ minimum: 0, maximum: 1 }),
});
/** Map progress. */
export type MapProgress = Static<typeof MapProgress>;
