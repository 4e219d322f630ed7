/**
 * Merging a duplicate participant (`from`) into the person they really are (`into`): what they
 * authored moves over, and where both submitted the same private work the later one stands.
 */

/** Which of two submissions of one session and segment a merge keeps. */
export type KeptSubmission = 'into' | 'from';

/**
 * The merge rule for private submissions (segment 1 and segment 5) of one session: when only
 * one of the two submitted, that one is kept; when both did, the later submission is kept (it
 * is the person's last word, whichever sign-in they used), and on a tie the one merged into.
 */
export function keptSubmission(into: Date | null, from: Date | null): KeptSubmission | null {
  if (into === null) return from === null ? null : 'from';
  if (from === null) return 'into';
  return from.getTime() > into.getTime() ? 'from' : 'into';
}

/** Why two participants cannot be merged, or null when they can. */
export function mergeRefusal(fromId: string, intoId: string): string | null {
  return fromId === intoId ? 'A participant cannot be merged into themselves' : null;
}

/** Display names that two or more participants share (case and spacing ignored), for a hint. */
export function sharedNames(names: readonly string[]): Set<string> {
  const seen = new Map<string, number>();
  for (const name of names) {
    const key = normalizedName(name);
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return new Set([...seen].filter(([, n]) => n > 1).map(([key]) => key));
}

/** A display name as {@link sharedNames} compares it. */
export function normalizedName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase();
}
