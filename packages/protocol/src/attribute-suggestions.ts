import { type Static, Type } from '@sinclair/typebox';
import { Id } from './common.js';

/** A code of a suggested grouping: one label, its text, counting for (`1`) or against (`-1`). */
export const SuggestedCode = Type.Object({
  labelId: Id,
  text: Type.String(),
  sign: Type.Union([Type.Literal(1), Type.Literal(-1)]),
});
/** Suggested code. */
export type SuggestedCode = Static<typeof SuggestedCode>;

/**
 * A suggested attribute: codes close in meaning, named after the most central one. `id` stays
 * the same for the same code texts, so a client may remember a dismissal.
 */
export const AttributeSuggestion = Type.Object({
  id: Type.String(),
  name: Type.String(),
  codes: Type.Array(SuggestedCode),
  /** Average cosine similarity between the codes' embeddings (−1…1, higher: closer). */
  cohesion: Type.Number(),
});
/** Attribute suggestion. */
export type AttributeSuggestion = Static<typeof AttributeSuggestion>;

/** `GET /api/groups/:groupId/attributes/suggestions`: largest groupings first; `suggestedBy` names the embedding model. */
export const AttributeSuggestionList = Type.Object({
  suggestions: Type.Array(AttributeSuggestion),
  suggestedBy: Type.String(),
});
/** Attribute suggestion list. */
export type AttributeSuggestionList = Static<typeof AttributeSuggestionList>;
