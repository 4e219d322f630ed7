/**
 * A lexical similarity for short texts (attribute names and definitions), used to suggest the
 * segment-1 → final mapping when no embedding model is at hand. It only assists: the moderator
 * confirms every mapping.
 */

const stopWords = new Set(
  'a an and are as at be by for from has have in is it its of on or that the to was were will with this these those their they them not no but if than then so such into about over also can may should would could which who whom what when where how all any each most other some own same very just only our your'.split(
    ' ',
  ),
);

/** Lower-cased word stems without stop words; crude suffix stripping so "biased" meets "bias". */
export function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
    .filter((w) => !stopWords.has(w) && w.length > 1)
    .map((w) => w.replace(/(ations?|ities|ity|ness|ments?|ing|ed|es|s|ly|al)$/u, '') || w);
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [k, v] of a) {
    na += v * v;
    dot += v * (b.get(k) ?? 0);
  }
  for (const v of b.values()) nb += v * v;
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

function bag(items: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

function trigrams(words: string[]): string[] {
  return words.flatMap((w) => {
    const padded = ` ${w} `;
    return Array.from({ length: padded.length - 2 }, (_, i) => padded.slice(i, i + 3));
  });
}

/** Similarity in [0, 1]: the mean of word-stem cosine and character-trigram cosine. */
export function lexicalSimilarity(a: string, b: string): number {
  const wa = contentWords(a);
  const wb = contentWords(b);
  return (cosine(bag(wa), bag(wb)) + cosine(bag(trigrams(wa)), bag(trigrams(wb)))) / 2;
}

/** For each source, the most similar target (ties: the earlier target) and its similarity. */
export function suggestMatches(
  sources: readonly { id: string; text: string }[],
  targets: readonly { id: string; text: string }[],
  similarity: (a: string, b: string) => number = lexicalSimilarity,
): Record<string, { finalAttributeId: string; similarity: number }> {
  const suggestions: Record<string, { finalAttributeId: string; similarity: number }> = {};
  if (targets.length === 0) return suggestions;
  for (const source of sources) {
    let best: { finalAttributeId: string; similarity: number } | null = null;
    for (const target of targets) {
      const s = similarity(source.text, target.text);
      if (best === null || s > best.similarity) best = { finalAttributeId: target.id, similarity: s };
    }
    if (best) suggestions[source.id] = best;
  }
  return suggestions;
}
