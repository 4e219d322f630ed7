import type { Analysis } from '../../lib/contract';

/** How a figure moved from segment 1 to segment 5. */
export type Trend = 'rose' | 'fell' | 'stayed' | 'missing';

/** Changes smaller than this read as "stayed": on a 0–1 (or −1–1) scale they are noise for a small group. */
export const stayedWithin = 0.05;

/** Whether a value rose, fell or stayed; `missing` when either side is unknown. */
export function trend(before: number | null, after: number | null): Trend {
  if (before === null || after === null || !Number.isFinite(before) || !Number.isFinite(after)) return 'missing';
  if (Math.abs(after - before) < stayedWithin) return 'stayed';
  return after > before ? 'rose' : 'fell';
}

/** The mean of the known values, or null when there are none. */
export function meanOf(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length;
}

/** A before/after pair and its trend. */
export interface Change {
  readonly before: number | null;
  readonly after: number | null;
  readonly trend: Trend;
}

const change = (before: number | null, after: number | null): Change => ({
  before,
  after,
  trend: trend(before, after),
});

/** What the figures of an analysis say, as numbers the sentences are made of. */
export interface Readings {
  /** Kendall's W over everyone's rankings. */
  readonly concordance: Change;
  /** Mean tau-b of each person's ranking with the group's. */
  readonly tau: Change;
  /** People with both taus, and how many of them came closer to the group's order. */
  readonly tauPeople: { readonly total: number; readonly closer: number };
  /** Mean top-3 Jaccard overlap with the group's top 3. */
  readonly jaccard: Change;
  /** The final attributes with the most and the least agreement (share of 4 and 5), when rated. */
  readonly likert: {
    readonly best: { id: string; share: number } | null;
    readonly worst: { id: string; share: number } | null;
  };
}

/** Computes the readings of an analysis (pure: the page words them). */
export function readingsOf(analysis: Analysis): Readings {
  const people = analysis.participantsShift;
  const paired = people.filter((p) => p.tauWithGroupBefore !== null && p.tauWithGroupAfter !== null);
  const rated = analysis.groupRanking
    .map((id) => ({ id, share: analysis.likert[id]?.agreeShare ?? null }))
    .filter((r): r is { id: string; share: number } => r.share !== null);
  const sorted = [...rated].sort((a, b) => b.share - a.share);
  return {
    concordance: change(analysis.concordance.segment1W, analysis.concordance.segment5W),
    tau: change(meanOf(people.map((p) => p.tauWithGroupBefore)), meanOf(people.map((p) => p.tauWithGroupAfter))),
    tauPeople: {
      total: paired.length,
      closer: paired.filter((p) => (p.tauWithGroupAfter as number) - (p.tauWithGroupBefore as number) >= stayedWithin)
        .length,
    },
    jaccard: change(meanOf(people.map((p) => p.top3JaccardBefore)), meanOf(people.map((p) => p.top3JaccardAfter))),
    likert: {
      best: sorted[0] ?? null,
      worst: sorted.length > 1 ? (sorted[sorted.length - 1] ?? null) : null,
    },
  };
}
