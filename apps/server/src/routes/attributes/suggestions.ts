import { type DistinctCode, distinctCodes, suggestGroupings } from '@calma/core';
import { type Database, listAttributes, listLabels } from '@calma/db';
import { AttributeSuggestionList, authErrors, idParams } from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EmbeddingCache } from '../../affinity/embedding-cache.js';
import { access, groupScope } from '../../plugins/auth.js';

/**
 * The most distinct codes clustered at once. Clustering keeps a similarity matrix (n² numbers)
 * and walks it per merge, so a group with more codes gets suggestions over its most used ones.
 */
export const maxSuggestedCodes = 1_000;

/** The most used codes first (ties by text), at most {@link maxSuggestedCodes}. */
const mostUsed = (codes: DistinctCode[]) =>
  codes.length <= maxSuggestedCodes
    ? codes
    : [...codes].sort((a, b) => b.labelIds.length - a.labelIds.length).slice(0, maxSuggestedCodes);

/**
 * Suggested groupings of codes into attributes (focused coding): a participant's over their own
 * codes, the moderator's over the group's. They are only offered: the person edits and saves one
 * through `POST /api/groups/:groupId/attributes`; nothing here writes.
 */
export const attributeSuggestionRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  embeddings: EmbeddingCache;
}> = async (app, { db, embeddings }) => {
  app.get(
    '/api/groups/:groupId/attributes/suggestions',
    {
      config: { access: access.group(['moderator', 'participant']) },
      schema: {
        tags: ['attributes'],
        summary:
          "Suggested groupings of codes into attributes, by meaning (a participant: over their own codes; the moderator: the group's); never applied by the server",
        params: idParams('groupId'),
        response: { 200: AttributeSuggestionList, ...authErrors },
      },
    },
    async (request) => {
      const { principal, group } = groupScope(request);
      const owner = principal.role === 'participant' ? principal.participantId : null;
      const labels = (await listLabels(db, group.id)).filter((l) => owner === null || l.participantId === owner);
      const codes = mostUsed(distinctCodes(labels));
      if (codes.length < 2) return { suggestions: [], suggestedBy: (await embeddings.describe()).model };
      const embedded = await embeddings.embed(codes.map((c) => c.text));
      // A grouping already made (all its codes in one of the person's attributes) is not offered again.
      const made = (await listAttributes(db, group.id))
        .filter((a) => a.participantId === owner)
        .map((a) => new Set(a.codes.map((c) => c.labelId)));
      const suggestions = suggestGroupings(codes, embedded.vectors)
        .map((g) => ({
          id: g.id,
          name: g.name,
          codes: g.members.flatMap((m) => m.labelIds.map((labelId) => ({ labelId, text: m.text, sign: m.sign }))),
          cohesion: g.cohesion,
        }))
        .filter((s) => !made.some((codesOf) => s.codes.every((c) => codesOf.has(c.labelId))));
      return { suggestions, suggestedBy: embedded.model };
    },
  );
};
