import { type Static, Type } from '@sinclair/typebox';
import { Id, Nullable } from './common.js';

/** One of the caller's own codes on a turn. */
export const CodingCode = Type.Object({
  id: Id,
  text: Type.String(),
  /** The note on why (the label's `annotation`). */
  note: Nullable(Type.String()),
  /** UTF-16 offsets into the stored response; null: the whole turn. */
  span: Nullable(Type.Object({ start: Type.Integer(), end: Type.Integer() })),
  /** Present and true when the response changed after coding and the span no longer fits it. */
  spanStale: Type.Optional(Type.Boolean()),
});
/** Coding code. */
export type CodingCode = Static<typeof CodingCode>;

/** Where a turn to code comes from, for its reader. */
export const CodingKind = Type.Union([Type.Literal('own'), Type.Literal('baseline'), Type.Literal('shared')]);
/** Coding kind. */
export type CodingKind = Static<typeof CodingKind>;

/**
 * An assistant turn the caller may code: the user message before it (`prompt`, null when the
 * turn opens the conversation) and the response, as the visibility rule lets the caller see them.
 */
export const CodingTurn = Type.Object({
  interactionId: Id,
  messageIndex: Type.Integer({ minimum: 0 }),
  kind: CodingKind,
  prompt: Nullable(Type.String()),
  response: Type.String(),
  /**
   * True when the caller sees the turn masked (another's shared chat; staff): spans are offsets
   * into the stored text, so such a turn is coded whole.
   */
  masked: Type.Boolean(),
  codes: Type.Array(CodingCode),
});
/** Coding turn. */
export type CodingTurn = Static<typeof CodingTurn>;

/** `GET /api/groups/:groupId/coding`: the turns in a stable order and how many carry an own code. */
export const CodingList = Type.Object({
  turns: Type.Array(CodingTurn),
  progress: Type.Object({ coded: Type.Integer({ minimum: 0 }), total: Type.Integer({ minimum: 0 }) }),
});
/** Coding list. */
export type CodingList = Static<typeof CodingList>;

/** `GET /api/groups/:groupId/codes/suggest` query. */
export const CodeSuggestQuery = Type.Object({
  q: Type.String({ maxLength: 500 }),
  /** How many to return, 1–50 (default 8); a query string, so digits. */
  limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]?$' })),
});
/** Code-suggest query. */
export type CodeSuggestQuery = Static<typeof CodeSuggestQuery>;

/** A code of the group offered while typing: by prefix, or by meaning (with its cosine similarity). */
export const CodeSuggestion = Type.Object({
  text: Type.String(),
  /** How many labels of the group carry this code (trimmed, case-insensitive). */
  count: Type.Integer({ minimum: 1 }),
  by: Type.Union([Type.Literal('prefix'), Type.Literal('meaning')]),
  similarity: Type.Optional(Type.Number()),
});
/** Code suggestion. */
export type CodeSuggestion = Static<typeof CodeSuggestion>;

/** `GET /api/groups/:groupId/codes/suggest`. */
export const CodeSuggestions = Type.Object({ suggestions: Type.Array(CodeSuggestion) });
/** Code suggestions. */
export type CodeSuggestions = Static<typeof CodeSuggestions>;

/** `PATCH /api/labels/:id` body: the note (null or "" clears it). Same cap as on create. */
export const UpdateLabelBody = Type.Object(
  { annotation: Nullable(Type.String({ maxLength: 5_000 })) },
  { additionalProperties: false },
);
/** Update-label body. */
export type UpdateLabelBody = Static<typeof UpdateLabelBody>;
