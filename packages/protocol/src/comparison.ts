import { type Static, Type } from '@sinclair/typebox';
import { Id, Nullable } from './common.js';

/** An axis in the comparison: a final attribute of a group's latest ended session. */
export const ComparisonAxis = Type.Object({ groupId: Id, attributeId: Id, name: Type.String() });
/** Comparison axis. */
export type ComparisonAxis = Static<typeof ComparisonAxis>;

/** `shared`: the one-to-one matching; `near`: an "also near" link. */
export const ComparisonKind = Type.Union([Type.Literal('shared'), Type.Literal('near')]);
/** Comparison kind. */
export type ComparisonKind = Static<typeof ComparisonKind>;

/** A pair of axes of two different groups; `a` is of the group listed first in `groups`. */
export const ComparisonPair = Type.Object({
  a: ComparisonAxis,
  b: ComparisonAxis,
  similarity: Type.Number(),
  kind: ComparisonKind,
  /** An analyst confirmed it (it stays whatever the embedder says). */
  confirmed: Type.Boolean(),
  /** Who confirmed it (`admin` or `analyst:<groupId>`), null for a suggestion. */
  decidedBy: Nullable(Type.String()),
});
/** Comparison pair. */
export type ComparisonPair = Static<typeof ComparisonPair>;

/** A compared group: its latest ended session (null: none yet, so no axes) and its axes' details. */
export const ComparisonGroup = Type.Object({
  groupId: Id,
  name: Type.String(),
  sessionId: Nullable(Id),
  axes: Type.Array(
    Type.Object({
      attributeId: Id,
      name: Type.String(),
      definition: Type.String(),
      exampleInteractionIds: Type.Array(Id),
    }),
  ),
});
/** Comparison group. */
export type ComparisonGroup = Static<typeof ComparisonGroup>;

/** `GET /api/studies/:studyId/comparison?groups=ID,ID`. */
export const Comparison = Type.Object({
  pairs: Type.Array(ComparisonPair),
  unique: Type.Array(ComparisonAxis),
  /** Pairs an analyst broke (never suggested again), so the decision can be withdrawn. */
  broken: Type.Array(Type.Object({ a: ComparisonAxis, b: ComparisonAxis, decidedBy: Type.String() })),
  /** The groups in the order asked, with their axes (definitions, examples). */
  groups: Type.Array(ComparisonGroup),
  /** The embedder that scored the similarities. */
  suggestedBy: Type.String(),
});
/** Comparison. */
export type Comparison = Static<typeof Comparison>;

/** `GET /api/studies/:studyId/comparison` query: two or more group ids, comma-separated. */
export const ComparisonQuery = Type.Object({ groups: Type.String({ minLength: 1, maxLength: 2000 }) });
/** Comparison query. */
export type ComparisonQuery = Static<typeof ComparisonQuery>;

/** `GET /api/studies/:studyId/comparison/export` query. */
export const ComparisonExportQuery = Type.Object({
  groups: Type.String({ minLength: 1, maxLength: 2000 }),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('md')])),
});
/** Comparison export query. */
export type ComparisonExportQuery = Static<typeof ComparisonExportQuery>;

/** `PUT /api/studies/:studyId/comparison/pairs` body: an analyst's decision on a pair. */
export const ComparisonDecisionBody = Type.Object({
  a: Id,
  b: Id,
  status: Type.Union([Type.Literal('confirmed'), Type.Literal('broken')]),
  kind: ComparisonKind,
});
/** Comparison decision body. */
export type ComparisonDecisionBody = Static<typeof ComparisonDecisionBody>;

/** A stored decision; `a` is the lesser attribute id. */
export const ComparisonDecision = Type.Object({
  a: Id,
  b: Id,
  status: Type.Union([Type.Literal('confirmed'), Type.Literal('broken')]),
  kind: ComparisonKind,
  decidedBy: Type.String(),
  decidedAt: Type.String({ format: 'date-time' }),
});
/** Comparison decision. */
export type ComparisonDecision = Static<typeof ComparisonDecision>;

/** `DELETE /api/studies/:studyId/comparison/pairs?a=&b=` query. */
export const ComparisonPairQuery = Type.Object({ a: Id, b: Id });
/** Comparison pair query. */
export type ComparisonPairQuery = Static<typeof ComparisonPairQuery>;

/** `GET /api/studies/:studyId/comparison/groups`: the study's groups a caller may compare. */
export const ComparableGroups = Type.Object({
  groups: Type.Array(Type.Object({ groupId: Id, name: Type.String(), sessionId: Nullable(Id), axes: Type.Integer() })),
});
/** Comparable groups. */
export type ComparableGroups = Static<typeof ComparableGroups>;
