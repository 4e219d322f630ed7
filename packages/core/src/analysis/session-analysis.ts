import { averageRanks, jaccard, kendallTauB, kendallW, type LikertSummary, likertSummary } from './statistics.js';

/** A final attribute agreed by the group in segment 4. */
export interface FinalAttributeInput {
  readonly id: string;
  readonly name: string;
  readonly definition: string;
  readonly exampleInteractionIds: readonly string[];
  readonly sourceLabelIds: readonly string[];
}

/** One participant's segment-1 submission: their top-3 attributes, rank 1 = best. */
export interface Segment1Input {
  readonly participantId: string;
  readonly attributes: readonly { readonly id: string; readonly rank: number }[];
}

/** One participant's segment-5 submission: Likert ratings and a best-first ranking of final ids. */
export interface Segment5Input {
  readonly participantId: string;
  readonly likert: Readonly<Record<string, number>>;
  readonly ranking: readonly string[];
}

/** Everything a session's analysis is computed from. */
export interface AnalysisInput {
  readonly finalAttributes: readonly FinalAttributeInput[];
  readonly groupTop3: readonly string[];
  readonly groupTop5: readonly string[];
  /** Segment-1 attribute id → the final attribute it became, or null when it became none. */
  readonly mapping: Readonly<Record<string, string | null>>;
  readonly segment1: readonly Segment1Input[];
  readonly segment5: readonly Segment5Input[];
}

/** How one participant's ranking moved relative to the group's, before and after the discussion. */
export interface ParticipantShift {
  readonly participantId: string;
  readonly tauWithGroupBefore: number | null;
  readonly tauWithGroupAfter: number | null;
  readonly top3JaccardBefore: number | null;
  readonly top3JaccardAfter: number | null;
}

/** The analysis of a Discuss session, as served by `GET /api/sessions/:id/analysis`. */
export interface SessionAnalysis {
  /** Distinct participants with a segment-1 or a segment-5 submission. */
  readonly participants: number;
  /** Segment-5 Likert summary for every final attribute. */
  readonly likert: Record<string, LikertSummary>;
  readonly concordance: { readonly segment1W: number | null; readonly segment5W: number | null };
  /** One entry per participant, sorted by participant id. */
  readonly participantsShift: ParticipantShift[];
  /** Every final attribute id, best first. */
  readonly groupRanking: string[];
}

// Records come from JSON; an own-property check keeps ids such as "constructor" from reaching the prototype.
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Keeps the ids that are final attributes, first occurrence only, in order. */
function finalIdsIn(ids: Iterable<string>, items: ReadonlySet<string>): string[] {
  const kept = new Set<string>();
  for (const id of ids) if (items.has(id)) kept.add(id);
  return [...kept];
}

/**
 * A participant's segment-1 attributes mapped onto final attributes, best first. Attributes mapped
 * to nothing drop out; when several map to one final attribute it takes the best of their ranks.
 */
function mappedSegment1Order(submission: Segment1Input, input: AnalysisInput, items: ReadonlySet<string>): string[] {
  const best = new Map<string, number>();
  for (const attribute of submission.attributes) {
    const target = own(input.mapping, attribute.id);
    if (target === undefined || target === null || !items.has(target)) continue;
    const previous = best.get(target);
    if (previous === undefined || attribute.rank < previous) best.set(target, attribute.rank);
  }
  // Map iteration follows first insertion and the sort is stable, so equal ranks keep submission order.
  return [...best.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id);
}

/** The latest submission per participant: re-submitting replaces, so a later entry wins. */
function latestByParticipant<T extends { readonly participantId: string }>(submissions: readonly T[]): Map<string, T> {
  const latest = new Map<string, T>();
  for (const submission of submissions) latest.set(submission.participantId, submission);
  return latest;
}

/**
 * Final ids sorted by the segment-5 aggregate: mean average rank (ascending), then mean Likert
 * (descending, unrated last), then input position. Without segment-5 rankings the first key is
 * equal for all, so the order falls back to Likert and then to input order.
 */
