/**
 * What a participant's segment-1 and segment-5 forms still lack, and how a submission is put back
 * into a form after a reload. Pure functions, no React: the forms turn each problem into a
 * translated sentence on their submit button.
 */

/** One row of the segment-1 form. */
export interface AttributeDraft {
  readonly key: string;
  readonly name: string;
  readonly definition: string;
}

/** Why segment 1 cannot be submitted yet (`n` counts rows from 1). */
export type Segment1Problem =
  | { readonly kind: 'empty' }
  | { readonly kind: 'needsDefinition'; readonly n: number }
  | { readonly kind: 'needsName'; readonly n: number }
  | { readonly kind: 'duplicate'; readonly name: string };

/** The first thing segment 1 lacks, or null when the filled rows can be submitted. */
export function segment1Problem(items: readonly AttributeDraft[]): Segment1Problem | null {
  const seen = new Set<string>();
  let filled = 0;
  for (const [i, item] of items.entries()) {
    const name = item.name.trim();
    const definition = item.definition.trim();
    if (name === '' && definition === '') continue;
    if (definition === '') return { kind: 'needsDefinition', n: i + 1 };
    if (name === '') return { kind: 'needsName', n: i + 1 };
    if (seen.has(name.toLowerCase())) return { kind: 'duplicate', name };
    seen.add(name.toLowerCase());
    filled += 1;
  }
  return filled === 0 ? { kind: 'empty' } : null;
}

/** The rows a submission sends: the filled ones, trimmed, in the form's order. */
export const filledAttributes = (items: readonly AttributeDraft[]) =>
  items
    .filter((i) => i.name.trim() !== '' && i.definition.trim() !== '')
    .map((i) => ({ name: i.name.trim(), definition: i.definition.trim() }));

/** The form's three rows, holding a submission (best first) when there is one. */
export function attributeRows(submitted: readonly { name: string; definition: string }[] = []): AttributeDraft[] {
  return [0, 1, 2].map((i) => ({
    key: `a${i + 1}`,
    name: submitted[i]?.name ?? '',
    definition: submitted[i]?.definition ?? '',
  }));
}

/** Why segment 5 cannot be submitted yet. */
export type Segment5Problem =
  | { readonly kind: 'noFinals' }
  | { readonly kind: 'rate'; readonly missing: number; readonly total: number }
  | { readonly kind: 'confirm' };

/** The first thing segment 5 lacks: a rating for every definition, then the ranking confirmed. */
export function segment5Problem(
  finalIds: readonly string[],
  likert: Readonly<Record<string, number>>,
  confirmed: boolean,
): Segment5Problem | null {
  if (finalIds.length === 0) return { kind: 'noFinals' };
  const missing = finalIds.filter((id) => likert[id] === undefined).length;
  if (missing > 0) return { kind: 'rate', missing, total: finalIds.length };
  return confirmed ? null : { kind: 'confirm' };
}

/** The final attributes' identity as a ranking sees it: a new key whenever the list changes. */
export const finalsKey = (finals: readonly { id: string; name: string; definition: string }[]) =>
  JSON.stringify(finals.map((f) => [f.id, f.name, f.definition]));

/**
 * The order a ranking starts from: an earlier submission's order (for the attributes still
 * listed), then the rest in the moderator's order.
 */
export function startingOrder(finalIds: readonly string[], submitted: readonly string[] = []): string[] {
  const listed = new Set(finalIds);
  const kept = submitted.filter((id) => listed.has(id));
  return [...kept, ...finalIds.filter((id) => !kept.includes(id))];
}

/** Whether a submitted ranking orders exactly the attributes listed now (then it stays confirmed). */
export function rankingCovers(finalIds: readonly string[], submitted: readonly string[] | undefined): boolean {
  if (!submitted || submitted.length !== finalIds.length) return false;
  const listed = new Set(finalIds);
  return new Set(submitted).size === submitted.length && submitted.every((id) => listed.has(id));
}

/** The session clock as the bar tells it. */
export type ClockPhase = 'none' | 'pending' | 'running' | 'timeUp' | 'paused' | 'ended';

/** The clock's phase: a running segment whose clock reached 0:00 is `timeUp`. */
export function clockPhase(
  status: 'pending' | 'running' | 'paused' | 'ended' | undefined,
  remainingMs: number | null,
): ClockPhase {
  if (status === undefined) return 'none';
  if (status === 'running') return remainingMs !== null && remainingMs <= 0 ? 'timeUp' : 'running';
  return status;
}
