import { describe, expect, it } from 'vitest';
import { averageRanks, jaccard, kendallTauB, kendallW, likertSummary } from './statistics.js';
import { expectCloseOrNull, reference } from './test-reference.js';

describe('averageRanks', () => {
  it('ranks the ordered items and ties the rest last on their average rank', () => {
    // 5 items, order [b, d]: b = 1, d = 2, and a, c, e share (3 + 4 + 5) / 3 = 4.
    expect(averageRanks(['b', 'd'], ['a', 'b', 'c', 'd', 'e'])).toEqual([4, 1, 4, 2, 4]);
  });

  it.each(reference.averageRanks)('matches scipy rankdata: $name', ({ order, items, ranks }) => {
    const actual = averageRanks(order, items);
    expect(actual).toHaveLength(ranks.length);
    actual.forEach((rank, i) => {
      expect(rank).toBeCloseTo(ranks[i] ?? Number.NaN, 9);
    });
  });
});

describe('kendallW', () => {
  it('is 1 for identical rankings and 0 for two opposed ones', () => {
    expect(
      kendallW([
        [1, 2, 3],
        [1, 2, 3],
      ]),
    ).toBe(1);
    // R = (4, 4, 4): every item sits exactly on the mean rank sum m(n + 1)/2 = 4, so S = 0.
    expect(
      kendallW([
        [1, 2, 3],
        [3, 2, 1],
      ]),
    ).toBe(0);
  });

  it('corrects for ties', () => {
    // Raters (1, 2, 3) and (1.5, 1.5, 3): R = (2.5, 3.5, 6), mean 4, S = 2.25 + 0.25 + 4 = 6.5;
    // the tie term of rater 2 is 2³ − 2 = 6, so W = 12·6.5 / (4·24 − 2·6) = 78 / 84.
    expect(
      kendallW([
        [1, 2, 3],
        [1.5, 1.5, 3],
      ]),
    ).toBeCloseTo(78 / 84, 12);
  });

  it.each(reference.kendallW)('matches the numpy formula: $name', ({ items, orders, ranks, w }) => {
    // The rank vectors come from the reference's own rankdata; the orders are checked separately.
    orders.forEach((order, j) => {
      expect(averageRanks(order, items)).toEqual(ranks[j]);
    });
    expectCloseOrNull(kendallW(ranks), w, 'W');
  });

  it('refuses a ragged rank matrix', () => {
    expect(() =>
      kendallW([
        [1, 2, 3],
        [1, 2],
      ]),
    ).toThrow(RangeError);
  });
});

describe('kendallTauB', () => {
  it('counts pairs tied in one sample out of that side only', () => {
    // x = (1, 1, 2), y = (1, 2, 3): pairs (1,2) tied in x, (1,3) and (2,3) concordant;
    // tau-b = 2 / sqrt(2 · 3).
    expect(kendallTauB([1, 1, 2], [1, 2, 3])).toBeCloseTo(2 / Math.sqrt(6), 12);
  });

  it.each(reference.kendallTauB)('matches scipy.stats.kendalltau: $name', ({ x, y, tau }) => {
    expectCloseOrNull(kendallTauB(x, y), tau, 'tau-b');
  });

  it('is symmetric', () => {
    const x = [1, 2, 2, 4, 4, 5];
    const y = [2, 1, 3, 3, 5, 5];
    expect(kendallTauB(x, y)).toBe(kendallTauB(y, x));
  });
});

describe('jaccard', () => {
  it.each(reference.jaccard)('matches Python sets: $name', ({ a, b, value }) => {
    expectCloseOrNull(jaccard(a, b), value, 'jaccard');
  });
});

describe('likertSummary', () => {
  it.each(reference.likert)('matches numpy: $name', ({ values, summary }) => {
    const actual = likertSummary(values);
    expect(actual.n).toBe(summary.n);
    expect(actual.counts).toEqual(summary.counts);
    expectCloseOrNull(actual.mean, summary.mean, 'mean');
    expectCloseOrNull(actual.median, summary.median, 'median');
    expectCloseOrNull(actual.agreeShare, summary.agreeShare, 'agreeShare');
  });

  it('leaves out values that are not ratings', () => {
    // Only 2 and 4 count: mean 3, median 3, one of two agrees.
    expect(likertSummary([2, 0, 4, 6, 3.5])).toEqual({
      n: 2,
      mean: 3,
      median: 3,
      counts: [0, 1, 0, 1, 0],
      agreeShare: 0.5,
    });
  });

  it('does not reorder its input', () => {
    const values = [5, 1, 3];
    likertSummary(values);
    expect(values).toEqual([5, 1, 3]);
  });
});
