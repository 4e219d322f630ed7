import type { AbModelChoice, AbModelSide } from './order.js';

/** z for a two-sided 95 % interval: the 0.975 quantile of the standard normal. */
export const abZ95 = 1.959963984540054;

/** A 95 % interval of a win rate. */
export interface AbInterval {
  readonly low: number;
  readonly high: number;
}

/**
 * The Wilson score interval for a proportion `p` observed over `n` trials (Wilson 1927), at `z`
 * (95 % by default). Unlike the normal ("Wald") interval it stays inside [0, 1] and is not empty
 * at p = 0 or 1, which small rounds reach often. Null when n = 0.
 */
export function abWilsonInterval(p: number, n: number, z = abZ95): AbInterval | null {
  if (n <= 0) return null;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** How one model fared on one axis. */
export interface AbModelTally {
  readonly wins: number;
  readonly losses: number;
  readonly ties: number;
  /** Votes on this axis (wins + losses + ties). */
  readonly n: number;
  /** (wins + ties / 2) / n, or null without votes. */
  readonly winRate: number | null;
  /** Wilson 95 % interval of the win rate, or null without votes. */
  readonly interval: AbInterval | null;
}

/** One axis's results: both models' tallies (b's win rate is 1 − a's). */
export interface AbAxisTally {
  readonly axisId: string;
  readonly n: number;
  readonly a: AbModelTally;
  readonly b: AbModelTally;
}

function modelTally(wins: number, losses: number, ties: number): AbModelTally {
  const n = wins + losses + ties;
  const winRate = n === 0 ? null : (wins + ties / 2) / n;
  return { wins, losses, ties, n, winRate, interval: winRate === null ? null : abWilsonInterval(winRate, n) };
}

/**
 * Tallies the votes of a round per axis, in the order of `axisIds`. A vote of `equal` is a tie and
 * counts half a win for each model, so a model's win rate is the share of comparisons it won with
 * ties split evenly, and the two models' rates add up to one. The interval treats that half-credit
 * rate as a proportion over the n votes (Wilson score), which is exact without ties and slightly
 * wide with them (a tie varies less than a win or a loss). Votes on axes not listed are ignored.
 */
export function tallyAbVotes(
  axisIds: readonly string[],
  votes: readonly (Readonly<Record<string, AbModelChoice>> | null)[],
): AbAxisTally[] {
  return axisIds.map((axisId) => {
    const count: Record<AbModelChoice, number> = { a: 0, b: 0, equal: 0 };
    for (const item of votes) {
      const choice = item?.[axisId];
      if (choice !== undefined) count[choice] += 1;
    }
    const side = (model: AbModelSide) =>
      model === 'a' ? modelTally(count.a, count.b, count.equal) : modelTally(count.b, count.a, count.equal);
    return { axisId, n: count.a + count.b + count.equal, a: side('a'), b: side('b') };
  });
}
