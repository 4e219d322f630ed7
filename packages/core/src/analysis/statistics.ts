/**
 * Rank statistics for the Discuss analysis. Pure numeric functions: rank vectors are plain arrays
 * indexed like the items they rank, with tied items sharing the average of the ranks they span.
 */

/**
 * Rank vector over `items` (in `items` order) from a best-first `order` that may name only some of
 * them: ranked items get 1, 2, 3…, and every unranked item is tied last, sharing the average of the
 * remaining ranks. Ids in `order` that are not items are ignored; a repeated id keeps its first place.
 */
export function averageRanks(order: readonly string[], items: readonly string[]): number[] {
  const itemSet = new Set(items);
  const placed = new Map<string, number>();
  for (const id of order) {
    if (itemSet.has(id) && !placed.has(id)) placed.set(id, placed.size + 1);
  }
  // The unranked share ranks placed.size + 1 … n, whose average is their midpoint.
  const tiedLast = (placed.size + 1 + items.length) / 2;
  return items.map((id) => placed.get(id) ?? tiedLast);
}

/** Σ (t³ − t) over the groups of equal values in `values`: the tie term of Kendall's W. */
function tieTerm(values: readonly number[]): number {
  const sizes = new Map<number, number>();
  for (const value of values) sizes.set(value, (sizes.get(value) ?? 0) + 1);
  let total = 0;
  for (const t of sizes.values()) total += t ** 3 - t;
  return total;
}

/**
 * Kendall's coefficient of concordance W, corrected for ties. `ranks[j]` is rater j's rank vector
 * over the same n items (average ranks for ties). Null when there are fewer than two raters or
 * items, or when no rater separates any items (the denominator is then 0).
 */
export function kendallW(ranks: readonly (readonly number[])[]): number | null {
  const m = ranks.length;
  const n = ranks[0]?.length ?? 0;
  if (m < 2 || n < 2) return null;
  const sums = new Array<number>(n).fill(0);
  let ties = 0;
  for (const rater of ranks) {
    // A ragged matrix is a caller's bug; a silently wrong W would be worse than an exception.
    if (rater.length !== n) throw new RangeError(`kendallW: every rater must rank ${n} items`);
    rater.forEach((rank, i) => {
      sums[i] = (sums[i] ?? 0) + rank;
    });
    ties += tieTerm(rater);
  }
  const meanSum = (m * (n + 1)) / 2;
  const s = sums.reduce((acc, r) => acc + (r - meanSum) ** 2, 0);
  const denominator = m * m * (n ** 3 - n) - m * ties;
  return denominator === 0 ? null : (12 * s) / denominator;
}

/**
 * Kendall's tau-b between two paired samples, accounting for ties in either (the same statistic as
 * `scipy.stats.kendalltau(x, y, variant='b')`). Null when there are fewer than two pairs or when
 * either sample is constant, where tau-b is undefined.
 */
export function kendallTauB(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new RangeError('kendallTauB: samples must have the same length');
  const n = x.length;
  if (n < 2) return null;
  // Pairs tied in x (or y) are left out of that side's normaliser; pairs tied in both count nowhere.
  let score = 0;
  let untiedX = 0;
  let untiedY = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign((x[i] ?? 0) - (x[j] ?? 0));
      const dy = Math.sign((y[i] ?? 0) - (y[j] ?? 0));
      score += dx * dy;
      if (dx !== 0) untiedX++;
      if (dy !== 0) untiedY++;
    }
  }
  // One square root of the product (exact integers) keeps perfect agreement at exactly ±1.
  const denominator = Math.sqrt(untiedX * untiedY);
  return denominator === 0 ? null : score / denominator;
}

/** Jaccard similarity |A ∩ B| / |A ∪ B| of two sets of ids; null when both are empty. */
export function jaccard(a: Iterable<string>, b: Iterable<string>): number | null {
  const left = new Set(a);
  const right = new Set(b);
  let shared = 0;
  for (const id of left) if (right.has(id)) shared++;
  const union = left.size + right.size - shared;
  return union === 0 ? null : shared / union;
}

/** Counts of ratings 1, 2, 3, 4 and 5, in that order. */
export type LikertCounts = [number, number, number, number, number];

/** Summary of the 1–5 Likert ratings one attribute received. */
export interface LikertSummary {
  /** Number of ratings counted. */
  readonly n: number;
  /** Mean rating; null without ratings. */
  readonly mean: number | null;
  /** Median rating (mean of the two middle ratings for an even count); null without ratings. */
  readonly median: number | null;
  readonly counts: LikertCounts;
  /** Share of ratings that are 4 or 5; null without ratings. */
  readonly agreeShare: number | null;
}

/**
 * Summarises Likert ratings. Values other than the integers 1–5 are left out altogether, so that
 * `n`, the counts and every statistic describe the same ratings.
 */
export function likertSummary(values: readonly number[]): LikertSummary {
  const valid = values.filter((v) => Number.isInteger(v) && v >= 1 && v <= 5).sort((a, b) => a - b);
  const counts: LikertCounts = [0, 0, 0, 0, 0];
  for (const v of valid) counts[v - 1] = (counts[v - 1] ?? 0) + 1;
  const n = valid.length;
  if (n === 0) return { n, mean: null, median: null, counts, agreeShare: null };
  const mean = valid.reduce((acc, v) => acc + v, 0) / n;
  const upper = valid[Math.floor(n / 2)] ?? 0;
  const median = n % 2 === 1 ? upper : ((valid[n / 2 - 1] ?? 0) + upper) / 2;
  return { n, mean, median, counts, agreeShare: (counts[3] + counts[4]) / n };
}
