/**
 * Words of short texts, for the group summary's word cloud and for naming suggested clusters:
 * plain lower-cased words (no stemming: "bias" and "biased" are two words, as people wrote them),
 * without English stop words.
 */

export const stopWords: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below ' +
    'between both but by can could did do does doing down during each few for from further had has have having ' +
    'he her here hers him his how i if in into is it its itself just me more most my no nor not of off on once ' +
    'only or other our ours out over own same she should so some such than that the their theirs them then there ' +
    'these they this those through to too under until up very was we were what when where which while who whom ' +
    'why will with would you your yours'
  ).split(' '),
);

// Combining marks belong to words: Devanagari vowel signs and viramas, Arabic harakat. Without
// them "संतुलित" fell apart into one-letter pieces, and a Hindi group's word cloud was empty.
const wordPattern = /[\p{L}\p{M}\p{N}\u200c\u200d]+(?:[-'’][\p{L}\p{M}\p{N}\u200c\u200d]+)*/gu;

/** The words of a text, lower-cased, stop words and one-character words out. */
export function contentWords(text: string): string[] {
  return (text.normalize('NFKC').toLowerCase().match(wordPattern) ?? [])
    .map((w) => w.replaceAll('’', "'"))
    .filter((w) => w.length > 1 && !stopWords.has(w) && !/^\d+$/.test(w));
}

/** Plain word counts over texts, most frequent first (ties alphabetical). */
export function wordCounts(texts: readonly string[]): { term: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const text of texts) for (const word of contentWords(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
  return [...counts.entries()]
    .map(([term, count]) => ({ term, count }))
    .sort((a, b) => b.count - a.count || a.term.localeCompare(b.term));
}

/**
 * A short name for a group of texts (a suggested cluster, a topic): its most frequent words,
 * counting each word once per text, joined with " · ".
 */
export function nameOf(texts: readonly string[], words = 3): string {
  const perText = texts.map((t) => [...new Set(contentWords(t))].join(' '));
  const top = wordCounts(perText).slice(0, words);
  // Code points, not UTF-16 units: a cut must not split a character.
  return top.length > 0
    ? top.map((t) => t.term).join(' · ')
    : Array.from(texts[0] ?? '')
        .slice(0, 40)
        .join('');
}
