import type { Principal } from '../access.js';
import { acceptsSubmissions, type Segment, type SessionState } from './state.js';

/**
 * The rules for the private work of segments 1 and 5 and the group's final attributes of
 * segment 4: who may submit, when, and what makes a submission whole. Each check returns the
 * cleaned value or a tagged problem; the transport maps problems onto its error statuses.
 */

/** Why a submission was refused. */
export type SubmissionProblem =
  /** The caller may not submit this at all. */
  | { readonly kind: 'forbidden'; readonly message: string }
  /** Not in this segment or state. */
  | { readonly kind: 'wrong-state'; readonly message: string }
  /** The body is malformed in a way the schema cannot say (blank, repeated, incomplete). */
  | { readonly kind: 'invalid'; readonly message: string }
  /** The body names something that is not there. */
  | { readonly kind: 'reference'; readonly message: string }
  /** The body names something that belongs elsewhere. */
  | { readonly kind: 'conflict'; readonly message: string };

/** A checked value, or why it was refused. */
export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: SubmissionProblem };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const refuse = <T>(kind: SubmissionProblem['kind'], message: string): Checked<T> => ({
  ok: false,
  problem: { kind, message },
});

/** A name and definition as submitted. */
export interface NamedDefinition {
  readonly name: string;
  readonly definition: string;
}

/** A participant's own submission, ready to store. */
export interface OwnSubmission<T> {
  readonly participantId: string;
  readonly submission: T;
}

const participantOnly = <T>(principal: Principal): Checked<T> | string =>
  principal.role === 'participant' ? principal.participantId : refuse<T>('forbidden', 'Only participants submit this');

/** Trims names and definitions; blank ones and repeated names (ignoring case) are refused. */
function cleanNamed(items: readonly NamedDefinition[], field: string): Checked<NamedDefinition[]> {
  const cleaned: NamedDefinition[] = [];
  for (const [i, item] of items.entries()) {
    const name = item.name.trim();
    const definition = item.definition.trim();
    if (name === '') return refuse('invalid', `${field}[${i}].name is blank`);
    if (definition === '') return refuse('invalid', `${field}[${i}].definition is blank`);
    cleaned.push({ name, definition });
  }
  return ok(cleaned);
}

/**
 * Segment 1: a participant's top attributes in rank order, accepted only while segment 1 runs.
 * Names are trimmed and must differ (ignoring case).
 */
export function checkSegment1(
  principal: Principal,
  state: SessionState,
  attributes: readonly NamedDefinition[],
): Checked<OwnSubmission<NamedDefinition[]>> {
  const participantId = participantOnly<OwnSubmission<NamedDefinition[]>>(principal);
  if (typeof participantId !== 'string') return participantId;
  if (!acceptsSubmissions(state, 1))
    return refuse('wrong-state', 'Segment-1 attributes are accepted only while segment 1 is running');
  const cleaned = cleanNamed(attributes, 'attributes');
  if (!cleaned.ok) return cleaned;
  if (new Set(cleaned.value.map((a) => a.name.toLowerCase())).size !== cleaned.value.length)
    return refuse('invalid', 'Two attributes have the same name');
  return ok({ participantId, submission: cleaned.value });
}

/** A final attribute as the moderator gives it in segment 4. */
export interface FinalAttributeDraft extends NamedDefinition {
  readonly id?: string | undefined;
  readonly exampleInteractionIds?: readonly string[] | undefined;
  readonly sourceLabelIds?: readonly string[] | undefined;
}

/** A final attribute ready to store: an id, and its examples and sources without repeats. */
export interface FinalAttributeEntry extends NamedDefinition {
  readonly id: string;
  readonly exampleInteractionIds: string[];
  readonly sourceLabelIds: string[];
}

/** The group's final attributes and its top lists, checked in themselves. */
export interface FinalAttributeSet {
  readonly attributes: FinalAttributeEntry[];
  readonly groupTop3: string[];
  readonly groupTop5: string[];
}

/**
 * Segment 4, first step: the final attributes in themselves — set while segment 4 is open, named
 * and defined, ids unique (new ones from `newId`), top lists naming listed attributes once each.
 * What they refer to elsewhere is {@link checkFinalReferences}'s business.
 */