function aggregateOrder(
  ids: readonly string[],
  itemIds: readonly string[],
  segment5Ranks: readonly (readonly number[])[],
  likert: Readonly<Record<string, LikertSummary>>,
): string[] {
  const position = new Map(itemIds.map((id, i) => [id, i]));
  const rankSum = (id: string): number => {
    const i = position.get(id) ?? 0;
    // Sums rather than means: every rater ranks every item, so the order is the same and stays exact.
    return segment5Ranks.reduce((acc, ranks) => acc + (ranks[i] ?? 0), 0);
  };
  const keyed = ids.map((id) => ({
    id,
    rank: rankSum(id),
    likert: own(likert, id)?.mean ?? Number.NEGATIVE_INFINITY,
    position: position.get(id) ?? 0,
  }));
  keyed.sort((a, b) => a.rank - b.rank || b.likert - a.likert || a.position - b.position);
  return keyed.map((k) => k.id);
}

/**
 * Computes a session's analysis from its final attributes, the segment-1 mapping and both rounds of
 * submissions. Ids that are not final attributes (in Likert keys, rankings, the mapping or the group
 * picks) are ignored.
 */
export function analyzeSession(input: AnalysisInput): SessionAnalysis {
  const itemIds = input.finalAttributes.map((a) => a.id);
  const items = new Set(itemIds);
  const segment1 = latestByParticipant(input.segment1);
  const segment5 = latestByParticipant(input.segment5);

  const likert: Record<string, LikertSummary> = {};
  for (const id of itemIds) {
    const ratings: number[] = [];
    for (const submission of segment5.values()) {
      const rating = own(submission.likert, id);
      if (rating !== undefined) ratings.push(rating);
    }
    likert[id] = likertSummary(ratings);
  }

  const before = new Map<string, { order: string[]; ranks: number[] }>();
  for (const [participantId, submission] of segment1) {
    const order = mappedSegment1Order(submission, input, items);
    before.set(participantId, { order, ranks: averageRanks(order, itemIds) });
  }
  const after = new Map<string, { order: string[]; ranks: number[] }>();
  for (const [participantId, submission] of segment5) {
    const order = finalIdsIn(submission.ranking, items);
    after.set(participantId, { order, ranks: averageRanks(order, itemIds) });
  }
  const segment5Ranks = [...after.values()].map((a) => a.ranks);

  const groupTop3 = finalIdsIn(input.groupTop3, items);
  const picked = finalIdsIn([...groupTop3, ...input.groupTop5], items);
  // Without the group's picks the aggregate of segment 5 stands in; with neither there is no group
  // ranking to compare against, and an all-tied vector makes every tau null rather than arbitrary.
  const groupOrder =
    picked.length > 0 || segment5Ranks.length === 0 ? picked : aggregateOrder(itemIds, itemIds, segment5Ranks, likert);
  const groupRanks = averageRanks(groupOrder, itemIds);
  const listed = new Set(groupOrder);
  const groupRanking = [
    ...groupOrder,
    ...aggregateOrder(
      itemIds.filter((id) => !listed.has(id)),
      itemIds,
      segment5Ranks,
      likert,
    ),
  ];

  const participantIds = [...new Set([...segment1.keys(), ...segment5.keys()])].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const participantsShift = participantIds.map((participantId): ParticipantShift => {
    const b = before.get(participantId);
    const a = after.get(participantId);
    return {
      participantId,
      tauWithGroupBefore: b ? kendallTauB(b.ranks, groupRanks) : null,
      tauWithGroupAfter: a ? kendallTauB(a.ranks, groupRanks) : null,
      top3JaccardBefore: b ? jaccard(b.order, groupTop3) : null,
      top3JaccardAfter: a ? jaccard(a.order.slice(0, 3), groupTop3) : null,
    };
  });

  return {
    participants: participantIds.length,
    likert,
    concordance: {
      segment1W: kendallW([...before.values()].map((b) => b.ranks)),
      segment5W: kendallW(segment5Ranks),
    },
    participantsShift,
    groupRanking,
  };
}
