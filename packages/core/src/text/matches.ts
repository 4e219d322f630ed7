/**
 * For each source, the most similar target (ties: the earlier target) and its similarity. The
 * similarity comes from the caller (the server uses embedding cosine); this only assists: the
 * moderator confirms every mapping.
 */
export function suggestMatches<T>(
  sources: readonly { id: string; value: T }[],
  targets: readonly { id: string; value: T }[],
  similarity: (a: T, b: T) => number,
): Record<string, { finalAttributeId: string; similarity: number }> {
  const suggestions: Record<string, { finalAttributeId: string; similarity: number }> = {};
  if (targets.length === 0) return suggestions;
  for (const source of sources) {
    let best: { finalAttributeId: string; similarity: number } | null = null;
    for (const target of targets) {
      const s = similarity(source.value, target.value);
      if (best === null || s > best.similarity) best = { finalAttributeId: target.id, similarity: s };
    }
    if (best) suggestions[source.id] = best;
  }
  return suggestions;
}