export function checkFinalAttributes(
  state: SessionState,
  body: { attributes: readonly FinalAttributeDraft[]; groupTop3: readonly string[]; groupTop5: readonly string[] },
  newId: () => string,
): Checked<FinalAttributeSet> {
  if (state.segment !== 4 || state.status === 'ended')
    return refuse('wrong-state', 'Final attributes are set in segment 4');
  const cleaned = cleanNamed(body.attributes, 'attributes');
  if (!cleaned.ok) return cleaned;
  const attributes = body.attributes.map((a, i) => ({
    ...(cleaned.value[i] as NamedDefinition),
    id: a.id ?? newId(),
    exampleInteractionIds: [...new Set(a.exampleInteractionIds ?? [])],
    sourceLabelIds: [...new Set(a.sourceLabelIds ?? [])],
  }));
  const ids = attributes.map((a) => a.id);
  if (new Set(ids).size !== ids.length) return refuse('invalid', 'Two attributes have the same id');
  for (const [name, list] of [
    ['groupTop3', body.groupTop3],
    ['groupTop5', body.groupTop5],
  ] as const) {
    if (new Set(list).size !== list.length) return refuse('invalid', `${name} lists an attribute twice`);
    const unknown = list.find((id) => !ids.includes(id));
    if (unknown) return refuse('reference', `${name} names ${unknown}, which is not among the attributes`);
  }
  return ok({ attributes, groupTop3: [...body.groupTop3], groupTop5: [...body.groupTop5] });
}

/** What storage knows of the ids a set of final attributes refers to. */
export interface FinalReferences {
  readonly sessionId: string;
  /** Attribute id → the session it is stored under, for ids already stored. */
  readonly owners: ReadonlyMap<string, string>;
  /** Of the example interactions named, those that are the group's. */
  readonly interactionIds: ReadonlySet<string>;
  /** Of the source labels named, those that are the group's. */
  readonly labelIds: ReadonlySet<string>;
}

/** Segment 4, second step: ids not taken by another session, examples and sources of this group. */
export function checkFinalReferences(set: FinalAttributeSet, known: FinalReferences): Checked<FinalAttributeSet> {
  for (const attribute of set.attributes) {
    const owner = known.owners.get(attribute.id);
    if (owner !== undefined && owner !== known.sessionId)
      return refuse('conflict', `Attribute id ${attribute.id} belongs to another session`);
  }
  for (const attribute of set.attributes) {
    if (attribute.exampleInteractionIds.some((id) => !known.interactionIds.has(id)))
      return refuse('reference', 'An example interaction is not an interaction of this group');
    if (attribute.sourceLabelIds.some((id) => !known.labelIds.has(id)))
      return refuse('reference', 'A source label is not a label of this group');
  }
  return ok(set);
}

/** A participant's segment-5 ratings: Likert 1–5 per final attribute and a ranking, best first. */
export interface Ratings {
  readonly likert: Readonly<Record<string, number>>;
  readonly ranking: readonly string[];
}

/**
 * Segment 5: accepted only while it runs, once there are final attributes; every final attribute
 * rated, nothing else named, and the ranking a permutation of a subset.
 */
export function checkSegment5<R extends Ratings>(
  principal: Principal,
  state: SessionState,
  finalAttributeIds: ReadonlySet<string>,
  ratings: R,
): Checked<OwnSubmission<R>> {
  const participantId = participantOnly<OwnSubmission<R>>(principal);
  if (typeof participantId !== 'string') return participantId;
  if (!acceptsSubmissions(state, 5))
    return refuse('wrong-state', 'Ratings are accepted only while segment 5 is running');
  if (finalAttributeIds.size === 0) return refuse('wrong-state', 'There are no final attributes to rate yet');
  const unknown = [...Object.keys(ratings.likert), ...ratings.ranking].find((id) => !finalAttributeIds.has(id));
  if (unknown) return refuse('reference', `${unknown} is not a final attribute of this session`);
  const unrated = [...finalAttributeIds].filter((id) => ratings.likert[id] === undefined);
  if (unrated.length > 0)
    return refuse('invalid', `Every final attribute must be rated; missing: ${unrated.join(', ')}`);
  if (new Set(ratings.ranking).size !== ratings.ranking.length)
    return refuse('invalid', 'The ranking lists an attribute twice');
  return ok({ participantId, submission: ratings });
}

/** The moderator's segment-1 → final mapping: segment-1 attributes on the left, finals (or null) on the right. */
export function checkMapping(
  mapping: Readonly<Record<string, string | null>>,
  segment1Ids: ReadonlySet<string>,
  finalAttributeIds: ReadonlySet<string>,
): Checked<Readonly<Record<string, string | null>>> {
  for (const [from, to] of Object.entries(mapping)) {
    if (!segment1Ids.has(from)) return refuse('reference', `${from} is not a segment-1 attribute of this session`);
    if (to !== null && !finalAttributeIds.has(to))
      return refuse('reference', `${to} is not a final attribute of this session`);
  }
  return ok(mapping);
}

/**
 * Whose submissions of `segment` a principal may read: `undefined` for everyone's, a participant
 * id for one person's, or null for nothing. Staff see everything; a participant sees their own,
 * and others' only once the moderator has revealed that segment.
 */
export function readableSubmitter(
  principal: Principal,
  revealed: readonly Segment[],
  segment: 1 | 5,
  asked: string | undefined,
): string | undefined | null {
  if (principal.role !== 'participant') return asked;
  const isRevealed = revealed.includes(segment);
  if (asked === undefined) return isRevealed ? undefined : principal.participantId;
  return asked === principal.participantId || isRevealed ? asked : null;
}
