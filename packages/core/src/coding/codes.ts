/**
 * The one way codes are merged: spellings that differ only in case or surrounding spaces are one
 * code ({@link codeKey}), shown in the spelling used most ({@link mostUsedSpelling}). The coding
 * page's suggestions, focused coding, the codebook and agreement all count codes through here,
 * so a code is the same code on every page and in every file.
 */

/** How codes are compared: trimmed, case-insensitive. */
export function codeKey(text: string): string {
  return text.trim().toLowerCase();
}

/**
 * The spelling used most among `spellings` (spelling → how many use it); on a tie the first one
 * given (labels are read oldest first, so the spelling that came first).
 */
export function mostUsedSpelling(spellings: ReadonlyMap<string, number>): string {
  let best = '';
  let bestCount = 0;
  for (const [text, count] of spellings) {
    if (count > bestCount) {
      best = text;
      bestCount = count;
    }
  }
  return best;
}

/** One code as {@link mergeCodes} merges it, with what carries it. */
export interface MergedCode<T> {
  /** The {@link codeKey} of every spelling. */
  readonly key: string;
  /** The spelling used most (trimmed): {@link mostUsedSpelling}. */
  readonly text: string;
  /** How many labels carry it: the items' counts summed. */
  readonly count: number;
  /** The items that carry it, in the order given. */
  readonly items: T[];
}

/**
 * The distinct codes among `items` (each a label, a text, or a spelling with a count), in the
 * order first seen; blank texts are left out. `countOf` says how many labels an item stands for
 * (1 unless given), so a tally kept as spelling → count merges the same way as the labels.
 */
export function mergeCodes<T>(
  items: Iterable<T>,
  textOf: (item: T) => string,
  countOf: (item: T) => number = () => 1,
): MergedCode<T>[] {
  const byKey = new Map<string, { count: number; spellings: Map<string, number>; items: T[] }>();
  for (const item of items) {
    const spelling = textOf(item).trim();
    if (spelling === '') continue;
    const key = codeKey(spelling);
    let entry = byKey.get(key);
    if (!entry) {
      entry = { count: 0, spellings: new Map(), items: [] };
      byKey.set(key, entry);
    }
    const n = countOf(item);
    entry.count += n;
    entry.spellings.set(spelling, (entry.spellings.get(spelling) ?? 0) + n);
    entry.items.push(item);
  }
  return [...byKey].map(([key, { count, spellings, items: carried }]) => ({
    key,
    text: mostUsedSpelling(spellings),
    count,
    items: carried,
  }));
}
